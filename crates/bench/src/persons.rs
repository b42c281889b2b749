//! Person mentions in Russian news, measured only where nothing was tuned: the held-out
//! quarter of the factRuEval-2016 devset (exact character spans of Person objects) and the
//! Russian documents of bsnlp-2021 (the set of distinct person mentions a document
//! contains, which is how that task is annotated), next to natasha in the same run.
//!
//! The split is fixed by a hash of each file's name, so it does not move when files are
//! added or listed in another order. Error listings are written for the tuning part only:
//! the held-out part and bsnlp are read as counts, never as errors.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context};
use kartoteka_extract::{MentionKind, PersonTagger};

use crate::{median, runs};

/// The bsnlp-2021 topic the tagger may be trained on and its errors read.
pub const BSNLP_TUNING: &str = "asia_bibi";
/// The bsnlp-2021 topic scored as counts only.
pub const BSNLP_HELD_OUT: &str = "brexit";

/// A text and the character spans of the persons in it.
pub type Example = (String, Vec<(usize, usize)>);

/// Precision, recall and F1.
pub type Scores = (f64, f64, f64);

/// Which part of the factRuEval devset a document belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Rules and the learned tagger may be fitted to it, and its errors read.
    Tuning,
    /// Scored as counts only.
    HeldOut,
}

/// The part of the devset a file belongs to: a quarter held out, by FNV-1a of its stem.
pub fn part_of(path: &Path) -> Part {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in stem.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    if h.is_multiple_of(4) {
        Part::HeldOut
    } else {
        Part::Tuning
    }
}

/// A document of the devset: its file, text and the character spans of its persons.
pub struct Annotated {
    pub file: PathBuf,
    pub text: String,
    pub persons: HashSet<(usize, usize)>,
}

/// Person objects of a factRuEval-2016 document, as (start, end) character spans: from
/// the first character of the object's first span to the last of its last.
fn fact_ru_eval_persons(txt: &Path) -> anyhow::Result<HashSet<(usize, usize)>> {
    let spans_text = std::fs::read_to_string(txt.with_extension("spans"))?;
    let mut spans = HashMap::new();
    for line in spans_text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() >= 4 {
            if let (Ok(s), Ok(n)) = (parts[2].parse::<usize>(), parts[3].parse::<usize>()) {
                spans.insert(parts[0].to_string(), (s, s + n));
            }
        }
    }
    let mut out = HashSet::new();
    for line in std::fs::read_to_string(txt.with_extension("objects"))?.lines() {
        let head: Vec<&str> = line
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if head.len() >= 3 && head[1] == "Person" {
            let ss: Vec<(usize, usize)> = head[2..]
                .iter()
                .filter_map(|s| spans.get(*s).copied())
                .collect();
            if let (Some(a), Some(b)) = (ss.iter().map(|s| s.0).min(), ss.iter().map(|s| s.1).max())
            {
                out.insert((a, b));
            }
        }
    }
    Ok(out)
}

/// The devset's documents of one part, in file-name order.
pub fn fact_ru_eval(dir: &Path, part: Part) -> anyhow::Result<Vec<Annotated>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "txt")
                && p.with_extension("objects").exists()
                && part_of(p) == part
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file)?;
            let persons = fact_ru_eval_persons(&file)?;
            Ok(Annotated {
                file,
                text,
                persons,
            })
        })
        .collect()
}

/// A bsnlp-2021 document: its text (the title and body, without the four header lines)
/// and the distinct forms of persons it mentions.
pub struct Listed {
    pub text: String,
    pub persons: BTreeSet<String>,
}

