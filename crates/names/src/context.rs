//! What the documents say of a name's bearer besides the name: when they were born, where
//! and when the document is set, who else it names. Resolution weighs it: two Ivanovs born
//! fourteen years apart are two men, and a surname alone in a London file of 1944 is the
//! bearer of that surname in the London files, not the one in the Vladivostok files.

use std::fmt::Write as _;

/// The circumstances of one mention.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Birth years the text gives for this mention's bearer.
    pub born: Vec<i32>,
    /// Places named beside the mention (country codes or place names).
    pub places: Vec<String>,
    /// The years the document covers, first and last.
    pub years: Option<(i32, i32)>,
    /// Other people named beside the mention, by surname.
    pub people: Vec<String>,
    /// The roles the text gives this mention's bearer ("agent", "case_officer").
    pub roles: Vec<String>,
    /// The people's transliteration keys, worked out on first use.
    keys: std::sync::OnceLock<Vec<String>>,
}

impl Context {
    /// The keys of the people named beside the mention.
    fn people_keys(&self) -> &[String] {
        self.keys
            .get_or_init(|| self.people.iter().map(|p| person_key(p)).collect())
    }

    /// Whether it says anything a comparison could use, besides people of the surname
    /// `own`.
    pub fn tells(&self, own: Option<&str>) -> bool {
        let own = own.map(person_key);
        !self.born.is_empty()
            || (!self.places.is_empty() && self.years.is_some())
            || self.people_keys().iter().any(|k| Some(k) != own.as_ref())
    }

    /// Reads "born=1911,place=London,years=1944-1946,with=Кузьмин" (any of the keys, each
    /// as often as needed), the form `match-names --context-a` takes.
    pub fn parse(text: &str) -> Result<Context, String> {
        let mut c = Context::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = item.split_once('=').ok_or_else(|| {
                format!("{item:?}: expected key=value (born, place, years, with, role)")
            })?;
            let (key, value) = (key.trim(), value.trim());
            let year = |s: &str| {
                s.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|y| (1000..=2100).contains(y))
                    .ok_or_else(|| format!("{item:?}: {s:?} is not a year"))
            };
            match key {
                "born" => c.born.push(year(value)?),
                "place" => c.places.push(value.to_string()),
                "with" => c.people.push(value.to_string()),
                "role" => c.roles.push(value.to_string()),
                "years" | "year" => {
                    let (a, b) = value.split_once(['-', '–']).unwrap_or((value, value));
                    let (a, b) = (year(a)?, year(b)?);
                    if a > b {
                        return Err(format!("{item:?}: the first year is after the last"));
                    }
                    c.years = Some((a, b));
                }
                _ => {
                    return Err(format!(
                        "{item:?}: unknown key {key:?} (born, place, years, with, role)"
                    ))
                }
            }
        }
        Ok(c)
    }
}

/// Roles of the two sides of the trade: one who runs agents, one who is run.
const OFFICER_ROLES: &[&str] = &["case_officer", "resident", "handler", "recruiter"];
const AGENT_ROLES: &[&str] = &["agent", "source", "confidential_contact"];

/// A context's roles as bits: 1 an officer's, 2 an agent's.
pub fn role_bits(c: &Context) -> u8 {
    let mut bits = 0;
    for r in &c.roles {
        if OFFICER_ROLES.contains(&r.as_str()) {
            bits |= 1;
        }
        if AGENT_ROLES.contains(&r.as_str()) {
            bits |= 2;
        }
    }
    bits
}

/// Whether role bits say two sides of the trade: the case officer and the agent he runs
/// are two people, even when their surnames are one.
pub fn roles_apart(a: u8, b: u8) -> bool {
    a != 0 && b != 0 && a & b == 0
}

/// What two contexts say about whether their mentions are one person.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Weighing {
    /// The contexts rule it out (birth years too far apart).
    pub conflict: bool,
    /// How many independent things agree (birth year, a place at the same time, a person
    /// named beside both).
    pub support: u32,
    /// One line each.
    pub reasons: Vec<String>,
}

/// Birth years more than this apart are two people: a date of birth is misread or
/// misremembered by a year or two, not by more.
pub const BIRTH_YEAR_SLACK: i32 = 2;

/// Weighs two mentions' circumstances.
pub fn weigh(a: &Context, b: &Context) -> Weighing {
    weigh_except(a, b, None)
}

/// The key that makes one person of "Кузьмин" and "Kuzmin" named beside a mention.
fn person_key(surname: &str) -> String {
    kartoteka_text::translit_keys(surname)
        .into_iter()
        .next()
        .unwrap_or_else(|| surname.to_lowercase())
}

/// Weighs two mentions' circumstances, not counting a person named beside both who has
/// the surname `own` (the mentions' own, when a page's people include them).
pub fn weigh_except(a: &Context, b: &Context, own: Option<&str>) -> Weighing {
    weigh_keyed(a, b, own.map(person_key).as_deref())
}

