//! OCR through the Tesseract command-line program, when it is installed.
//!
//! Tesseract is run as a separate program rather than linked: it is the tool archives
//! already use, its language packs are installed by the system's package manager, and a
//! crash in it cannot take the ingest down. Image-only PDF pages are rendered with
//! `pdftoppm` (poppler-utils) first.

use std::path::PathBuf;
use std::process::Command;

use super::external::run_bounded;
use super::{FormatError, PagesRead, RawPage};

/// How OCR is run, or why it cannot be.
#[derive(Clone, Debug)]
pub struct Ocr {
    tesseract: Option<PathBuf>,
    pdftoppm: Option<PathBuf>,
    languages: String,
    why_not: String,
    /// Where temporary copies are made; the system's temporary folder when unset.
    scratch: Option<PathBuf>,
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

impl Ocr {
    /// Finds Tesseract on PATH (or KARTOTEKA_TESSERACT) with the Russian and English
    /// language packs it has. KARTOTEKA_OCR=off disables OCR.
    pub fn detect() -> Ocr {
        if std::env::var("KARTOTEKA_OCR").as_deref() == Ok("off") {
            return Ocr {
                why_not: "OCR disabled (KARTOTEKA_OCR=off)".into(),
                ..Ocr::disabled()
            };
        }
        let tesseract = std::env::var_os("KARTOTEKA_TESSERACT")
            .map(PathBuf::from)
            .or_else(|| find_program("tesseract"));
        let Some(tesseract) = tesseract else {
            return Ocr::disabled();
        };
        let langs = Command::new(&tesseract).arg("--list-langs").output().ok();
        let listed = langs
            .map(|o| {
                String::from_utf8_lossy(&o.stdout).into_owned()
                    + &String::from_utf8_lossy(&o.stderr)
            })
            .unwrap_or_default();
        let have: Vec<&str> = ["rus", "eng"]
            .into_iter()
            .filter(|l| listed.lines().any(|line| line.trim() == *l))
            .collect();
        if have.is_empty() {
            return Ocr {
                why_not: "tesseract has neither the rus nor the eng language pack".into(),
                ..Ocr::disabled()
            };
        }
        Ocr {
            tesseract: Some(tesseract),
            pdftoppm: find_program("pdftoppm"),
            languages: have.join("+"),
            why_not: String::new(),
            scratch: None,
        }
    }

    /// No OCR: documents that need it are stored and marked.
    pub fn disabled() -> Ocr {
        Ocr {
            tesseract: None,
            pdftoppm: None,
            languages: String::new(),
            why_not: "Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-rus)"
                .into(),
            scratch: None,
        }
    }

    /// Makes temporary copies of scans in `dir` (created when first needed) rather than
    /// the system's temporary folder: an archive keeps them inside its own private folder.
    pub fn with_scratch(mut self, dir: PathBuf) -> Ocr {
        self.scratch = Some(dir);
        self
    }

    /// A private (0700) temporary folder for one document's copies, removed when dropped.
    fn temp_dir(&self) -> Result<tempfile::TempDir, FormatError> {
        let made = match &self.scratch {
            Some(dir) => std::fs::create_dir_all(dir)
                .and_then(|()| crate::archive::make_private(dir, true))
                .and_then(|()| tempfile::Builder::new().prefix("ocr-").tempdir_in(dir)),
            None => tempfile::Builder::new().prefix("kartoteka-ocr-").tempdir(),
        };
        let dir = made.map_err(|e| FormatError::Ocr(format!("making a temporary folder: {e}")))?;
        crate::archive::make_private(dir.path(), true)
            .map_err(|e| FormatError::Ocr(e.to_string()))?;
        Ok(dir)
    }

    /// True when images can be read.
    pub fn available(&self) -> bool {
        self.tesseract.is_some()
    }

    /// Why OCR cannot run, for the ledger and the summary.
    pub fn why_not(&self) -> &str {
        &self.why_not
    }

    /// The languages Tesseract reads with ("rus+eng").
    pub fn languages(&self) -> &str {
        &self.languages
    }

    fn run(&self, image: &std::path::Path) -> Result<String, FormatError> {
        let tesseract = self
            .tesseract
            .as_ref()
            .ok_or_else(|| FormatError::Ocr(self.why_not.clone()))?;
        let mut command = Command::new(tesseract);
        command
            .arg(image)
            .arg("stdout")
            .args(["-l", &self.languages])
            .env("OMP_THREAD_LIMIT", "1");
        let out = run_bounded(command, "tesseract")?;
        if !out.status.success() {
            let msg = String::from_utf8_lossy(&out.stderr);
            return Err(FormatError::Ocr(format!(
                "tesseract failed: {}",
                msg.lines().last().unwrap_or("").trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Reads a scanned image (multi-page TIFFs give one page each).
    pub fn image(&self, bytes: &[u8]) -> Result<PagesRead, FormatError> {
        if !self.available() {
            return Ok(PagesRead {
                pages: Vec::new(),
                encoding: None,
                needs_ocr: true,
                title: None,
                paged: true,
            });
        }
        // A private folder (0700) and file (0600): the copy of a scan is as secret as
        // the scan.
        let dir = self.temp_dir()?;
        let image = dir.path().join("scan");
        write_private(&image, bytes)?;
        let text = self.run(&image)?;
        let mut pages: Vec<RawPage> = text
            .split('\u{000C}')
            .map(|p| RawPage {
                text: p.trim_end().to_string(),
                marked_sheet: None,
            })
            .collect();
        while pages.len() > 1 && pages.last().is_some_and(|p| p.text.trim().is_empty()) {
            pages.pop();
        }
        Ok(PagesRead {
            pages,
            encoding: None,
            needs_ocr: false,
            title: None,
            paged: true,
        })
    }

    /// Reads the given pages (1-based) of a PDF; `None` when OCR of PDFs is not possible.
    pub fn pdf_pages(&self, pdf: &[u8], pages: &[u32]) -> Result<Option<Vec<String>>, FormatError> {
        let (Some(_), Some(pdftoppm)) = (&self.tesseract, &self.pdftoppm) else {
            return Ok(None);
        };
        let dir = self.temp_dir()?;
        let input = dir.path().join("in.pdf");
        write_private(&input, pdf)?;
        let mut texts = Vec::with_capacity(pages.len());
        for &n in pages {
            let prefix = dir.path().join(format!("p{n}"));
            let mut command = Command::new(pdftoppm);
            command
                .args([
                    "-r",
                    "300",
                    "-gray",
                    "-png",
                    "-singlefile",
                    "-f",
                    &n.to_string(),
                    "-l",
                    &n.to_string(),
                ])
                .arg(&input)
                .arg(&prefix);
            let status = run_bounded(command, "pdftoppm")?.status;
            if !status.success() {
                return Err(FormatError::Ocr(format!(
                    "pdftoppm could not render page {n}"
                )));
            }
            texts.push(
                self.run(&prefix.with_extension("png"))?
                    .trim_end()
                    .to_string(),
            );
        }
        Ok(Some(texts))
    }
}

/// Writes a temporary copy only its owner can read.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), FormatError> {
    use std::io::Write;
    crate::archive::private_file(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| FormatError::Ocr(format!("writing a temporary copy: {e}")))
}
