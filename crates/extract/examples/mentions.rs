//! Prints every mention found in the texts given on the command line, with its kind and
//! lemma: a quick look at what extraction makes of a sentence.
fn main() {
    for text in std::env::args().skip(1) {
        for m in kartoteka_extract::extract(&text).mentions {
            println!("{:?} {:?} -> {:?}", m.kind, m.text, m.lemma);
        }
    }
}
