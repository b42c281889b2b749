//! Who the public edition names and who it protects, and the pseudonyms of the protected.
//!
//! Agents, case officers and officials named in claims are named: the subject of a
//! report, a holder of a cover name, someone recruited, handled or reporting, whoever
//! recruited or handled someone, and the holder of a role the rules name. So are persons
//! born more than the rules' number of years before the edition, persons whose death has
//! a known date, and public figures on the rules' list. Everyone else is a private person
//! (a victim, a relative, a contact) and is protected by a pseudonym. An editor's decision,
//! kept in the audit chain with its reason, overrides all of this for one person.
//!
//! Pseudonyms are "Person A-17": numbered once, in the order persons are first protected,
//! and kept from edition to edition, so that "A-17" in one edition is "A-17" in the next.

use std::collections::{BTreeMap, BTreeSet};

use kartoteka_model::{Disclosure, EditorDecision, PersonFacts, RelationKind};
use serde::Serialize;

use crate::rules::{year_of, PersonRules};

/// Why a person is named or protected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Why {
    /// The subject of a report, a holder of a cover name, recruited, handled, reporting.
    Agent,
    /// Recruited or handled someone.
    Officer,
    /// Holds a role the rules name.
    Role {
        /// The role.
        role: String,
    },
    /// A public figure on the rules' list.
    PublicFigure,
    /// Born more than the rules' number of years before the edition.
    BornLongAgo {
        /// The year of birth.
        year: i32,
    },
    /// Died, on a known date.
    Died {
        /// When.
        date: String,
    },
    /// An editor decided.
    Editor {
        /// The editor's reason.
        why: String,
        /// Who decided.
        by: String,
    },
    /// None of the rules names them: a private person.
    Private,
}

impl Why {
    /// The rule's name, as the build's summary counts it.
    pub fn rule(&self) -> &'static str {
        match self {
            Why::Agent => "agent",
            Why::Officer => "officer",
            Why::Role { .. } => "named role",
            Why::PublicFigure => "public figure",
            Why::BornLongAgo { .. } => "born long ago",
            Why::Died { .. } => "died",
            Why::Editor { .. } => "editor's decision",
            Why::Private => "private person",
        }
    }
}

/// One person's standing in the edition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// The person id.
    pub id: String,
    /// Named (true) or protected.
    pub named: bool,
    /// Why.
    pub why: Why,
    /// The pseudonym of a protected person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
}

/// What [`decide`] needs beyond the persons.
pub struct Context<'a> {
    /// The rules.
    pub rules: &'a PersonRules,
    /// Editors' decisions, oldest first (the latest on a person stands).
    pub decisions: &'a [EditorDecision],
    /// The subjects of the reports published.
    pub subjects: &'a BTreeSet<String>,
    /// The edition's year.
    pub year: i32,
}

/// A role's canonical name ("case_officer") from a word as the text gives it ("куратор").
fn canonical_role(role: &str) -> String {
    let lower = role.trim().to_lowercase();
    kartoteka_lexicon::dict::ROLES
        .iter()
        .find(|(word, canon)| *word == lower || *canon == lower)
        .map_or(lower.replace(' ', "_"), |(_, canon)| canon.to_string())
}

fn same_person_name(a: &str, b: &str) -> bool {
    let fold = |s: &str| s.to_lowercase().replace('ё', "е");
    fold(a) == fold(b)
        || kartoteka_names::match_names(a, b).verdict == kartoteka_names::Verdict::Same
}

/// Each person's standing under the rules and the editors' decisions.
pub fn decide(persons: &[PersonFacts], cx: &Context<'_>) -> Vec<Standing> {
    let mut latest: BTreeMap<&str, &EditorDecision> = BTreeMap::new();
    for d in cx.decisions {
        latest.insert(d.person.as_str(), d);
    }
    let named_roles: BTreeSet<String> = cx
        .rules
        .named_roles
        .iter()
        .map(|r| canonical_role(r))
        .collect();
    persons
        .iter()
        .map(|p| {
            let (named, why) = match latest.get(p.id.as_str()) {
                Some(d) => (
                    d.disclosure == Disclosure::Name,
                    Why::Editor {
                        why: d.why.clone(),
                        by: d.by.clone(),
                    },
                ),
                None => by_rules(p, cx, &named_roles),
            };
            Standing {
                id: p.id.clone(),
                named,
                why,
                pseudonym: None,
            }
        })
        .collect()
}