/// The key of a surname, for [`weigh_keyed`].
pub fn surname_key(surname: &str) -> String {
    person_key(surname)
}

/// As [`weigh_except`], with the surname already a key ([`surname_key`]): for many
/// weighings of one mention.
pub fn weigh_keyed(a: &Context, b: &Context, own: Option<&str>) -> Weighing {
    let mut w = Weighing::default();
    if let Some(d) = born_apart(&a.born, &b.born) {
        if d > BIRTH_YEAR_SLACK {
            w.conflict = true;
            w.reasons.push(format!(
                "born {} and {}: birth years differ by {d}",
                list(&a.born),
                list(&b.born)
            ));
        } else {
            w.support += 1;
            w.reasons.push(if d == 0 {
                format!("same birth year ({})", a.born[0])
            } else {
                format!("birth years differ by {d}")
            });
        }
    }
    let overlap = match (a.years, b.years) {
        (Some((a1, a2)), Some((b1, b2))) => {
            let (from, to) = (a1.max(b1), a2.min(b2));
            Some((from <= to).then_some((from, to)))
        }
        _ => None,
    };
    let shared_places: Vec<&String> = a
        .places
        .iter()
        .filter(|p| b.places.iter().any(|q| q.eq_ignore_ascii_case(p)))
        .collect();
    if let Some(place) = shared_places.first() {
        match overlap {
            Some(Some((from, to))) => {
                w.support += 1;
                let mut r = format!("both in {place} ");
                if from == to {
                    let _ = write!(r, "{from}");
                } else {
                    let _ = write!(r, "{from}-{to}");
                }
                w.reasons.push(r);
            }
            Some(None) => w
                .reasons
                .push(format!("both in {place}, but in other years")),
            None => w.reasons.push(format!("both in {place}")),
        }
    }
    if roles_apart(role_bits(a), role_bits(b)) {
        w.reasons.push(format!(
            "one is called {}, the other {}",
            a.roles.join(", ").replace('_', " "),
            b.roles.join(", ").replace('_', " ")
        ));
    }
    let theirs = b.people_keys();
    let shared_people: Vec<&String> = a
        .people
        .iter()
        .zip(a.people_keys())
        .filter(|(_, k)| own != Some(k.as_str()) && theirs.contains(k))
        .map(|(p, _)| p)
        .collect();
    if !shared_people.is_empty() {
        w.support += 1;
        let names: Vec<&str> = shared_people.iter().take(3).map(|s| s.as_str()).collect();
        w.reasons
            .push(format!("both named with {}", names.join(", ")));
    }
    w
}

/// The least difference between two lists of birth years, when both have one.
pub fn born_apart(a: &[i32], b: &[i32]) -> Option<i32> {
    a.iter()
        .flat_map(|x| b.iter().map(move |y| (x - y).abs()))
        .min()
}

fn list(years: &[i32]) -> String {
    years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(text: &str) -> Context {
        Context::parse(text).unwrap()
    }

    #[test]
    fn birth_years_apart_rule_a_person_out() {
        let w = weigh(&c("born=1911"), &c("born=1925"));
        assert!(w.conflict);
        assert!(w.reasons[0].contains("differ by 14"), "{w:?}");
        let w = weigh(&c("born=1911"), &c("born=1912"));
        assert!(!w.conflict);
        assert_eq!(w.support, 1);
        assert_eq!(w.reasons, vec!["birth years differ by 1"]);
    }

    #[test]
    fn a_place_counts_when_the_years_meet() {
        let w = weigh(
            &c("place=London,years=1944"),
            &c("place=london,years=1940-1946"),
        );
        assert_eq!(w.support, 1);
        assert_eq!(w.reasons, vec!["both in London 1944"]);
        let w = weigh(&c("place=London,years=1944"), &c("place=London,years=1960"));
        assert_eq!(w.support, 0);
        assert!(!w.conflict);
        let w = weigh(&c("with=Кузьмин"), &c("with=Kuzmin,with=Громов"));
        assert_eq!(w.support, 1);
        assert_eq!(w.reasons, vec!["both named with Кузьмин"]);
        // Their own surname on both pages says nothing.
        let w = weigh_except(&c("with=Петров"), &c("with=Петров"), Some("Petrov"));
        assert_eq!(w.support, 0);
    }

    #[test]
    fn nothing_known_says_nothing() {
        assert_eq!(
            weigh(&Context::default(), &c("born=1911")),
            Weighing::default()
        );
    }

    #[test]
    fn bad_context_text_is_refused() {
        for bad in [
            "born",
            "born=abc",
            "years=1950-1940",
            "colour=red",
            "born=99",
        ] {
            assert!(Context::parse(bad).is_err(), "{bad}");
        }
    }
}
