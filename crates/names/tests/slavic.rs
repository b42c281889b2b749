//! Issue 17, point 4: Ukrainian and Belarusian forms of a person's name against the Russian
//! form, in Cyrillic and in their own romanisations, and surnames a letter apart that are
//! other families. Target: no false "same" at all, and at most one true pair in forty
//! missed. Three labelled sets: the rules were tuned on the first two (the second was meant
//! to be held out, but its errors were printed once); the third was written after that and
//! before any further change, and only its counts are ever printed.

use kartoteka_names::{match_names, Verdict};

struct Score {
    pairs: usize,
    true_pairs: usize,
    missed: Vec<String>,
    false_same: Vec<String>,
}

fn score(file: &str) -> Score {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect(&path);
    let mut s = Score {
        pairs: 0,
        true_pairs: 0,
        missed: Vec::new(),
        false_same: Vec::new(),
    };
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [a, b, label] = fields[..] else {
            panic!("{file}: not NAME TAB NAME TAB LABEL: {line:?}");
        };
        let m = match_names(a, b);
        s.pairs += 1;
        match label {
            "same" => {
                s.true_pairs += 1;
                if m.verdict != Verdict::Same {
                    s.missed.push(format!(
                        "missed: {a} / {b}: {:?} {:?}",
                        m.verdict, m.reasons
                    ));
                }
            }
            "different" => {
                if m.verdict == Verdict::Same {
                    s.false_same
                        .push(format!("false same: {a} / {b}: {:?}", m.reasons));
                }
            }
            other => panic!("{file}: label {other:?} is neither same nor different"),
        }
    }
    s
}

fn check(file: &str, show_errors: bool) {
    let s = score(file);
    eprintln!(
        "{file}: {} pairs, {} true: {} missed ({:.3}), {} false \"same\"",
        s.pairs,
        s.true_pairs,
        s.missed.len(),
        s.missed.len() as f64 / s.true_pairs.max(1) as f64,
        s.false_same.len()
    );
    let ok = s.false_same.is_empty() && s.missed.len() * 40 <= s.true_pairs;
    // The held-out pairs are never printed, not even when they fail: reading them would
    // make them tuning data.
    if show_errors {
        for e in s.false_same.iter().chain(&s.missed) {
            eprintln!("  {e}");
        }
    }
    assert!(ok, "{file} misses the target");
}

#[test]
fn ukrainian_and_belarusian_names_meet_russian_ones_tuning_half() {
    check("slavic_pairs_dev.tsv", true);
}

/// Labelled as held out, but its errors were once printed: tuning data now.
#[test]
fn ukrainian_and_belarusian_names_meet_russian_ones_seen_half() {
    check("slavic_pairs_seen.tsv", true);
}

#[test]
fn ukrainian_and_belarusian_names_meet_russian_ones_held_out() {
    check("slavic_pairs_heldout.tsv", false);
}
