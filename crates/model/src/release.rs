//! Release: the partner services an archive shares with, the groups markings name, and
//! the one rule that decides whether a marked portion may go to an audience.
//!
//! Every release path (a partner's variant, its package, the plan, the public edition)
//! asks [`releasable`], and nothing else decides. The rule denies by default: a portion
//! goes to an audience only when every part of its marking allows it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::report::{excerpt, Classification, Marking};

/// The groups of countries every archive knows, by the names markings use for them
/// (`REL TO FVEY`). A group an archive defines for itself is a name of the same shape
/// that is none of these; its members are the partners that say they belong to it.
pub const GROUPS: &[(&str, &[&str])] = &[
    // Australia, Canada, the United Kingdom and the United States.
    ("ACGU", &["AUS", "CAN", "GBR", "USA"]),
    // The Five Eyes.
    ("FVEY", &["AUS", "CAN", "GBR", "NZL", "USA"]),
    // The 32 members of the North Atlantic Treaty Organization (2024).
    (
        "NATO",
        &[
            "ALB", "BEL", "BGR", "CAN", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
            "GRC", "HRV", "HUN", "ISL", "ITA", "LTU", "LUX", "LVA", "MKD", "MNE", "NLD", "NOR",
            "POL", "PRT", "ROU", "SVK", "SVN", "SWE", "TUR", "USA",
        ],
    ),
];

/// The member countries of a group every archive knows (`FVEY`), or `None` for a name
/// that is not one of them.
pub fn group_members(name: &str) -> Option<&'static [&'static str]> {
    GROUPS.iter().find(|(g, _)| *g == name).map(|(_, m)| *m)
}

/// Whether a word has the shape of a group's name: a capital letter, then 3 to 15
/// capitals or digits. Three letters are a country's code, never a group.
pub fn is_group_name(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && (4..=16).contains(&word.len())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Whether a partner is receiving releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartnerState {
    /// It receives what it may.
    Active,
    /// It receives nothing until resumed.
    Suspended,
}

impl PartnerState {
    /// Its word: "active" or "suspended".
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerState::Active => "active",
            PartnerState::Suspended => "suspended",
        }
    }
}

impl fmt::Display for PartnerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A dissemination control a partner has agreed to receive material under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Caveat {
    /// ORCON: it accepts material whose further dissemination the originator controls
    /// (each portion still needs the originator's recorded consent).
    #[serde(rename = "ORCON")]
    Orcon,
}

impl Caveat {
    /// Every caveat a partner may be cleared for.
    pub const ALL: [Caveat; 1] = [Caveat::Orcon];

    /// Its word: "ORCON".
    pub fn as_str(self) -> &'static str {
        match self {
            Caveat::Orcon => "ORCON",
        }
    }
}

impl fmt::Display for Caveat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A word that is not a caveat a partner can be cleared for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a caveat a partner can receive: the one there is is ORCON (NOFORN never goes to a partner)")]
pub struct CaveatError(pub String);

impl std::str::FromStr for Caveat {
    type Err = CaveatError;

    fn from_str(text: &str) -> Result<Caveat, CaveatError> {
        Caveat::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| CaveatError(excerpt(text)))
    }
}

/// What a partner needs to know: reports on these countries or on these topics are routed
/// to it beyond those on its own country.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedToKnow {
    /// ISO 3166 alpha-3 codes.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Words a report must contain (in its title, cover names, services or text), in
    /// lower case.
    #[serde(default)]
    pub topics: Vec<String>,
}

/// A foreign service the archive releases to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    /// Its id: the country's code and the service's name in capitals ("GBR-MI5"), given
    /// once and never reused.
    pub id: String,
    /// Its country, ISO 3166 alpha-3.
    pub country: String,
    /// The service's name, as it calls itself.
    pub service: String,
    /// The highest classification it is cleared for.
    pub clearance: Classification,
    /// The controls it agreed to receive material under.
    #[serde(default)]
    pub caveats: Vec<Caveat>,
    /// The groups it belongs to beyond those of its country: groups the archive defines,
    /// usable in markings as `REL TO NAME`.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Its age X25519 recipient ("age1..."): packages are encrypted to it.
    pub recipient: String,
    /// Its Ed25519 public key (64 hex digits): its receipts are signed with it.
    pub verify_key: String,
    /// What is routed to it beyond its own country.
    #[serde(default)]
    pub need_to_know: NeedToKnow,
    /// Whether it receives releases now.
    pub state: PartnerState,
    /// Why it was last added or changed.
    pub why: String,
    /// Who last added or changed it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