/// A bsnlp-2021 raw file's title and body: the four header lines (id, language, date,
/// address) dropped, lines joined by a newline.
fn body(raw: &str) -> String {
    raw.trim_start_matches('\u{feff}')
        .lines()
        .skip(4)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Silver training data: natasha's person spans (`bench/natasha_silver.py`, kept in
/// `crates/bench/data/silver_persons.tsv`) on the Russian news of the bsnlp topics that
/// have no Russian annotation and are in no test. A span whose text is not the form
/// written beside it (a file changed since) is left out.
pub fn silver(bsnlp: &Path) -> anyhow::Result<Vec<Example>> {
    let listing = include_str!("../data/silver_persons.tsv");
    let mut by_file: std::collections::BTreeMap<&str, Vec<(usize, usize, &str)>> =
        std::collections::BTreeMap::new();
    for line in listing.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if let [file, start, end, form] = cols[..] {
            if let (Ok(a), Ok(b)) = (start.parse(), end.parse()) {
                by_file.entry(file).or_default().push((a, b, form));
            }
        }
    }
    let mut out = Vec::new();
    for (file, spans) in by_file {
        let Some((topic, name)) = file.split_once('/') else {
            continue;
        };
        let path = bsnlp.join(topic).join("raw/ru").join(name);
        let raw = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let text = body(&raw);
        let chars: Vec<char> = text.chars().collect();
        let spans = spans
            .into_iter()
            .filter(|&(a, b, form)| {
                a < b
                    && b <= chars.len()
                    && chars[a..b]
                        .iter()
                        .map(|&c| if c == '\t' || c == '\n' { ' ' } else { c })
                        .eq(form.chars())
            })
            .map(|(a, b, _)| (a, b))
            .collect();
        out.push((text, spans));
    }
    Ok(out)
}

/// The Russian annotated documents of every bsnlp-2021 topic under `dir`.
pub fn bsnlp_russian(dir: &Path) -> anyhow::Result<Vec<Listed>> {
    let mut out = Vec::new();
    let mut topics: Vec<PathBuf> = if dir.join("annotated").is_dir() {
        vec![dir.to_path_buf()]
    } else {
        std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .flatten()
            .map(|e| e.path())
            .collect()
    };
    topics.sort();
    for topic in topics {
        let annotated = topic.join("annotated/ru");
        let Ok(entries) = std::fs::read_dir(&annotated) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let raw = topic.join("raw/ru").join(format!("{stem}.txt"));
            let Ok(raw) = std::fs::read_to_string(&raw) else {
                continue;
            };
            let text = body(&raw);
            let listing = std::fs::read_to_string(&file)?;
            let persons = listing
                .trim_start_matches('\u{feff}')
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let cols: Vec<&str> = line.split('\t').collect();
                    (cols.len() >= 3 && cols[2].trim() == "PER").then(|| cols[0].trim().to_string())
                })
                .collect();
            out.push(Listed { text, persons });
        }
    }
    Ok(out)
}

/// The tagger measured: the embedded one, or none with `KARTOTEKA_RULES_ONLY=1` (to see
/// what it adds over the rules).
fn tagger() -> Option<&'static PersonTagger> {
    if std::env::var_os("KARTOTEKA_RULES_ONLY").is_some() {
        None
    } else {
        kartoteka_extract::default_tagger()
    }
}

/// `train-persons DEVSET OUT`: trains the person tagger on the tuning part of the devset
/// and writes it to OUT (crates/extract/data/persons.tagger is the embedded one).
pub fn train(devset: &Path, bsnlp: &Path, out: &Path, epochs: usize) -> anyhow::Result<()> {
    let tuning = fact_ru_eval(devset, Part::Tuning)?;
    let listed = bsnlp_russian(&bsnlp.join(BSNLP_TUNING))?;
    let silver = silver(bsnlp)?;
    let examples = all_training(training_examples(&tuning, &listed), &silver);
    let started = Instant::now();
    let model = PersonTagger::train(&examples, epochs);
    let bytes = model.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "trained on {} documents ({} of bsnlp's {BSNLP_TUNING}, {} silver), {epochs} epochs, in {:.1} s: {} features, {} bytes -> {}",
        examples.len(),
        listed.len(),
        silver.len(),
        started.elapsed().as_secs_f64(),
        model.len(),
        bytes.len(),
        out.display()
    );
    Ok(())
}

