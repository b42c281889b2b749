//! Validating a bag: structure, completeness, checksums.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use sha2::Digest as _;
use unicode_normalization::UnicodeNormalization;

use crate::tagfile::{self, Entry};
use crate::{hash_file, Algorithm, Problem};

/// How to validate.
#[derive(Clone, Debug, Default)]
pub struct ValidateOptions {
    /// Hashing threads; 0 means one per core.
    pub threads: usize,
}

/// A payload file of a valid bag.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PayloadFile {
    /// Its path as the manifests give it (`data/...`).
    pub path: String,
    /// Where it is on disk.
    pub disk: PathBuf,
    /// Its size.
    pub size: u64,
    /// Its SHA-256, when the bag has a SHA-256 manifest.
    pub sha256: Option<String>,
}

/// What validation found.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Report {
    /// Reasons the bag is invalid (RFC 8493 MUSTs broken). Empty for a valid bag.
    pub errors: Vec<Problem>,
    /// SHOULDs not followed; the bag is still valid.
    pub warnings: Vec<Problem>,
    /// The BagIt version declared.
    pub version: Option<(u32, u32)>,
    /// The `bag-info.txt` elements, in order.
    pub info: Vec<(String, String)>,
    /// Algorithms of the payload manifests.
    pub algorithms: Vec<Algorithm>,
    /// The payload files.
    pub payload: Vec<PayloadFile>,
    /// Bytes of payload.
    pub payload_bytes: u64,
    /// Bytes read and hashed (payload and tag files).
    pub hashed_bytes: u64,
    /// Seconds taken.
    pub seconds: f64,
    /// The bag's identity: the SHA-256 of its strongest payload manifest's bytes.
    pub bag_id: Option<String>,
}

impl Report {
    /// True when nothing the RFC requires is broken.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The values of a `bag-info.txt` label.
    pub fn info_values(&self, label: &str) -> Vec<&str> {
        self.info
            .iter()
            .filter(|(l, _)| l.eq_ignore_ascii_case(label))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A regular file found in the bag.
#[derive(Clone, Debug)]
struct Found {
    disk: PathBuf,
    size: u64,
    modified: Option<std::time::SystemTime>,
}

/// Lists the regular files under `dir`, keyed by their bag-relative path with `/`.
fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Found>, errors: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(Problem::bag(format!(
                "cannot read folder {}: {e}",
                dir.display()
            )));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(Problem::bag(format!(
                    "cannot read folder {}: {e}",
                    dir.display()
                )));
                continue;
            }
        };
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let Some(rel_text) = rel.to_str() else {
            errors.push(Problem::bag(format!(
                "file name {:?} is not valid Unicode; a manifest cannot name it",
                rel
            )));
            continue;
        };
        let rel_text = rel_text.replace(std::path::MAIN_SEPARATOR, "/");
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(Problem::in_file(&rel_text, format!("cannot be read: {e}")));
                continue;
            }
        };
        if meta.file_type().is_symlink() {
            errors.push(Problem::in_file(
                &rel_text,
                "is a symbolic link; a bag must hold its files, not point elsewhere",
            ));
        } else if meta.is_dir() {
            walk(root, &path, out, errors);
        } else if meta.is_file() {
            out.insert(
                rel_text,
                Found {
                    disk: path,
                    size: meta.len(),
                    modified: meta.modified().ok(),
                },
            );
        } else {
            errors.push(Problem::in_file(&rel_text, "is not a regular file"));
        }
    }
}

/// The most bytes `bagit.txt` may hold: two short lines.
const DECLARATION_LIMIT: u64 = 4096;
/// The most bytes a tag file (a manifest, bag-info.txt, fetch.txt) may hold: a manifest of
/// millions of files fits.
const TAG_FILE_LIMIT: u64 = 1 << 30;