impl Partner {
    /// Whether the partner is of a group: the group every archive knows holds its
    /// country, or it was said to belong to it.
    pub fn is_in(&self, group: &str) -> bool {
        match group_members(group) {
            Some(members) => members.contains(&self.country.as_str()),
            None => self.groups.iter().any(|g| g == group),
        }
    }
}

/// A release officer's decision to send a report to a partner that routing would not
/// send it to, or to hold back one it would. The latest for a report and partner is in
/// force; every one is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    /// The report.
    pub report: String,
    /// The partner.
    pub partner: String,
    /// Send it (true) or hold it back (false).
    pub send: bool,
    /// Why.
    pub why: String,
    /// The release officer.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// The originator's consent, recorded by a release officer, to release a report's ORCON
/// portions to a partner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// The report.
    pub report: String,
    /// The partner.
    pub partner: String,
    /// Who consented for the originator.
    pub originator: String,
    /// What the consent says or where it is recorded.
    pub why: String,
    /// Who recorded it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// A report version a package holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackagedReport {
    /// The report.
    pub id: String,
    /// Its version.
    pub version: u32,
}

/// What a package is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageKind {
    /// Reports released to the partner.
    Release,
    /// A notice that reports it holds are recalled.
    Recall,
}

impl PackageKind {
    /// Its word: "release" or "recall".
    pub fn as_str(self) -> &'static str {
        match self {
            PackageKind::Release => "release",
            PackageKind::Recall => "recall",
        }
    }
}

/// A partner's signed word that it received a package whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The package.
    pub package: String,
    /// The partner that received it.
    pub partner: String,
    /// The SHA-256 of the package file it received, hex.
    pub sha256: String,
    /// When it opened it (RFC 3339).
    pub received_at: String,
    /// Its Ed25519 signature over the receipt's other fields, hex (see
    /// [`Receipt::signed_text`]).
    pub signature: String,
}

impl Receipt {
    /// The exact text a receipt's signature covers: its fields, one per line.
    pub fn signed_text(&self) -> String {
        format!(
            "kartoteka receipt\npackage: {}\npartner: {}\nsha256: {}\nreceived_at: {}\n",
            self.package, self.partner, self.sha256, self.received_at
        )
    }
}

/// The register's record of a package sent to a partner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Its id: "PKG-", the partner and a number counting that partner's packages from 1.
    pub id: String,
    /// Release or recall notice.
    pub kind: PackageKind,
    /// The partner.
    pub partner: String,
    /// The partner's country.
    pub country: String,
    /// The report versions it holds (for a recall, those it recalls).
    pub reports: Vec<PackagedReport>,
    /// The SHA-256 of the encrypted package file, hex.
    pub sha256: String,
    /// The package file's name.
    pub file: String,
    /// When it was made (RFC 3339).
    pub sent_at: String,
    /// The release officer.
    pub officer: String,
    /// Why (a recall's reason; empty for a release).
    #[serde(default)]
    pub why: String,
    /// The partner's receipt, once recorded.
    #[serde(default)]
    pub receipt: Option<Receipt>,
    /// The report variants it carried, as packaged (none for a recall notice, nor for a
    /// package registered before variants were kept).
    #[serde(default)]
    pub variants: Vec<KeptVariant>,
}

/// A report variant as it went into a package, kept in the archive's blob store so that
/// the partner can read it in the portal exactly as it was sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptVariant {
    /// The report.
    pub report: String,
    /// Its version.
    pub version: u32,
    /// The variant's own marking.
    pub marking: String,
    /// Its files, as in the package's `data/REPORT/` folder.
    pub files: Vec<KeptFile>,
}

impl KeptVariant {
    /// The file of this name (`R-P3.md`), if the variant has one.
    pub fn file(&self, name: &str) -> Option<&KeptFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Its JSON file: the report as the partner has it.
    pub fn json(&self) -> Option<&KeptFile> {
        self.file(&format!("{}.json", self.report))
    }
}

/// One file of a kept variant: its name in the package and its content in the blob store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptFile {
    /// Its name (`R-P3.md`, `R-P3.stix.json`).
    pub name: String,
    /// The SHA-256 of its bytes, hex: its address in the blob store.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

/// Who a release is for.
#[derive(Clone, Copy, Debug)]
pub enum Audience<'a> {
    /// A partner service.
    Partner(&'a Partner),
    /// Anyone: the public edition.
    Public,
}