/// `cv-persons DEVSET`: four-fold cross-validation inside the tuning part (train on three
/// folds, score exact spans on the fourth), next to the rules alone: the figure to design
/// the tagger by, so that the held-out part is read only to report.
pub fn cross_validate(devset: &Path, bsnlp: &Path, epochs: usize) -> anyhow::Result<()> {
    let tuning = fact_ru_eval(devset, Part::Tuning)?;
    let listed = bsnlp_russian(&bsnlp.join(BSNLP_TUNING))?;
    let all = training_examples(&tuning, &listed);
    let silver = if std::env::var_os("KARTOTEKA_NO_SILVER").is_some() {
        Vec::new()
    } else {
        silver(bsnlp)?
    };
    let (mut rules, mut learned) = ([0usize; 3], [0usize; 3]);
    let mut errors: Vec<Errors> = Vec::new();
    for fold in 0..4 {
        let examples: Vec<(&str, Vec<(usize, usize)>)> = all
            .iter()
            .enumerate()
            .filter(|(k, _)| k % 4 != fold)
            .map(|(_, d)| d.clone())
            .chain(silver.iter().map(|(t, s)| (t.as_str(), s.clone())))
            .collect();
        let model = PersonTagger::train(&examples, epochs);
        for (k, (text, gold)) in all.iter().enumerate().filter(|(k, _)| k % 4 == fold) {
            let gold: HashSet<(usize, usize)> = gold.iter().copied().collect();
            for (tally, tagger) in [(&mut rules, None), (&mut learned, Some(&model))] {
                let pred: HashSet<(usize, usize)> = kartoteka_extract::extract_with(text, tagger)
                    .mentions
                    .into_iter()
                    .filter(|m| m.kind == MentionKind::Person)
                    .map(|m| (m.start, m.end))
                    .collect();
                tally[0] += pred.intersection(&gold).count();
                tally[1] += pred.len();
                tally[2] += gold.len();
                if tagger.is_some() {
                    errors.push((format!("example {k}"), text, gold.clone(), pred));
                }
            }
        }
    }
    for (who, t) in [("rules", rules), ("tagger", learned)] {
        let (p, r, f) = prf(t[0], t[1], t[2]);
        println!("  {who:<7} F1 {f:.3}  precision {p:.3}  recall {r:.3}");
    }
    if let Some(path) = std::env::var_os("KARTOTEKA_BENCH_ERRORS") {
        write_person_errors(Path::new(&path), &errors)?;
    }
    Ok(())
}

/// The character spans where a document's listed person forms occur as whole words,
/// longest forms first: bsnlp lists forms, not places, so this is how its documents are
/// turned into training examples.
fn projected(d: &Listed) -> Vec<(usize, usize)> {
    let chars: Vec<char> = d.text.chars().collect();
    let mut forms: Vec<Vec<char>> = d.persons.iter().map(|p| p.chars().collect()).collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    let mut taken = vec![false; chars.len()];
    let mut out = Vec::new();
    let boundary = |k: Option<&char>| k.is_none_or(|c| !c.is_alphanumeric());
    for form in forms.iter().filter(|f| !f.is_empty()) {
        let mut k = 0;
        while k + form.len() <= chars.len() {
            let end = k + form.len();
            if chars[k..end] == form[..]
                && boundary(k.checked_sub(1).and_then(|j| chars.get(j)))
                && boundary(chars.get(end))
                && !taken[k..end].iter().any(|&t| t)
            {
                taken[k..end].iter_mut().for_each(|t| *t = true);
                out.push((k, end));
                k = end;
            } else {
                k += 1;
            }
        }
    }
    out
}

/// The gold training examples: the devset's tuning part, and bsnlp-2021's tuning topic
/// with its forms placed in the text.
pub fn training_examples<'a>(
    tuning: &'a [Annotated],
    listed: &'a [Listed],
) -> Vec<(&'a str, Vec<(usize, usize)>)> {
    tuning
        .iter()
        .map(|d| (d.text.as_str(), d.persons.iter().copied().collect()))
        .chain(listed.iter().map(|d| (d.text.as_str(), projected(d))))
        .collect()
}

/// Everything the shipped tagger is trained on: the gold examples, then the silver ones.
pub fn all_training<'a>(
    gold: Vec<(&'a str, Vec<(usize, usize)>)>,
    silver: &'a [(String, Vec<(usize, usize)>)],
) -> Vec<(&'a str, Vec<(usize, usize)>)> {
    gold.into_iter()
        .chain(silver.iter().map(|(t, s)| (t.as_str(), s.clone())))
        .collect()
}