/// Reads a file of the bag itself, only when it is a regular file inside the bag (not a
/// link that may lead anywhere, nor a device or a FIFO that would never end) and no larger
/// than `limit`. The reason it was refused, in words, otherwise.
fn read_own_file(root: &Path, name: &str, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;

    let path = root.join(name);
    let meta = std::fs::symlink_metadata(&path).map_err(|e| format!("cannot be read: {e}"))?;
    if meta.file_type().is_symlink() {
        return Err("is a symbolic link; a bag must hold its files, not point elsewhere".into());
    }
    if !meta.is_file() {
        return Err("is not a regular file (a folder, device or FIFO)".into());
    }
    if meta.len() > limit {
        return Err(format!(
            "is {} bytes; more than {limit} is refused",
            meta.len()
        ));
    }
    let file = std::fs::File::open(&path).map_err(|e| format!("cannot be read: {e}"))?;
    // Checked again on the open file, in case it was swapped since.
    let opened = file
        .metadata()
        .map_err(|e| format!("cannot be read: {e}"))?;
    if !opened.is_file() {
        return Err("is not a regular file (a folder, device or FIFO)".into());
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("grew past {limit} bytes while read"));
    }
    Ok(bytes)
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// A checksum a file must have: algorithm, hex digest, the manifest that says so.
type Want = (Algorithm, String, String);

/// A manifest as read.
struct Manifest {
    file: String,
    algorithm: Algorithm,
    entries: Vec<Entry>,
}

/// Reads and checks a bag. Never panics on what it reads; every problem lands in the report.
pub fn validate(root: &Path, options: &ValidateOptions, progress: &(dyn Fn(u64) + Sync)) -> Report {
    let started = Instant::now();
    let mut report = Report::default();
    check(root, options, progress, &mut report);
    report.seconds = started.elapsed().as_secs_f64();
    report
}

