//! Counts the cover names found in a folder of text files (a check of precision on real
//! documents), printing each with a little context.
fn main() {
    let dir = std::env::args().nth(1).expect("a folder");
    let limit: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut n = 0;
    for f in files.iter().take(limit) {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let chars: Vec<char> = text.chars().collect();
        for m in kartoteka_extract::extract(&text).mentions {
            if m.kind == kartoteka_extract::MentionKind::CoverName {
                n += 1;
                let s: String = chars[m.start.saturating_sub(40)..m.start].iter().collect();
                let e: String = chars[m.end..(m.end + 30).min(chars.len())].iter().collect();
                println!(
                    "{}\t{}\t[{}]{}",
                    f.file_name().unwrap().to_string_lossy(),
                    s.replace('\n', " "),
                    m.text,
                    e.replace('\n', " ")
                );
            }
        }
    }
    eprintln!("{n} cover names");
}