/// Precision, recall and F1 from true positives, predicted and wanted counts.
fn prf(tp: usize, predicted: usize, gold: usize) -> (f64, f64, f64) {
    let p = tp as f64 / predicted.max(1) as f64;
    let r = tp as f64 / gold.max(1) as f64;
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

fn person_spans(text: &str, tagger: Option<&PersonTagger>) -> HashSet<(usize, usize)> {
    kartoteka_extract::extract_with(text, tagger)
        .mentions
        .into_iter()
        .filter(|m| m.kind == MentionKind::Person)
        .map(|m| (m.start, m.end))
        .collect()
}

/// Exact-span precision, recall and F1 over documents with a tagger (or the rules alone),
/// and the predictions.
pub fn score_spans(
    docs: &[Annotated],
    tagger: Option<&PersonTagger>,
) -> (Scores, Vec<HashSet<(usize, usize)>>) {
    let predictions: Vec<HashSet<(usize, usize)>> =
        docs.iter().map(|d| person_spans(&d.text, tagger)).collect();
    let (mut tp, mut predicted, mut gold) = (0, 0, 0);
    for (pred, d) in predictions.iter().zip(docs) {
        predicted += pred.len();
        gold += d.persons.len();
        tp += pred.intersection(&d.persons).count();
    }
    (prf(tp, predicted, gold), predictions)
}

/// Precision, recall and F1 over the distinct person forms of each document.
pub fn score_forms(docs: &[Listed], tagger: Option<&PersonTagger>) -> (f64, f64, f64) {
    let (mut tp, mut predicted, mut gold) = (0, 0, 0);
    for d in docs {
        let pred: BTreeSet<String> = kartoteka_extract::extract_with(&d.text, tagger)
            .mentions
            .into_iter()
            .filter(|m| m.kind == MentionKind::Person)
            .map(|m| m.text)
            .collect();
        predicted += pred.len();
        gold += d.persons.len();
        tp += pred.intersection(&d.persons).count();
    }
    prf(tp, predicted, gold)
}

/// Characters per second of the extractor over texts, median of runs, on one core.
fn throughput<'a>(texts: impl Iterator<Item = &'a str> + Clone) -> f64 {
    let chars: usize = texts.clone().map(|t| t.chars().count()).sum();
    let mut times = Vec::new();
    for _ in 0..runs() {
        let started = Instant::now();
        for t in texts.clone() {
            std::hint::black_box(kartoteka_extract::extract_with(t, tagger()));
        }
        times.push(started.elapsed().as_secs_f64());
    }
    chars as f64 / median(times)
}