fn check(root: &Path, options: &ValidateOptions, progress: &(dyn Fn(u64) + Sync), r: &mut Report) {
    if !root.is_dir() {
        r.errors
            .push(Problem::bag(format!("{} is not a folder", root.display())));
        return;
    }
    // bagit.txt first: without it nothing else can be read.
    let declaration = match read_own_file(root, "bagit.txt", DECLARATION_LIMIT) {
        Ok(bytes) => match tagfile::parse_declaration(&bytes, &mut r.warnings) {
            Ok(d) => d,
            Err(problems) => {
                r.errors.extend(problems);
                return;
            }
        },
        Err(e) => {
            r.errors.push(Problem::in_file(
                "bagit.txt",
                format!("{e} (is this a bag?)"),
            ));
            return;
        }
    };
    r.version = Some(declaration.version);
    let encoding = declaration.encoding;

    // Everything in the bag, once.
    let mut files = BTreeMap::new();
    walk(root, root, &mut files, &mut r.errors);
    if !root.join("data").is_dir() {
        r.errors
            .push(Problem::bag("there is no data/ folder for the payload"));
    }
    let read_tag = |name: &str, r: &mut Report| -> Option<String> {
        let bytes = match read_own_file(root, name, TAG_FILE_LIMIT) {
            Ok(b) => b,
            Err(e) => {
                r.errors.push(Problem::in_file(name, e));
                return None;
            }
        };
        match tagfile::decode(&bytes, encoding, name, &mut r.warnings) {
            Ok(t) => Some(t),
            Err(p) => {
                r.errors.push(p);
                None
            }
        }
    };

    // Manifests.
    let mut payload_manifests = Vec::new();
    let mut tag_manifests = Vec::new();
    let mut manifest_bytes: Vec<(Algorithm, Vec<u8>)> = Vec::new();
    for name in files
        .keys()
        .filter(|k| !k.contains('/'))
        .cloned()
        .collect::<Vec<_>>()
    {
        let (tag, alg) = if let Some(rest) = name.strip_prefix("tagmanifest-") {
            (true, rest.strip_suffix(".txt"))
        } else if let Some(rest) = name.strip_prefix("manifest-") {
            (false, rest.strip_suffix(".txt"))
        } else {
            continue;
        };
        let Some(alg_name) = alg else { continue };
        let Some(algorithm) = Algorithm::from_name(alg_name) else {
            r.warnings.push(Problem::in_file(
                &name,
                format!("algorithm {alg_name:?} is not supported; this manifest was not checked"),
            ));
            continue;
        };
        if algorithm.is_weak() {
            r.warnings.push(Problem::in_file(
                &name,
                format!("{} is no longer safe against tampering; RFC 8493 recommends SHA-512 or SHA-256", algorithm.name()),
            ));
        }
        let Some(text) = read_tag(&name, r) else {
            continue;
        };
        if !tag {
            manifest_bytes.push((algorithm, text.as_bytes().to_vec()));
        }
        let (entries, problems) = tagfile::parse_manifest(&text, algorithm, &name, &mut r.warnings);
        r.errors.extend(problems);
        let m = Manifest {
            file: name,
            algorithm,
            entries,
        };
        if tag {
            tag_manifests.push(m);
        } else {
            payload_manifests.push(m);
        }
    }
    if payload_manifests.is_empty() {
        r.errors.push(Problem::bag(
            "there is no payload manifest (manifest-ALGORITHM.txt) this program can check",
        ));
    }
    manifest_bytes.sort_by_key(|(a, _)| std::cmp::Reverse(*a));
    r.bag_id = manifest_bytes
        .first()
        .map(|(_, b)| hex::encode(sha2::Sha256::digest(b)));
    r.algorithms = payload_manifests.iter().map(|m| m.algorithm).collect();

    // Payload on disk, with a second key in NFC for names stored in another normal form.
    let payload_on_disk: BTreeMap<&String, &Found> = files
        .iter()
        .filter(|(k, _)| k.starts_with("data/"))
        .collect();
    let mut by_nfc: HashMap<String, Vec<&String>> = HashMap::new();
    for k in payload_on_disk.keys() {
        by_nfc.entry(nfc(k)).or_default().push(k);
    }
    for (norm, names) in &by_nfc {
        if names.len() > 1 {
            r.errors.push(Problem::bag(format!(
                "{} files have names that differ only in Unicode normalisation ({norm:?}); no manifest can tell them apart",
                names.len()
            )));
        }
    }
    let mut lower: HashMap<String, Vec<&String>> = HashMap::new();
    for k in payload_on_disk.keys() {
        lower.entry(nfc(k).to_lowercase()).or_default().push(k);
    }
    for names in lower.values().filter(|n| n.len() > 1) {
        let mut names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        names.sort();
        r.warnings.push(Problem::bag(format!(
            "names that differ only in case will clash on Windows and macOS: {}",
            names.join(", ")
        )));
    }

    // fetch.txt: files to be fetched must be here, since this program does not fetch.
    let mut to_fetch = HashSet::new();
    if files.contains_key("fetch.txt") {
        if let Some(text) = read_tag("fetch.txt", r) {
            let (items, problems) = tagfile::parse_fetch(&text, "fetch.txt");
            r.errors.extend(problems);
            for item in items {
                if payload_on_disk.contains_key(&item.path) {
                    continue;
                }
                let listed = payload_manifests
                    .iter()
                    .any(|m| m.entries.iter().any(|e| e.path == item.path));
                if listed {
                    r.errors.push(Problem::at_line(
                        "fetch.txt",
                        item.line,
                        format!("the bag is incomplete: {} is still to be fetched from {} (Kartoteka does not fetch; fetch it first)", item.path, item.url),
                    ));
                } else {
                    // RFC 8493 wants every fetched file in every payload manifest; bags
                    // that list one nowhere exist (the conformance suite calls them
                    // valid), and what no manifest lists is not part of the payload.
                    r.warnings.push(Problem::at_line(
                        "fetch.txt",
                        item.line,
                        format!("{} is to be fetched from {} but no payload manifest lists it; it is not part of the payload and was ignored", item.path, item.url),
                    ));
                }
                to_fetch.insert(item.path);
            }
        }
    }

    // Each payload manifest against the payload: every file in every manifest, once.
    // `expect` maps a disk path to the checksums it must have.
    let mut expect: BTreeMap<String, Vec<Want>> = BTreeMap::new();
    for m in &payload_manifests {
        // Path as listed -> (line, checksum); NFC form -> path as listed.
        let mut listed: HashMap<String, (usize, &str)> = HashMap::new();
        let mut listed_nfc: HashMap<String, String> = HashMap::new();
        for e in &m.entries {
            if !e.path.starts_with("data/") {
                r.errors.push(Problem::at_line(
                    &m.file,
                    e.line,
                    format!(
                        "{} is not in data/; a payload manifest lists only payload files",
                        e.path
                    ),
                ));
                continue;
            }
            if let Some(&(first, checksum)) = listed.get(&e.path) {
                // The same file twice with the same checksum says nothing new: a warning.
                // With another checksum the manifest contradicts itself.
                listed_twice(
                    r,
                    Problem::at_line(&m.file, e.line, ""),
                    checksum == e.checksum,
                    format!("{} is listed twice (first on line {first})", e.path),
                );
                continue;
            }
            listed.insert(e.path.clone(), (e.line, &e.checksum));
            let norm = nfc(&e.path);
            if let Some(other) = listed_nfc.get(&norm) {
                listed_twice(
                    r,
                    Problem::at_line(&m.file, e.line, ""),
                    listed.get(other).is_some_and(|(_, c)| *c == e.checksum),
                    format!(
                        "{:?} and {other:?} are one name in two Unicode normal forms",
                        e.path
                    ),
                );
                continue;
            }
            listed_nfc.insert(norm.clone(), e.path.clone());
            let literal = e
                .literal
                .as_ref()
                .filter(|l| payload_on_disk.contains_key(l));
            let disk = if payload_on_disk.contains_key(&e.path) {
                Some(e.path.clone())
            } else if let Some(l) = literal {
                // A tool that did not percent-encode wrote the name as it is.
                r.warnings.push(Problem::at_line(
                    &m.file,
                    e.line,
                    format!(
                        "{l:?} is written as it is named on disk; RFC 8493 would write it {:?}",
                        tagfile::encode_path(l)
                    ),
                ));
                Some(l.clone())
            } else {
                match by_nfc.get(&norm).map(|v| v.as_slice()) {
                    Some([one]) => {
                        r.warnings.push(Problem::at_line(
                            &m.file,
                            e.line,
                            format!(
                                "{:?} is stored as {:?}: the same name in another Unicode normal form",
                                e.path, one
                            ),
                        ));
                        Some((*one).clone())
                    }
                    _ => None,
                }
            };
            match disk {
                Some(d) => expect.entry(d).or_default().push((
                    m.algorithm,
                    e.checksum.clone(),
                    m.file.clone(),
                )),
                None if to_fetch.contains(&e.path) => {}
                None => r.errors.push(Problem::at_line(
                    &m.file,
                    e.line,
                    format!("{} is listed but not in the bag", e.path),
                )),
            }
        }
        for k in payload_on_disk.keys() {
            let covered = expect
                .get(*k)
                .is_some_and(|v| v.iter().any(|(a, _, f)| *a == m.algorithm && *f == m.file));
            if !covered {
                r.errors.push(Problem::in_file(
                    k,
                    format!("is in the payload but not listed in {}", m.file),
                ));
            }
        }
    }

    // Tag manifests: tag files only, each present.
    let mut tag_expect: BTreeMap<String, Vec<Want>> = BTreeMap::new();
    let mut tag_listed = HashSet::new();
    for m in &tag_manifests {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for e in &m.entries {
            if e.path.starts_with("data/") {
                r.errors.push(Problem::at_line(
                    &m.file,
                    e.line,
                    format!(
                        "{} is a payload file; a tag manifest lists only tag files",
                        e.path
                    ),
                ));
                continue;
            }
            if let Some(checksum) = seen.insert(&e.path, &e.checksum) {
                listed_twice(
                    r,
                    Problem::at_line(&m.file, e.line, ""),
                    checksum == e.checksum,
                    format!("{} is listed twice", e.path),
                );
                continue;
            }
            if files.contains_key(&e.path) {
                tag_listed.insert(e.path.clone());
                tag_expect.entry(e.path.clone()).or_default().push((
                    m.algorithm,
                    e.checksum.clone(),
                    m.file.clone(),
                ));
            } else {
                r.errors.push(Problem::at_line(
                    &m.file,
                    e.line,
                    format!("{} is listed but not in the bag", e.path),
                ));
            }
        }
    }
    if !tag_manifests.is_empty() {
        for k in files.keys() {
            if !k.starts_with("data/") && !k.starts_with("tagmanifest-") && !tag_listed.contains(k)
            {
                r.warnings
                    .push(Problem::in_file(k, "is a tag file no tag manifest lists"));
            }
        }
    }

    // bag-info.txt.
    let payload_bytes: u64 = payload_on_disk.values().map(|f| f.size).sum();
    r.payload_bytes = payload_bytes;
    // Drafts before 0.96 called it package-info.txt.
    let info_file = if !files.contains_key("bag-info.txt")
        && declaration.version < (0, 96)
        && files.contains_key("package-info.txt")
    {
        "package-info.txt"
    } else {
        "bag-info.txt"
    };
    if files.contains_key(info_file) {
        if let Some(text) = read_tag(info_file, r) {
            let (info, problems) =
                tagfile::parse_info(&text, info_file, declaration.version, &mut r.warnings);
            r.errors.extend(problems);
            r.info = info;
        }
    } else {
        r.warnings.push(Problem::bag("there is no bag-info.txt"));
    }
    check_info(r, payload_bytes, payload_on_disk.len() as u64);

    // Checksums: every file once, with every algorithm any manifest wants for it.
    let mut jobs: Vec<(String, Found, Vec<Want>)> = expect
        .into_iter()
        .chain(tag_expect)
        .filter_map(|(k, wants)| files.get(&k).map(|f| (k, f.clone(), wants)))
        .collect();
    // Largest first, so that one big file does not finish alone at the end.
    jobs.sort_by_key(|(_, f, _)| std::cmp::Reverse(f.size));
    let threads = if options.threads == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    } else {
        options.threads
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Problem>> = Mutex::new(Vec::new());
    let hashed = std::sync::atomic::AtomicU64::new(0);
    let sha256s: Mutex<HashMap<String, String>> = Mutex::new(HashMap::new());
    std::thread::scope(|s| {
        for _ in 0..threads.min(jobs.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((path, found, wants)) = jobs.get(i) else { break };
                let mut algorithms: Vec<Algorithm> = wants.iter().map(|(a, _, _)| *a).collect();
                algorithms.sort();
                algorithms.dedup();
                let mut problems = Vec::new();
                match hash_file(&found.disk, &algorithms) {
                    Ok((digests, n)) => {
                        hashed.fetch_add(n, Ordering::Relaxed);
                        progress(n);
                        if n != found.size {
                            problems.push(Problem::in_file(
                                path,
                                format!("changed while the bag was being validated ({} bytes, then {n})", found.size),
                            ));
                        }
                        for (alg, want, file) in wants {
                            let got = digests.iter().find(|(a, _)| a == alg).map(|(_, d)| d.as_str());
                            if got != Some(want.as_str()) {
                                problems.push(Problem::in_file(
                                    path,
                                    format!("{} checksum does not match {file}: the file gives {}, the manifest says {want}", alg.name(), got.unwrap_or("nothing")),
                                ));
                            }
                            if *alg == Algorithm::Sha256 {
                                if let Some(d) = got {
                                    sha256s.lock().unwrap_or_else(|p| p.into_inner()).insert(path.clone(), d.to_string());
                                }
                            }
                        }
                    }
                    Err(e) => problems.push(Problem::in_file(path, format!("cannot be read: {e}"))),
                }
                if !problems.is_empty() {
                    results.lock().unwrap_or_else(|p| p.into_inner()).extend(problems);
                }
            });
        }
    });
    let mut checksum_problems = results.into_inner().unwrap_or_else(|p| p.into_inner());
    checksum_problems.sort_by(|a, b| a.file.cmp(&b.file));
    r.errors.extend(checksum_problems);
    r.hashed_bytes = hashed.into_inner();

    // A bag still being written: files appear, vanish or change size while we read.
    let mut after = BTreeMap::new();
    let mut ignored = Vec::new();
    walk(root, root, &mut after, &mut ignored);
    let before_keys: Vec<&String> = files.keys().collect();
    let after_keys: Vec<&String> = after.keys().collect();
    if before_keys != after_keys {
        let appeared: Vec<&&String> = after_keys
            .iter()
            .filter(|k| !files.contains_key(**k))
            .collect();
        let vanished: Vec<&&String> = before_keys
            .iter()
            .filter(|k| !after.contains_key(**k))
            .collect();
        r.errors.push(Problem::bag(format!(
            "the bag changed while it was being validated (appeared: {appeared:?}; vanished: {vanished:?}); wait until it is complete"
        )));
    } else {
        for (k, f) in &files {
            let a = &after[k];
            if a.size != f.size || a.modified != f.modified {
                r.errors.push(Problem::in_file(
                    k,
                    "changed while the bag was being validated",
                ));
            }
        }
    }

    let sha256s = sha256s.into_inner().unwrap_or_else(|p| p.into_inner());
    r.payload = payload_on_disk
        .iter()
        .map(|(k, f)| PayloadFile {
            path: (*k).clone(),
            disk: f.disk.clone(),
            size: f.size,
            sha256: sha256s.get(*k).cloned(),
        })
        .collect();
}

