//! Writing a bag, whole or not at all.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::tagfile::{check_path, encode_path};
use crate::{Algorithm, MultiHasher};

/// Why a bag could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The destination is already there.
    #[error("{0} already exists; choose a new folder for the bag")]
    Exists(PathBuf),
    /// A path given for the bag is unsafe or not a payload path.
    #[error("bad path in bag: {0}")]
    BadPath(String),
    /// Two files were given the same path.
    #[error("{0} was added twice")]
    Duplicate(String),
    /// Reading a source or writing the bag failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a bag into a hidden folder beside `dest`, then renames it to `dest` in
/// [`BagWriter::finish`]. Dropping the writer before then removes the partial bag.
pub struct BagWriter {
    dest: PathBuf,
    work: PathBuf,
    algorithms: Vec<Algorithm>,
    payload: Vec<(String, Vec<(Algorithm, String)>)>,
    tags: Vec<String>,
    paths: std::collections::HashSet<String>,
    bytes: u64,
    finished: bool,
}

/// Removes `.NAME.partial-PID` folders that a killed writer of the same bag left, when
/// that process is known to be gone (Linux's /proc says so); elsewhere they are left.
fn clear_abandoned(parent: &Path, name: &str) {
    let proc_fs = Path::new("/proc/self");
    if !proc_fs.exists() {
        return;
    }
    let prefix = format!(".{name}.partial-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = file
            .strip_prefix(&prefix)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        if !alive && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

impl BagWriter {
    /// Starts a bag at `dest` (which must not exist) with manifests for `algorithms`.
    pub fn create(dest: &Path, algorithms: &[Algorithm]) -> Result<BagWriter, WriteError> {
        if dest.exists() {
            return Err(WriteError::Exists(dest.to_path_buf()));
        }
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bag".into());
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        clear_abandoned(parent, &name);
        let work = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if work.exists() {
            std::fs::remove_dir_all(&work).map_err(io(&work))?;
        }
        std::fs::create_dir_all(work.join("data")).map_err(io(&work))?;
        Ok(BagWriter {
            dest: dest.to_path_buf(),
            work,
            algorithms: algorithms.to_vec(),
            payload: Vec::new(),
            tags: Vec::new(),
            paths: Default::default(),
            bytes: 0,
            finished: false,
        })
    }

    fn target(&mut self, rel: &str) -> Result<PathBuf, WriteError> {
        check_path(rel).map_err(WriteError::BadPath)?;
        if !self.paths.insert(rel.to_string()) {
            return Err(WriteError::Duplicate(rel.to_string()));
        }
        let path = self.work.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        Ok(path)
    }

    /// Copies a payload file into the bag at `rel` (which starts with `data/`), hashing it
    /// on the way.
    pub fn add_payload(&mut self, rel: &str, source: &mut dyn Read) -> Result<(), WriteError> {
        if !rel.starts_with("data/") {
            return Err(WriteError::BadPath(format!("{rel:?} is not under data/")));
        }
        let path = self.target(rel)?;
        let mut out = std::fs::File::create(&path).map_err(io(&path))?;
        let mut hasher = MultiHasher::new(&self.algorithms);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io(&path)(e)),
            };
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io(&path))?;
        }
        out.sync_all().map_err(io(&path))?;
        let (digests, n) = hasher.finish();
        self.bytes += n;
        self.payload.push((rel.to_string(), digests));
        Ok(())
    }

    /// Adds a tag file (outside `data/`), listed in the tag manifests.
    pub fn add_tag_file(&mut self, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
        if rel.starts_with("data/")
            || rel == "bagit.txt"
            || rel == "bag-info.txt"
            || rel.starts_with("manifest-")
            || rel.starts_with("tagmanifest-")
        {
            return Err(WriteError::BadPath(format!(
                "{rel:?} is reserved or payload"
            )));
        }
        let path = self.target(rel)?;
        write_synced(&path, bytes)?;
        self.tags.push(rel.to_string());
        Ok(())
    }

    /// Payload bytes and files so far.
    pub fn oxum(&self) -> (u64, u64) {
        (self.bytes, self.payload.len() as u64)
    }

    /// Writes `bagit.txt`, the manifests, `bag-info.txt` (with `info` plus Payload-Oxum and
    /// Bag-Size) and the tag manifests, then moves the bag into place.
    pub fn finish(mut self, info: &[(String, String)]) -> Result<PathBuf, WriteError> {
        let work = self.work.clone();
        let (bytes, count) = self.oxum();
        let mut tag_files = Vec::new();
        for (name, text) in
            required_tag_files(&mut self.payload, &self.algorithms, info, bytes, count)
        {
            write_synced(&work.join(&name), text.as_bytes())?;
            tag_files.push(name);
        }
        tag_files.extend(self.tags.iter().cloned());
        for alg in &self.algorithms {
            let mut text = String::new();
            for name in &tag_files {
                let (digests, _) =
                    crate::hash_file(&work.join(name), &[*alg]).map_err(io(&work.join(name)))?;
                text.push_str(&manifest_line(&digests[0].1, name));
            }
            write_synced(
                &work.join(format!("tagmanifest-{}.txt", alg.name())),
                text.as_bytes(),
            )?;
        }
        std::fs::rename(&work, &self.dest).map_err(io(&self.dest))?;
        self.finished = true;
        Ok(self.dest.clone())
    }
}

