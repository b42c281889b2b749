//! The rules a public edition is built from (`publish.toml`): who is named besides the
//! agents, officers and officials, and what the edition is called.
//!
//! ```toml
//! [edition]
//! title = "Kartoteka: the public edition"
//!
//! [persons]
//! # Roles whose holders are named (the words of the trade as extraction gives them).
//! named_roles = ["agent", "illegal", "confidential_contact", "source", "defector",
//!                "case_officer", "resident"]
//! # Anyone born more than this many years before the edition is named.
//! born_more_than_years_ago = 110
//! # Anyone whose death has a known date is named.
//! name_the_dead = true
//! # Public figures, named always: a person id or a name.
//! public_figures = ["Хрущёв Никита Сергеевич"]
//!
//! # Deaths known from outside the archive, with their source.
//! [[persons.deaths]]
//! person = "P7"
//! date = "1956-02-25"
//! source = "death certificate, ЗАГС Москвы"
//! ```
//!
//! Every key may be left out; an unknown key is an error (a misspelt rule must not be
//! silently ignored), and so is a number or a date that is not one.

use serde::Deserialize;

/// What the edition is built from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// The edition's own settings.
    pub edition: EditionRules,
    /// Who is named.
    pub persons: PersonRules,
}

/// The edition's own settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EditionRules {
    /// Its title, on every page.
    pub title: String,
}

/// Who is named besides the agents and officers the claims name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PersonRules {
    /// Roles whose holders are named.
    pub named_roles: Vec<String>,
    /// A person born more than this many years before the edition is named.
    pub born_more_than_years_ago: u32,
    /// A person whose death has a known date is named.
    pub name_the_dead: bool,
    /// Public figures, always named: person ids or names.
    pub public_figures: Vec<String>,
    /// Deaths known from outside the archive.
    pub deaths: Vec<Death>,
}

/// A death known from outside the archive.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Death {
    /// The person: an id or a name.
    pub person: String,
    /// When: a year, a month or a day (ISO 8601).
    pub date: String,
    /// Where it is known from.
    #[serde(default)]
    pub source: String,
}

impl Default for EditionRules {
    fn default() -> Self {
        EditionRules {
            title: "Kartoteka: the public edition".to_string(),
        }
    }
}

impl Default for PersonRules {
    fn default() -> Self {
        PersonRules {
            named_roles: [
                "agent",
                "illegal",
                "confidential_contact",
                "source",
                "defector",
                "case_officer",
                "resident",
            ]
            .map(String::from)
            .to_vec(),
            born_more_than_years_ago: 110,
            name_the_dead: true,
            public_figures: Vec::new(),
            deaths: Vec::new(),
        }
    }
}

/// Rules that cannot be used: the file's words, and what is wrong with them.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// Not TOML, or not the shape of the rules.
    #[error("the rules are not valid: {0}")]
    Syntax(String),
    /// A value that is the right type but makes no sense.
    #[error("the rules are not valid: {0}")]
    Value(String),
}

impl Rules {
    /// Reads rules from the text of a `publish.toml`.
    pub fn parse(text: &str) -> Result<Rules, RulesError> {
        let rules: Rules = toml::from_str(text).map_err(|e| RulesError::Syntax(e.to_string()))?;
        for d in &rules.persons.deaths {
            if d.person.trim().is_empty() {
                return Err(RulesError::Value("a death names no person".into()));
            }
            if year_of(&d.date).is_none() {
                return Err(RulesError::Value(format!(
                    "the death of {} is dated {:?}, which is not a year, month or day (1956, 1956-02 or 1956-02-25)",
                    d.person, d.date
                )));
            }
        }
        if rules
            .persons
            .public_figures
            .iter()
            .any(|p| p.trim().is_empty())
        {
            return Err(RulesError::Value(
                "an empty name among public_figures".into(),
            ));
        }
        if rules.persons.born_more_than_years_ago == 0 {
            return Err(RulesError::Value(
                "born_more_than_years_ago is 0: that would name everyone born".into(),
            ));
        }
        Ok(rules)
    }
}

/// The year a date starts with ("1956", "1956-02", "1956-02-25", "25.02.1956"), when it has
/// a plausible one.
pub fn year_of(date: &str) -> Option<i32> {
    let date = date.trim();
    let digits: Vec<&str> = date
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| p.len() == 4)
        .collect();
    let year: i32 = digits.first()?.parse().ok()?;
    (1000..=2999).contains(&year).then_some(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_defaults_and_every_key_is_read() {
        assert_eq!(Rules::parse("").unwrap(), Rules::default());
        let r = Rules::parse(
            "[persons]\nborn_more_than_years_ago = 90\nname_the_dead = false\npublic_figures = ['P3']\n\
             [[persons.deaths]]\nperson = 'P7'\ndate = '1956-02-25'\n",
        )
        .unwrap();
        assert_eq!(r.persons.born_more_than_years_ago, 90);
        assert!(!r.persons.name_the_dead);
        assert_eq!(r.persons.public_figures, ["P3"]);
        assert_eq!(r.persons.deaths[0].person, "P7");
        // What is not said keeps its default.
        assert_eq!(r.persons.named_roles, PersonRules::default().named_roles);
    }

    #[test]
    fn misspelt_keys_and_bad_values_are_refused() {
        for bad in [
            "[persons]\nborn_more_then_years_ago = 90\n",
            "[persons]\nborn_more_than_years_ago = -5\n",
            "[persons]\nborn_more_than_years_ago = 0\n",
            "[persons]\n[[persons.deaths]]\nperson = 'P7'\ndate = 'spring'\n",
            "[persons]\npublic_figures = ['']\n",
            "not toml at all = = =",
        ] {
            assert!(Rules::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn years_are_read_from_dates_as_written() {
        assert_eq!(year_of("1956-02-25"), Some(1956));
        assert_eq!(year_of("25.02.1956"), Some(1956));
        assert_eq!(year_of("1905"), Some(1905));
        assert_eq!(year_of("в 1905 г."), Some(1905));
        assert_eq!(year_of("spring"), None);
    }
}