fn by_rules(p: &PersonFacts, cx: &Context<'_>, named_roles: &BTreeSet<String>) -> (bool, Why) {
    use RelationKind::*;
    let agent = cx.subjects.contains(&p.id)
        || !p.cover_names.is_empty()
        || p.links
            .iter()
            .any(|l| l.outgoing && matches!(l.kind, RecruitedBy | HandledBy | ReportedOn));
    if agent {
        return (true, Why::Agent);
    }
    if p.links
        .iter()
        .any(|l| !l.outgoing && matches!(l.kind, RecruitedBy | HandledBy))
    {
        return (true, Why::Officer);
    }
    if let Some(role) = p
        .roles
        .iter()
        .find(|r| named_roles.contains(&canonical_role(r)))
    {
        return (true, Why::Role { role: role.clone() });
    }
    let figures = &cx.rules.public_figures;
    if figures
        .iter()
        .any(|f| *f == p.id || p.names.iter().any(|n| same_person_name(f, n)))
    {
        return (true, Why::PublicFigure);
    }
    if let Some(year) = p.born.iter().filter_map(|b| year_of(b)).min() {
        if cx.year - year > cx.rules.born_more_than_years_ago as i32 {
            return (true, Why::BornLongAgo { year });
        }
    }
    if cx.rules.name_the_dead {
        if let Some(d) =
            cx.rules.deaths.iter().find(|d| {
                d.person == p.id || p.names.iter().any(|n| same_person_name(&d.person, n))
            })
        {
            return (
                true,
                Why::Died {
                    date: d.date.clone(),
                },
            );
        }
    }
    (false, Why::Private)
}

/// The pseudonym for number `n`.
pub fn pseudonym(n: u32) -> String {
    format!("Person A-{n}")
}

