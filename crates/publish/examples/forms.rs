//! Prints every form `name_forms` makes of a name, and how many of them an edition
//! withholds: `cargo run -p kartoteka-publish --example forms -- 'Соколова Вера Андреевна'`.
fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Соколова Вера Андреевна".into());
    // The first call reads the tables; time the second.
    kartoteka_publish::forms::name_forms("Иванов Иван Иванович");
    let started = std::time::Instant::now();
    let forms = kartoteka_publish::forms::name_forms(&name);
    let took = started.elapsed();
    let withheld = kartoteka_publish::forms::withheld_forms(&name);
    let single = withheld.iter().filter(|f| !f.contains(' ')).count();
    eprintln!(
        "{} forms in {took:?}; {} withheld, {single} of them single words",
        forms.len(),
        withheld.len()
    );
    for f in forms {
        println!("{f}");
    }
}