/// A manifest's line: the digest, two spaces, the path encoded as RFC 8493 says.
fn manifest_line(digest: &str, path: &str) -> String {
    format!("{digest}  {}\n", encode_path(path))
}

/// `bagit.txt`, a payload manifest per algorithm and `bag-info.txt` (with `info` plus
/// Bag-Size and Payload-Oxum), by name, in that order; the payload sorted by path.
fn required_tag_files(
    payload: &mut [(String, Vec<(Algorithm, String)>)],
    algorithms: &[Algorithm],
    info: &[(String, String)],
    bytes: u64,
    count: u64,
) -> Vec<(String, String)> {
    let mut files = vec![(
        "bagit.txt".to_string(),
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_string(),
    )];
    payload.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, alg) in algorithms.iter().enumerate() {
        let mut text = String::new();
        for (path, digests) in payload.iter() {
            text.push_str(&manifest_line(&digests[i].1, path));
        }
        files.push((format!("manifest-{}.txt", alg.name()), text));
    }
    let mut text = String::new();
    for (label, value) in info {
        let value = value.replace(['\r', '\n'], " ");
        text.push_str(&format!("{label}: {value}\n"));
    }
    text.push_str(&format!("Bag-Size: {}\n", human_size(bytes)));
    text.push_str(&format!("Payload-Oxum: {bytes}.{count}\n"));
    files.push(("bag-info.txt".to_string(), text));
    files
}

/// A whole bag made in memory, for packing it into an archive file without writing it
/// out first: `payload` (paths under `data/`), `tags` (other tag files, listed in the tag
/// manifests), and the files BagIt requires made from them. Returns every file of the
/// bag by its path, the payload first, the tag manifests last. The same checks as
/// [`BagWriter`]: safe paths, each once, payload under `data/`, no reserved tag name.
pub fn bag_in_memory(
    payload: Vec<(String, Vec<u8>)>,
    tags: Vec<(String, Vec<u8>)>,
    info: &[(String, String)],
    algorithms: &[Algorithm],
) -> Result<Vec<(String, Vec<u8>)>, WriteError> {
    let mut seen = std::collections::HashSet::new();
    let mut digests = Vec::with_capacity(payload.len());
    let mut bytes = 0u64;
    for (path, data) in &payload {
        if !path.starts_with("data/") {
            return Err(WriteError::BadPath(format!("{path:?} is not under data/")));
        }
        check_path(path).map_err(WriteError::BadPath)?;
        if !seen.insert(path.clone()) {
            return Err(WriteError::Duplicate(path.clone()));
        }
        let mut hasher = MultiHasher::new(algorithms);
        hasher.update(data);
        let (d, n) = hasher.finish();
        bytes += n;
        digests.push((path.clone(), d));
    }
    for (path, _) in &tags {
        if path.starts_with("data/")
            || path == "bagit.txt"
            || path == "bag-info.txt"
            || path.starts_with("manifest-")
            || path.starts_with("tagmanifest-")
        {
            return Err(WriteError::BadPath(format!(
                "{path:?} is reserved or payload"
            )));
        }
        check_path(path).map_err(WriteError::BadPath)?;
        if !seen.insert(path.clone()) {
            return Err(WriteError::Duplicate(path.clone()));
        }
    }
    let count = payload.len() as u64;
    let mut out = payload;
    let required = required_tag_files(&mut digests, algorithms, info, bytes, count);
    let mut listed: Vec<(String, Vec<u8>)> = required
        .into_iter()
        .map(|(name, text)| (name, text.into_bytes()))
        .collect();
    listed.extend(tags);
    for alg in algorithms {
        let mut text = String::new();
        for (name, data) in &listed {
            let mut hasher = MultiHasher::new(&[*alg]);
            hasher.update(data);
            text.push_str(&manifest_line(&hasher.finish().0[0].1, name));
        }
        out.push((format!("tagmanifest-{}.txt", alg.name()), text.into_bytes()));
    }
    // The tag manifests go last; the files they list before them.
    let manifests = out.split_off(out.len() - algorithms.len());
    out.extend(listed);
    out.extend(manifests);
    Ok(out)
}

impl Drop for BagWriter {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.work);
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let mut f = std::fs::File::create(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// A size as people write it: 1.4 MB.
fn human_size(bytes: u64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}
