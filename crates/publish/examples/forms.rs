//! Prints every form `name_forms` makes of a name: `cargo run -p kartoteka-publish
//! --example forms -- 'Соколова Вера Андреевна'`.
fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Соколова Вера Андреевна".into());
    let forms = kartoteka_publish::forms::name_forms(&name);
    println!("{} forms", forms.len());
    for f in forms {
        println!("{f}");
    }
}