/// Gives every protected person in `standings`, and every other key in `others` (names no
/// person id holds, as "name:" and the folded name), a pseudonym: the number they had in
/// `registry` (the previous editions'), else the next one, in the order given. Returns
/// the registry grown by the new numbers.
pub fn assign_pseudonyms(
    standings: &mut [Standing],
    others: &[String],
    registry: &BTreeMap<String, u32>,
) -> (BTreeMap<String, u32>, BTreeMap<String, String>) {
    let mut registry = registry.clone();
    let mut next = registry.values().max().copied().unwrap_or(0) + 1;
    let mut number = |key: &str, registry: &mut BTreeMap<String, u32>| -> u32 {
        *registry.entry(key.to_string()).or_insert_with(|| {
            next += 1;
            next - 1
        })
    };
    for s in standings.iter_mut().filter(|s| !s.named) {
        s.pseudonym = Some(pseudonym(number(&s.id, &mut registry)));
    }
    let mut other_names = BTreeMap::new();
    for key in others {
        other_names.insert(key.clone(), pseudonym(number(key, &mut registry)));
    }
    (registry, other_names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kartoteka_model::{CoverNameHeld, DocId, DossierRelation};

    fn person(id: &str, name: &str) -> PersonFacts {
        PersonFacts {
            id: id.into(),
            name: name.into(),
            names: vec![name.into()],
            cover_names: vec![],
            roles: vec![],
            born: vec![],
            links: vec![],
        }
    }

    fn link(kind: RelationKind, outgoing: bool, other: &str) -> DossierRelation {
        DossierRelation {
            kind,
            outgoing,
            other_person: Some(other.into()),
            other: other.into(),
            doc: DocId(1),
            page: 1,
        }
    }

    #[test]
    fn each_rule_names_its_own_and_the_rest_are_private() {
        let mut agent = person("P1", "Соколова Вера Андреевна");
        agent.cover_names.push(CoverNameHeld {
            name: "ХОЛА".into(),
            from: None,
            to: None,
        });
        let mut recruit = person("P2", "Орлов Павел");
        recruit
            .links
            .push(link(RelationKind::RecruitedBy, true, "P3"));
        let mut officer = person("P3", "Кузьмин Арнольд Петрович");
        officer
            .links
            .push(link(RelationKind::RecruitedBy, false, "P2"));
        let mut resident = person("P4", "Жданов Пётр");
        resident.roles.push("резидент".into());
        let mut old = person("P5", "Белова Анна");
        old.born.push("1880".into());
        let mut young = person("P6", "Белов Иван");
        young.born.push("1940".into());
        let mut victim = person("P7", "Петрова Ольга");
        victim
            .links
            .push(link(RelationKind::ReportedOn, false, "P2"));
        let figure = person("P8", "Хрущёв Никита Сергеевич");
        let dead = person("P9", "Смирнов Олег");
        let subject = person("P10", "Ветров Илья");
        let rules = PersonRules {
            public_figures: vec!["Никита Сергеевич Хрущёв".into()],
            deaths: vec![crate::rules::Death {
                person: "P9".into(),
                date: "1956".into(),
                source: String::new(),
            }],
            ..PersonRules::default()
        };
        let subjects: BTreeSet<String> = ["P10".to_string()].into();
        let cx = Context {
            rules: &rules,
            decisions: &[],
            subjects: &subjects,
            year: 2026,
        };
        let all = [
            agent, recruit, officer, resident, old, young, victim, figure, dead, subject,
        ];
        let decided = decide(&all, &cx);
        let got: Vec<(&str, bool, &str)> = decided
            .iter()
            .map(|s| (s.id.as_str(), s.named, s.why.rule()))
            .collect();
        let want = [
            ("P1", true, "agent"),
            ("P2", true, "agent"),
            ("P3", true, "officer"),
            ("P4", true, "named role"),
            ("P5", true, "born long ago"),
            ("P6", false, "private person"),
            ("P7", false, "private person"),
            ("P8", true, "public figure"),
            ("P9", true, "died"),
            ("P10", true, "agent"),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn an_editors_latest_decision_overrides_the_rules() {
        let mut agent = person("P1", "Соколова Вера Андреевна");
        agent.roles.push("агент".into());
        let victim = person("P2", "Петрова Ольга");
        let decision = |p: &str, d, why: &str| EditorDecision {
            person: p.into(),
            name: String::new(),
            disclosure: d,
            why: why.into(),
            by: "editor".into(),
            at: String::new(),
        };
        let decisions = [
            decision("P1", Disclosure::Name, "first"),
            decision(
                "P1",
                Disclosure::Protect,
                "her family asked; the court agreed",
            ),
            decision("P2", Disclosure::Name, "a minister: public office"),
        ];
        let rules = PersonRules::default();
        let subjects = BTreeSet::new();
        let cx = Context {
            rules: &rules,
            decisions: &decisions,
            subjects: &subjects,
            year: 2026,
        };
        let got = decide(&[agent, victim], &cx);
        assert!(!got[0].named);
        assert!(matches!(&got[0].why, Why::Editor { why, .. } if why.starts_with("her family")));
        assert!(got[1].named);
    }

    #[test]
    fn pseudonyms_are_kept_from_edition_to_edition_and_never_reissued() {
        let protected = |id: &str| Standing {
            id: id.into(),
            named: false,
            why: Why::Private,
            pseudonym: None,
        };
        let mut first = vec![protected("P7"), protected("P9")];
        let (registry, _) = assign_pseudonyms(&mut first, &[], &BTreeMap::new());
        assert_eq!(first[0].pseudonym.as_deref(), Some("Person A-1"));
        assert_eq!(first[1].pseudonym.as_deref(), Some("Person A-2"));
        // Next edition: P7 is gone (named now, or withdrawn), P12 is new, P9 stays.
        let mut second = vec![protected("P12"), protected("P9")];
        let (registry, others) =
            assign_pseudonyms(&mut second, &["name:сидоров".to_string()], &registry);
        assert_eq!(second[1].pseudonym.as_deref(), Some("Person A-2"));
        assert_eq!(second[0].pseudonym.as_deref(), Some("Person A-3"));
        assert_eq!(others["name:сидоров"], "Person A-4");
        assert_eq!(registry["P7"], 1, "a number once given stays given");
    }
}
