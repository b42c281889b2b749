//! The marking a page states in its own words, read as an officer would read a scanned
//! header: through OCR look-alike letters ("CEKPETHO" in Latin letters is СЕКРЕТНО), through
//! letter spacing ("С Е К Р Е Т Н О", "S E C R E T"), not fooled by negation ("Не
//! секретно" is not secret), and, where a header word is one letter off a marking
//! ("SECRFT"), taking the highest level it could be rather than none.

use kartoteka_model::{Classification, Marking};

/// Words of each level, highest first; Russian and Latin-script ones apart, each matched
/// in the text read in its own script.
const LEVELS: &[(Classification, &[&str], &[&str])] = &[
    (
        Classification::TopSecret,
        &["СОВЕРШЕННО СЕКРЕТНО", "ОСОБОЙ ВАЖНОСТИ"],
        &["TOP SECRET", "STRENG GEHEIM"],
    ),
    (Classification::Secret, &["СЕКРЕТНО"], &["SECRET", "GEHEIM"]),
    (
        Classification::Confidential,
        &["КОНФИДЕНЦИАЛЬНО"],
        &["CONFIDENTIAL", "VERTRAULICH"],
    ),
    (
        Classification::Restricted,
        &["ДСП", "ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ"],
        &["RESTRICTED"],
    ),
];

/// Latin letters that look like Cyrillic capitals, and the reverse.
const LOOK_ALIKE: &[(char, char)] = &[
    ('A', 'А'),
    ('B', 'В'),
    ('C', 'С'),
    ('E', 'Е'),
    ('H', 'Н'),
    ('K', 'К'),
    ('M', 'М'),
    ('O', 'О'),
    ('P', 'Р'),
    ('T', 'Т'),
    ('X', 'Х'),
    ('Y', 'У'),
    ('0', 'О'),
];

