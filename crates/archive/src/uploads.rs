//! Holdings that arrive as one zip file (the reading room's uploads): a folder of originals,
//! with an inventory CSV at its top if it has one, or a BagIt bag. The zip is unpacked
//! before anything is ingested, and refused whole if any entry would land outside the
//! folder it is unpacked into, is a link, or if it unpacks to far more than it weighs (a
//! zip bomb): a hostile upload writes nothing into the archive.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::ArchiveError;

/// How much an upload may unpack to.
#[derive(Clone, Copy, Debug)]
pub struct UnpackLimits {
    /// Entries (files and folders).
    pub max_entries: usize,
    /// Bytes unpacked, in all.
    pub max_bytes: u64,
    /// Bytes unpacked per byte of the zip, beyond the first 64 MiB.
    pub max_ratio: u64,
}

impl Default for UnpackLimits {
    fn default() -> UnpackLimits {
        UnpackLimits {
            max_entries: 200_000,
            max_bytes: 64 << 30,
            max_ratio: 200,
        }
    }
}

/// What an upload turned out to hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unpacked {
    /// A folder of originals, and the inventory at its top, if any.
    Folder {
        /// The folder.
        root: PathBuf,
        /// `opis.csv` or `inventory.csv` at its top.
        inventory: Option<PathBuf>,
    },
    /// A BagIt bag (a `bagit.txt` at its top).
    Bag(PathBuf),
}

fn refused(name: &str, why: impl Into<String>) -> ArchiveError {
    ArchiveError::BadTarget(name.to_string(), why.into())
}

/// Unpacks the zip at `zip` into the folder `into` (made; it must not exist) and says
/// what it holds. On any refusal the folder is removed again.
pub fn unpack_upload(
    zip: &Path,
    into: &Path,
    limits: UnpackLimits,
) -> Result<Unpacked, ArchiveError> {
    let shown = zip.display().to_string();
    let file = std::fs::File::open(zip).map_err(|e| refused(&shown, e.to_string()))?;
    let weight = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| refused(&shown, format!("not a zip file: {e}")))?;
    if archive.len() > limits.max_entries {
        return Err(refused(
            &shown,
            format!(
                "{} entries; at most {} are taken",
                archive.len(),
                limits.max_entries
            ),
        ));
    }
    std::fs::create_dir(into).map_err(|e| ArchiveError::Folder {
        path: into.to_path_buf(),
        message: e.to_string(),
    })?;
    let result = unpack_entries(&mut archive, into, weight, limits);
    if result.is_err() {
        let _ = std::fs::remove_dir_all(into);
    }
    result?;
    Ok(what_it_holds(into))
}

fn unpack_entries<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    into: &Path,
    weight: u64,
    limits: UnpackLimits,
) -> Result<(), ArchiveError> {
    let allowed = limits
        .max_bytes
        .min((64u64 << 20).saturating_add(weight.saturating_mul(limits.max_ratio)));
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| refused(&format!("entry {}", i + 1), e.to_string()))?;
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("entry {}", i + 1));
        let shown = kartoteka_model::excerpt(&name);
        if entry.is_symlink() {
            return Err(refused(
                &shown,
                "a link; an upload holds files and folders only",
            ));
        }
        // An absolute name, a drive, or a step up is refused, not quietly made relative:
        // whoever made such a zip meant it to land elsewhere.
        let climbs = name.starts_with(['/', '\\'])
            || name.get(1..2) == Some(":")
            || name.split(['/', '\\']).any(|part| part == "..");
        let Some(relative) = entry.enclosed_name().filter(|_| !climbs) else {
            return Err(refused(&shown, "its path leads outside the upload"));
        };
        let target = into.join(&relative);
        let io = |e: std::io::Error| refused(&shown, e.to_string());
        if entry.is_dir() {
            std::fs::create_dir_all(&target).map_err(io)?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .map_err(io)?;
        // Read one byte past what is still allowed: the declared size may lie.
        let left = allowed.saturating_sub(total);
        let copied = std::io::copy(&mut (&mut entry).take(left + 1), &mut out).map_err(io)?;
        total += copied;
        if total > allowed {
            return Err(refused(
                &shown,
                format!(
                    "the upload unpacks to more than {allowed} bytes ({weight} packed): refused as a zip bomb"
                ),
            ));
        }
    }
    Ok(())
}