/// Why a marked portion may not go to an audience.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Withheld {
    /// The partner is suspended: it receives nothing.
    #[error("{partner} is suspended")]
    Suspended {
        /// The partner.
        partner: String,
    },
    /// The portion is classified higher than the audience is cleared for.
    #[error("{marking} is above the {cleared} clearance")]
    Classification {
        /// The portion's marking.
        marking: String,
        /// The audience's clearance.
        cleared: Classification,
    },
    /// NOFORN: no foreign service may have it.
    #[error("NOFORN")]
    Noforn,
    /// Neither the partner's country nor a group of it is on the release list.
    #[error("releasable to {list} only")]
    NotOnReleaseList {
        /// The release list, as printed.
        list: String,
    },
    /// ORCON, and the partner has not agreed to receive originator-controlled material.
    #[error("ORCON, and the partner does not receive ORCON material")]
    OrconNotAccepted,
    /// ORCON, and no consent of the originator to this release is recorded.
    #[error("ORCON, and the originator's consent to this release is not recorded")]
    OrconWithoutConsent,
    /// The public receives only what is unclassified with no control and no release list.
    #[error("{marking} is not for the public")]
    NotPublic {
        /// The portion's marking.
        marking: String,
    },
}

/// Whether a portion (a paragraph, quote, citation or attachment) marked `marking` may go
/// to `audience`; `orcon_consent` says whether the originator's consent to this release is
/// recorded. The one rule every release path calls.
///
/// A partner gets it only if it is active, cleared at least as high as the
/// classification, the marking is not NOFORN, its country or a group it is in is on the
/// release list (an empty list restricts nothing beyond the classification), and, for
/// ORCON, it receives ORCON material and consent is recorded. The public gets only what is
/// UNCLASSIFIED with no control and no release list.
pub fn releasable(
    marking: &Marking,
    audience: Audience<'_>,
    orcon_consent: bool,
) -> Result<(), Withheld> {
    let partner = match audience {
        Audience::Public => {
            let open = marking.classification == Classification::Unclassified
                && !marking.noforn
                && !marking.orcon
                && marking.releasable_to.is_empty();
            return if open {
                Ok(())
            } else {
                Err(Withheld::NotPublic {
                    marking: marking.to_string(),
                })
            };
        }
        Audience::Partner(p) => p,
    };
    if partner.state != PartnerState::Active {
        return Err(Withheld::Suspended {
            partner: partner.id.clone(),
        });
    }
    if marking.classification > partner.clearance {
        return Err(Withheld::Classification {
            marking: marking.to_string(),
            cleared: partner.clearance,
        });
    }
    if marking.noforn {
        return Err(Withheld::Noforn);
    }
    if !marking.releasable_to.is_empty()
        && !marking
            .releasable_to
            .iter()
            .any(|r| *r == partner.country || (is_group_name(r) && partner.is_in(r)))
    {
        return Err(Withheld::NotOnReleaseList {
            list: marking.releasable_to.join(", "),
        });
    }
    if marking.orcon {
        if !partner.caveats.contains(&Caveat::Orcon) {
            return Err(Withheld::OrconNotAccepted);
        }
        if !orcon_consent {
            return Err(Withheld::OrconWithoutConsent);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner(country: &str, clearance: Classification) -> Partner {
        Partner {
            id: format!("{country}-TEST"),
            country: country.to_string(),
            service: "Test".to_string(),
            clearance,
            caveats: vec![],
            groups: vec![],
            recipient: String::new(),
            verify_key: String::new(),
            need_to_know: NeedToKnow::default(),
            state: PartnerState::Active,
            why: String::new(),
            by: String::new(),
            at: String::new(),
        }
    }

    fn mark(text: &str) -> Marking {
        Marking::parse(text).expect("a marking")
    }

    #[test]
    fn every_group_member_is_a_country_and_names_have_the_group_shape() {
        for (name, members) in GROUPS {
            assert!(is_group_name(name), "{name}");
            for m in *members {
                assert!(crate::country_name(m).is_some(), "{name}: {m}");
            }
        }
        assert!(!is_group_name("GBR"));
        assert!(!is_group_name("fvey"));
        assert!(!is_group_name("1EYE"));
        assert!(is_group_name("BALT3"));
    }

    #[test]
    fn a_partner_gets_a_portion_only_when_every_part_of_its_marking_allows() {
        let mi5 = partner("GBR", Classification::Secret);
        let to = |m: &str| releasable(&mark(m), Audience::Partner(&mi5), false);
        assert_eq!(to("SECRET//REL TO GBR, USA"), Ok(()));
        assert_eq!(to("CONFIDENTIAL"), Ok(()));
        assert_eq!(to("SECRET//REL TO FVEY"), Ok(()));
        assert!(matches!(
            to("TOP SECRET//REL TO GBR"),
            Err(Withheld::Classification { .. })
        ));
        assert_eq!(to("SECRET//NOFORN"), Err(Withheld::Noforn));
        assert!(matches!(
            to("SECRET//REL TO USA, CAN"),
            Err(Withheld::NotOnReleaseList { .. })
        ));
        assert!(matches!(
            to("SECRET//REL TO BALTIC"),
            Err(Withheld::NotOnReleaseList { .. })
        ));
        assert_eq!(to("SECRET//ORCON"), Err(Withheld::OrconNotAccepted));
        let mut orcon = mi5.clone();
        orcon.caveats.push(Caveat::Orcon);
        let m = mark("SECRET//ORCON/REL TO GBR");
        assert_eq!(
            releasable(&m, Audience::Partner(&orcon), false),
            Err(Withheld::OrconWithoutConsent)
        );
        assert_eq!(releasable(&m, Audience::Partner(&orcon), true), Ok(()));
    }

    #[test]
    fn a_group_the_archive_defines_goes_to_the_partners_said_to_be_in_it() {
        let mut sapo = partner("EST", Classification::Secret);
        let m = mark("SECRET//REL TO BALTIC");
        assert!(releasable(&m, Audience::Partner(&sapo), false).is_err());
        sapo.groups.push("BALTIC".to_string());
        assert_eq!(releasable(&m, Audience::Partner(&sapo), false), Ok(()));
        // A group every archive knows is its countries, whatever a partner says.
        sapo.groups.push("FVEY".to_string());
        assert!(releasable(
            &mark("SECRET//REL TO FVEY"),
            Audience::Partner(&sapo),
            false
        )
        .is_err());
    }

    #[test]
    fn a_suspended_partner_gets_nothing_and_the_public_only_what_is_open() {
        let mut bnd = partner("DEU", Classification::TopSecret);
        bnd.state = PartnerState::Suspended;
        assert!(matches!(
            releasable(&Marking::unclassified(), Audience::Partner(&bnd), true),
            Err(Withheld::Suspended { .. })
        ));
        assert_eq!(
            releasable(&Marking::unclassified(), Audience::Public, false),
            Ok(())
        );
        for m in [
            "RESTRICTED",
            "UNCLASSIFIED//REL TO GBR",
            "UNCLASSIFIED//NOFORN",
            "UNCLASSIFIED//ORCON",
        ] {
            assert!(releasable(&mark(m), Audience::Public, true).is_err(), "{m}");
        }
    }

    #[test]
    fn caveats_are_a_closed_vocabulary() {
        assert_eq!("orcon".parse(), Ok(Caveat::Orcon));
        assert!("NOFORN".parse::<Caveat>().is_err());
        assert!(serde_json::from_str::<Caveat>("\"PROPIN\"").is_err());
        assert!(serde_json::from_str::<PartnerState>("\"asleep\"").is_err());
    }

    proptest::proptest! {
        // Whatever the marking and the partner, what the rule lets through is as low as
        // the clearance, never NOFORN, names the partner's country or a group it is in,
        // and is ORCON only with consent; and a suspended partner gets nothing.
        #[test]
        fn nothing_reaches_a_partner_its_marking_withholds_from(
            level in 0usize..5, cleared in 0usize..5,
            rel in proptest::collection::vec("(GBR|USA|DEU|EST|FVEY|NATO|BALTIC)", 0..3),
            noforn: bool, orcon: bool, consent: bool, accepts: bool, active: bool,
            country in "(GBR|USA|DEU|EST|NZL)", in_baltic: bool,
        ) {
            let mut list = Vec::new();
            for r in rel {
                if !list.contains(&r) {
                    list.push(r);
                }
            }
            let m = Marking {
                classification: Classification::ALL[level],
                releasable_to: if noforn { vec![] } else { list },
                noforn,
                orcon,
            };
            let mut p = partner(&country, Classification::ALL[cleared]);
            if accepts { p.caveats.push(Caveat::Orcon); }
            if in_baltic { p.groups.push("BALTIC".to_string()); }
            if !active { p.state = PartnerState::Suspended; }
            if releasable(&m, Audience::Partner(&p), consent).is_ok() {
                proptest::prop_assert!(active);
                proptest::prop_assert!(level <= cleared);
                proptest::prop_assert!(!noforn);
                proptest::prop_assert!(!orcon || (accepts && consent));
                let named = m.releasable_to.is_empty() || m.releasable_to.iter().any(|r| {
                    *r == country
                        || group_members(r).is_some_and(|g| g.contains(&country.as_str()))
                        || (r == "BALTIC" && in_baltic)
                });
                proptest::prop_assert!(named, "{} to {}", m, country);
            }
        }
    }
}