/// natasha's scores on the same documents, from `bench/natasha_persons.py`.
fn natasha(mode: &str, dir: &Path) -> anyhow::Result<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/natasha_persons.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(mode)
        .arg(dir)
        .env("OMP_NUM_THREADS", "1")
        .env("MKL_NUM_THREADS", "1")
        .output()
        .context("running python3")?;
    if !out.status.success() {
        bail!(
            "natasha did not run (pip install natasha): {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn line(who: &str, (p, r, f): (f64, f64, f64), speed: f64) {
    println!(
        "  {who:<10} F1 {f:.3}  precision {p:.3}  recall {r:.3}  {speed:.0} chars/s on one core"
    );
}

fn peer_line(v: &serde_json::Value, ours: f64, speed: f64) {
    let f = v["f1"].as_f64().unwrap_or(0.0);
    let ns = v["chars_per_second"].as_f64().unwrap_or(0.0);
    line(
        "natasha",
        (
            v["precision"].as_f64().unwrap_or(0.0),
            v["recall"].as_f64().unwrap_or(0.0),
            f,
        ),
        ns,
    );
    println!(
        "  F1 difference (kartoteka - natasha): {:+.3} (target > -0.01); throughput ratio {:.1}x (target 20x)",
        ours - f,
        speed / ns.max(1.0)
    );
}

/// `persons [DEVSET [BSNLP]]`: the held-out quarter of the devset and bsnlp-2021's Russian
/// documents, each next to natasha; with `KARTOTEKA_BENCH_ERRORS=FILE`, the tuning part's
/// errors are written to FILE.
pub fn persons(devset: &Path, bsnlp: &Path) -> anyhow::Result<()> {
    let tuning = fact_ru_eval(devset, Part::Tuning)?;
    let held_out = fact_ru_eval(devset, Part::HeldOut)?;
    if let Some(path) = std::env::var_os("KARTOTEKA_BENCH_ERRORS") {
        let (scores, predictions) = score_spans(&tuning, tagger());
        println!(
            "tuning part ({} documents): F1 {:.3}",
            tuning.len(),
            scores.2
        );
        let docs: Vec<Errors> = tuning
            .iter()
            .zip(predictions)
            .map(|(d, pred)| {
                debug_assert_eq!(part_of(&d.file), Part::Tuning);
                let name = d.file.file_name().map(|n| n.to_string_lossy().into_owned());
                (
                    name.unwrap_or_default(),
                    d.text.as_str(),
                    d.persons.clone(),
                    pred,
                )
            })
            .collect();
        write_person_errors(Path::new(&path), &docs)?;
    }
    let gold: usize = held_out.iter().map(|d| d.persons.len()).sum();
    let chars: usize = held_out.iter().map(|d| d.text.chars().count()).sum();
    println!(
        "persons, factRuEval-2016 devset, held-out quarter ({} documents, {chars} characters, {gold} Person objects), exact spans",
        held_out.len()
    );
    let (scores, _) = score_spans(&held_out, tagger());
    let speed = throughput(held_out.iter().map(|d| d.text.as_str()));
    line("kartoteka", scores, speed);
    // natasha reads the held-out files from a folder of their own.
    let scratch = tempfile::tempdir()?;
    for d in &held_out {
        for ext in ["txt", "spans", "objects"] {
            let from = d.file.with_extension(ext);
            if let Some(name) = from.file_name() {
                std::fs::copy(&from, scratch.path().join(name))?;
            }
        }
    }
    match natasha("factrueval", scratch.path()) {
        Ok(v) => peer_line(&v, scores.2, speed),
        Err(e) => eprintln!("{e:#}"),
    }

    let listed = bsnlp_russian(&bsnlp.join(BSNLP_HELD_OUT))?;
    let gold: usize = listed.iter().map(|d| d.persons.len()).sum();
    println!(
        "persons, bsnlp-2021 Russian documents on {BSNLP_HELD_OUT} ({} documents, {gold} distinct person forms), forms per document",
        listed.len()
    );
    let scores = score_forms(&listed, tagger());
    let speed = throughput(listed.iter().map(|d| d.text.as_str()));
    line("kartoteka", scores, speed);
    match natasha("bsnlp", &bsnlp.join(BSNLP_HELD_OUT)) {
        Ok(v) => peer_line(&v, scores.2, speed),
        Err(e) => eprintln!("{e:#}"),
    }
    Ok(())
}

/// One document's errors to list: its name, text, wanted and predicted spans.
type Errors<'a> = (
    String,
    &'a str,
    HashSet<(usize, usize)>,
    HashSet<(usize, usize)>,
);

/// Writes every missed and every spurious person span with its context (tuning data only).
fn write_person_errors(path: &Path, docs: &[Errors]) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (name, text, want, pred) in docs {
        let chars: Vec<char> = text.chars().collect();
        let show = |(a, b): (usize, usize)| {
            let before: String = chars[a.saturating_sub(30)..a].iter().collect();
            let span: String = chars[a..b.min(chars.len())].iter().collect();
            let after: String = chars[b.min(chars.len())..(b + 30).min(chars.len())]
                .iter()
                .collect();
            format!("{before}[{span}]{after}").replace('\n', " ")
        };
        for &g in want.difference(pred) {
            let near: Vec<String> = pred
                .iter()
                .filter(|p| p.0 < g.1 && g.0 < p.1)
                .map(|&p| show(p))
                .collect();
            let kind = if near.is_empty() { "MISS" } else { "BOUND" };
            writeln!(out, "{kind}\t{name}\t{}\t{}", show(g), near.join(" | "))?;
        }
        for &p in pred.difference(want) {
            if !want.iter().any(|g| p.0 < g.1 && g.0 < p.1) {
                writeln!(out, "FALSE\t{name}\t{}", show(p))?;
            }
        }
    }
    std::fs::write(path, out)?;
    Ok(())
}
