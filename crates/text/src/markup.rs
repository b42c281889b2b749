//! Small text helpers every face needs the same way: HTML escaping, title case and
//! numbers as ranges. One
//! copy here, so that the report pages, the CLI's pages and the search highlights cannot
//! drift apart in what they escape.

/// Escapes text for HTML, in element content and in quoted attribute values alike: `&`,
/// `<`, `>`, `"` and `'`.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Numbers in rising order as people write them: "3-5, 9, 11-12" (sheets, paragraphs).
pub fn ranges(numbers: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            numbers[i].to_string()
        } else {
            format!("{}-{}", numbers[i], numbers[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

/// The word with its first letter in capitals and the rest as given: a dictionary form
/// ("москва") as a name is written ("Москва").
pub fn title_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_ranges_as_people_write_them() {
        assert_eq!(ranges(&[3, 4, 5, 9, 11, 12]), "3-5, 9, 11-12");
        assert_eq!(ranges(&[4]), "4");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn html_escaping_covers_content_and_attributes() {
        assert_eq!(
            escape_html(r#"<a href="x" title='y'>Tom & Jerry</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;"
        );
        assert_eq!(escape_html("Соколова"), "Соколова");
    }

    #[test]
    fn title_case_raises_only_the_first_letter() {
        assert_eq!(title_case("москва"), "Москва");
        assert_eq!(title_case("ёлкин"), "Ёлкин");
        assert_eq!(title_case("mcDonald"), "McDonald");
        assert_eq!(title_case(""), "");
    }
}
