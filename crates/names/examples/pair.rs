//! Compares two names given on the command line and prints the verdict with its reasons
//! and how each was parsed: a quick way to see why two names are or are not one person.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let [a, b] = pair else { break };
        println!(
            "{:?}\n{:?}",
            kartoteka_names::parse(a),
            kartoteka_names::parse(b)
        );
        let m = kartoteka_names::match_names(a, b);
        println!("{a} / {b}: {:?} {:?}\n", m.verdict, m.reasons);
    }
}
