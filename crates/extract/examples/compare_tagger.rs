//! Prints the persons found in each file given, by the rules alone and with the embedded
//! tagger, where the two differ: a quick look at what the tagger changes in a document.
fn main() {
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("cannot read {path}");
            continue;
        };
        let persons = |tagger| -> Vec<(usize, usize, String)> {
            kartoteka_extract::extract_with(&text, tagger)
                .mentions
                .into_iter()
                .filter(|m| m.kind == kartoteka_extract::MentionKind::Person)
                .map(|m| (m.start, m.end, m.text))
                .collect()
        };
        let (rules, tagged) = (persons(None), persons(kartoteka_extract::default_tagger()));
        for p in rules.iter().filter(|p| !tagged.contains(p)) {
            println!("{path}\trules only\t{}", p.2);
        }
        for p in tagged.iter().filter(|p| !rules.contains(p)) {
            println!("{path}\ttagger only\t{}", p.2);
        }
    }
}