/// A file a manifest lists twice (as written, or in two Unicode normal forms): with one
/// checksum it says nothing new, a warning; with two the manifest contradicts itself.
fn listed_twice(r: &mut Report, at: Problem, same_checksum: bool, what: String) {
    let (list, message) = if same_checksum {
        (&mut r.warnings, format!("{what} with the same checksum"))
    } else {
        (&mut r.errors, format!("{what} with different checksums"))
    };
    list.push(Problem { message, ..at });
}

fn check_info(r: &mut Report, bytes: u64, count: u64) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (label, _) in &r.info {
        *seen.entry(label.to_ascii_lowercase()).or_default() += 1;
    }
    for label in [
        "Bagging-Date",
        "Bag-Size",
        "Payload-Oxum",
        "Bag-Group-Identifier",
        "Bag-Count",
    ] {
        if seen.get(&label.to_ascii_lowercase()).copied().unwrap_or(0) > 1 {
            r.warnings.push(Problem::in_file(
                "bag-info.txt",
                format!("{label} appears more than once"),
            ));
        }
    }
    let oxum: Vec<String> = r
        .info_values("Payload-Oxum")
        .into_iter()
        .map(str::to_string)
        .collect();
    for value in oxum {
        let parsed = value.split_once('.').and_then(|(a, b)| {
            Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?))
        });
        match parsed {
            Some((b, n)) if (b, n) == (bytes, count) => {}
            Some((b, n)) => r.errors.push(Problem::in_file(
                "bag-info.txt",
                format!("Payload-Oxum says {b} bytes in {n} files; the payload has {bytes} bytes in {count} files"),
            )),
            None => r.errors.push(Problem::in_file(
                "bag-info.txt",
                format!("Payload-Oxum {value:?} is not OCTETCOUNT.STREAMCOUNT"),
            )),
        }
    }
    let dates: Vec<String> = r
        .info_values("Bagging-Date")
        .into_iter()
        .map(str::to_string)
        .collect();
    for value in dates {
        let ok = value.len() == 10
            && value.bytes().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !ok {
            let msg = format!("Bagging-Date {value:?} is not YYYY-MM-DD");
            r.warnings.push(Problem::in_file("bag-info.txt", msg));
        }
    }
}