/// A bag or a folder, at the top or in the one folder the zip holds.
fn what_it_holds(into: &Path) -> Unpacked {
    let mut root = into.to_path_buf();
    let entries: Vec<PathBuf> = std::fs::read_dir(into)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    if entries.len() == 1 && entries[0].is_dir() {
        root = entries[0].clone();
    }
    if root.join("bagit.txt").is_file() {
        return Unpacked::Bag(root);
    }
    let inventory = ["opis.csv", "inventory.csv"]
        .iter()
        .map(|n| root.join(n))
        .find(|p| p.is_file());
    Unpacked::Folder { root, inventory }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("upload.zip");
        let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        for (name, bytes) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
        (dir, path)
    }

    #[test]
    fn a_folder_with_its_inventory_and_a_bag_are_told_apart() {
        let (dir, zip) = zip_of(&[
            ("fonds/opis.csv", b"reference,path\n"),
            ("fonds/d1/l1.txt", b"text"),
        ]);
        let into = dir.path().join("out");
        let got = unpack_upload(&zip, &into, UnpackLimits::default()).unwrap();
        assert_eq!(
            got,
            Unpacked::Folder {
                root: into.join("fonds"),
                inventory: Some(into.join("fonds/opis.csv")),
            }
        );
        assert_eq!(
            std::fs::read(into.join("fonds/d1/l1.txt")).unwrap(),
            b"text"
        );

        let (dir, zip) = zip_of(&[("bagit.txt", b"BagIt-Version: 1.0\n"), ("data/a.txt", b"a")]);
        let into = dir.path().join("out");
        assert_eq!(
            unpack_upload(&zip, &into, UnpackLimits::default()).unwrap(),
            Unpacked::Bag(into.clone())
        );
    }

    /// A zip whose second entry is named `evil` as written (the writer would clean the
    /// name): made with a placeholder name of the same length, then patched.
    fn hostile_zip(evil: &str) -> (tempfile::TempDir, PathBuf) {
        let placeholder: String = "x".repeat(evil.len());
        let (dir, path) = zip_of(&[("ok.txt", b"fine"), (&placeholder, b"evil")]);
        let bytes = std::fs::read(&path).unwrap();
        let (from, to) = (placeholder.as_bytes(), evil.as_bytes());
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].starts_with(from) {
                out.extend_from_slice(to);
                i += from.len();
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        std::fs::write(&path, out).unwrap();
        (dir, path)
    }

    #[test]
    fn a_path_out_of_the_upload_is_refused_and_nothing_is_left() {
        for evil in ["../escaped.txt", "/etc/evil.txt", "a/../../escaped.txt"] {
            let (dir, zip) = hostile_zip(evil);
            let into = dir.path().join("out");
            let err = unpack_upload(&zip, &into, UnpackLimits::default()).unwrap_err();
            assert!(
                err.to_string().contains("outside the upload"),
                "{evil}: {err}"
            );
            assert!(
                !into.exists(),
                "{evil}: the half-unpacked folder is removed"
            );
            assert!(!dir.path().join("escaped.txt").exists());
        }
    }

    #[test]
    fn a_zip_bomb_and_a_file_that_is_not_a_zip_are_refused() {
        let zeros = vec![0u8; 4 << 20];
        let (dir, zip) = zip_of(&[("zeros.bin", &zeros)]);
        let into = dir.path().join("out");
        let limits = UnpackLimits {
            max_bytes: 1 << 20,
            ..UnpackLimits::default()
        };
        let err = unpack_upload(&zip, &into, limits).unwrap_err();
        assert!(err.to_string().contains("zip bomb"), "{err}");
        assert!(!into.exists());

        let not = dir.path().join("not.zip");
        std::fs::write(&not, b"PK but not really").unwrap();
        let err = unpack_upload(&not, &dir.path().join("o2"), UnpackLimits::default()).unwrap_err();
        assert!(err.to_string().contains("not a zip file"), "{err}");
    }
}