/// Joins letters written apart ("С Е К Р Е Т Н О"): three or more single letters each
/// followed by exactly one space become one word; two spaces or more end the word.
fn join_spaced(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let single = |k: usize| {
            chars[k].is_alphabetic()
                && (k == 0 || !chars[k - 1].is_alphabetic())
                && chars.get(k + 1).is_none_or(|c| !c.is_alphabetic())
        };
        if single(i) {
            let mut run = vec![chars[i]];
            let mut k = i;
            while k + 2 < chars.len() && chars[k + 1] == ' ' && single(k + 2) {
                run.push(chars[k + 2]);
                k += 2;
            }
            if run.len() >= 3 {
                out.extend(run);
                i = k + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The text in capitals, letters written apart joined, runs of spaces as one, read as
/// Cyrillic (Latin look-alikes turned Cyrillic) and as Latin (the reverse).
fn readings(text: &str) -> (String, String) {
    let joined: Vec<String> = text
        .to_uppercase()
        .lines()
        .map(|l| {
            join_spaced(l)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let joined = joined.join("\n");
    let cyrillic = joined
        .chars()
        .map(|c| {
            LOOK_ALIKE
                .iter()
                .find(|(l, _)| *l == c)
                .map_or(c, |(_, k)| *k)
        })
        .collect();
    let latin = joined
        .chars()
        .map(|c| match LOOK_ALIKE.iter().find(|(_, k)| *k == c) {
            Some(('0', _)) => 'O',
            Some((l, _)) => *l,
            None => c,
        })
        .collect();
    (cyrillic, latin)
}

/// Whether `phrase` stands in `text` as whole words and is not negated ("НЕ СЕКРЕТНО",
/// "NOT SECRET").
fn states(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        let whole =
            before.is_none_or(|c| !c.is_alphabetic()) && after.is_none_or(|c| !c.is_alphabetic());
        let head = text[..i].trim_end();
        let negated = ["НЕ", "NOT", "NICHT", "HE"].iter().any(|n| {
            head.strip_suffix(n)
                .is_some_and(|h| h.chars().next_back().is_none_or(|c| !c.is_alphabetic()))
        });
        whole && !negated
    })
}

/// Letters that differ between two words of the same length, or 99.
fn one_off(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(&b).filter(|(x, y)| x != y).count() == 1
}

/// The page's marking as it states it, and what about it is uncertain (a header word one
/// letter off a marking, read as that marking), for a reviewer to see.
pub fn read_page_marking(text: &str) -> (Marking, Vec<String>) {
    let (cyrillic, latin) = readings(text);
    let mut uncertain = Vec::new();
    let mut classification = Classification::Unclassified;
    for (level, russian, other) in LEVELS {
        if russian.iter().any(|w| states(&cyrillic, w)) || other.iter().any(|w| states(&latin, w)) {
            classification = *level;
            break;
        }
    }
    if classification == Classification::Unclassified {
        // A header (the first or last three lines) in capitals with a word one letter off
        // a marking: OCR misread it. The highest level it could be, and say so.
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let edges = lines.iter().take(3).chain(lines.iter().rev().take(3));
        'found: for line in edges {
            for word in line.split(|c: char| !c.is_alphanumeric()) {
                if word.chars().count() < 6 || word.chars().any(char::is_lowercase) {
                    continue;
                }
                let (cyr, lat) = readings(word);
                for (level, russian, other) in LEVELS {
                    let near = russian
                        .iter()
                        .chain(other.iter())
                        .any(|w| !w.contains(' ') && (one_off(&cyr, w) || one_off(&lat, w)));
                    if near {
                        uncertain.push(format!(
                            "the page's marking reads {word:?}, one letter off; taken as {level}"
                        ));
                        classification = *level;
                        break 'found;
                    }
                }
            }
        }
    }
    let mut m = Marking {
        classification,
        ..Marking::unclassified()
    };
    m.orcon = states(&latin, "ORCON");
    m.noforn = states(&latin, "NOFORN") || states(&latin, "NOT RELEASABLE TO FOREIGN NATIONALS");
    if m.noforn {
        return (m, uncertain);
    }
    if let Some(i) = latin.find("REL TO ") {
        let rest: String = latin[i + 7..].chars().take_while(|c| *c != '\n').collect();
        m.releasable_to = rest
            .split([',', ' '])
            .map(str::trim)
            .filter(|c| kartoteka_model::country_name(c).is_some())
            .map(str::to_string)
            .fold(Vec::new(), |mut list, c| {
                if !list.contains(&c) {
                    list.push(c);
                }
                list
            });
    }
    (m, uncertain)
}

/// The classification a page carries in its own words: a heading "СОВЕРШЕННО СЕКРЕТНО",
/// "Секретно", "TOP SECRET", "CONFIDENTIAL", "ДСП", and "REL TO ..." where it says so,
/// however OCR or a typist wrote it (see the module documentation).
pub fn page_marking(text: &str) -> Marking {
    read_page_marking(text).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn level(text: &str) -> String {
        page_marking(text).classification.to_string()
    }

    #[test]
    fn markings_are_read_through_look_alikes_spacing_and_negation() {
        // Issue 15, class 2: what the hostile tester found.
        assert_eq!(level("CEKPETHO\nСправка"), "SECRET");
        assert_eq!(level("С Е К Р Е Т Н О\nСправка"), "SECRET");
        assert_eq!(level("S E C R E T\nMemo"), "SECRET");
        assert_eq!(level("Не секретно\nСправка"), "UNCLASSIFIED");
        assert_eq!(level("НЕ СЕКРЕТНО"), "UNCLASSIFIED");
        assert_eq!(level("NOT SECRET"), "UNCLASSIFIED");
        // Variations: mixed scripts, a zero for an O, spacing with the level around it.
        assert_eq!(level("СОВЕРШЕННО CEKPETHO"), "TOP SECRET");
        assert_eq!(level("С О В Е Р Ш Е Н Н О  С Е К Р Е Т Н О"), "TOP SECRET");
        assert_eq!(level("SЕCRЕT//REL TO GBR"), "SECRET");
        assert_eq!(level("KOHФИДEHЦИAЛЬHO"), "CONFIDENTIAL");
        assert_eq!(level("TOP SECRET // NOFORN"), "TOP SECRET");
        assert!(page_marking("S E C R E T  //  N O F O R N").noforn);
        // What was right stays right.
        assert_eq!(level("Секретно\nСПРАВКА"), "SECRET");
        assert_eq!(level("вопросы секретности"), "UNCLASSIFIED");
        assert_eq!(level("the secretary wrote"), "UNCLASSIFIED");
        assert_eq!(level("a b c d e"), "UNCLASSIFIED");
        assert_eq!(
            page_marking("SECRET//REL TO GBR, USA").releasable_to,
            ["GBR", "USA"]
        );
    }

    #[test]
    fn a_header_one_letter_off_is_taken_at_its_level_and_said() {
        let (m, why) = read_page_marking("SECRFT\nMemo on the meeting");
        assert_eq!(m.classification, Classification::Secret);
        assert!(why[0].contains("SECRFT"), "{why:?}");
        let (m, why) = read_page_marking("СЕКРЕТНЫ\nСправка");
        assert_eq!(m.classification, Classification::Secret);
        assert_eq!(why.len(), 1);
        // In the body, in lower case, a word is a word.
        let (m, why) = read_page_marking("Line one\nLine two\nLine three\nLine four\nthe secrets of the trade\nLine six\nLine seven\nLine eight");
        assert_eq!(m.classification, Classification::Unclassified);
        assert!(why.is_empty());
    }

    proptest! {
        /// Any text, letter-spaced or not, gets one of the levels, without a panic.
        #[test]
        fn any_text_gets_a_marking(text in "\\PC{0,80}") {
            let spaced: String = text.chars().flat_map(|c| [c, ' ']).collect();
            for t in [&text, &spaced] {
                let _ = page_marking(t);
            }
        }
    }
}
