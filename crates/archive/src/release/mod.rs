//! The release service: partner services with their keys and clearances, the release
//! officers' routing decisions and the originators' consents, kept in the store, and the
//! release plan worked out by kartoteka-release over the current reports.

use std::str::FromStr;

use kartoteka_model::{
    country_name, group_members, is_group_name, Caveat, Classification, Consent, NeedToKnow,
    Partner, PartnerState, Report, ReportStatus, Routing,
};
use kartoteka_release::{Offer, Plan};

use crate::{Archive, ArchiveError};

mod package;
mod released;

pub use package::{
    encrypt_to, open_package, Opened, Outdated, PackageManifest, PackagedVariant, Recall,
    SentPackage,
};
pub use released::{ReleasedHit, ReleasedSearch};

/// The release service of an archive.
pub struct Release<'a> {
    archive: &'a Archive,
}

impl Archive {
    /// The release service: partners, routing, consents and the plan.
    pub fn release(&self) -> Release<'_> {
        Release { archive: self }
    }
}

/// What a release plan is made over, loaded once.
struct Collection {
    latest: Vec<Report>,
    /// For each report whose latest version is not approved, its latest approved one.
    approved: Vec<Option<Report>>,
    routings: Vec<Routing>,
    consents: Vec<Consent>,
}

impl Collection {
    fn offers(&self) -> Vec<Offer<'_>> {
        self.latest
            .iter()
            .zip(&self.approved)
            .map(|(l, a)| Offer {
                latest: l,
                approved: if l.status == ReportStatus::Approved {
                    Some(l)
                } else {
                    a.as_ref()
                },
            })
            .collect()
    }
}

/// A partner as a release officer describes it, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct NewPartner {
    /// ISO 3166 alpha-3 code of its country, in any case.
    pub country: String,
    /// The service's name.
    pub service: String,
    /// Its clearance: a classification's name, in any case.
    pub clearance: String,
    /// Controls it agreed to receive material under ("ORCON").
    pub caveats: Vec<String>,
    /// Groups it belongs to.
    pub groups: Vec<String>,
    /// Its age X25519 recipient ("age1...").
    pub recipient: String,
    /// Its Ed25519 public key, 64 hex digits.
    pub verify_key: String,
    /// Countries it needs to know about.
    pub need_countries: Vec<String>,
    /// Topics it needs to know about.
    pub need_topics: Vec<String>,
    /// Why it is added (the agreement).
    pub why: String,
}

/// What a release officer changes of a partner: each field that is set replaces the
/// partner's (a list replaces the whole list).
#[derive(Clone, Debug, Default)]
pub struct PartnerChange {
    /// A new clearance.
    pub clearance: Option<String>,
    /// New caveats.
    pub caveats: Option<Vec<String>>,
    /// New groups.
    pub groups: Option<Vec<String>>,
    /// A new age recipient.
    pub recipient: Option<String>,
    /// A new Ed25519 public key.
    pub verify_key: Option<String>,
    /// New countries it needs to know about.
    pub need_countries: Option<Vec<String>>,
    /// New topics it needs to know about.
    pub need_topics: Option<Vec<String>>,
}

fn bad(input: &str, why: impl Into<String>) -> ArchiveError {
    ArchiveError::BadTarget(input.to_string(), why.into())
}

/// A country's code in capitals, or why it is not one.
fn country_code(code: &str) -> Result<String, ArchiveError> {
    let upper = code.trim().to_uppercase();
    if country_name(&upper).is_none() {
        return Err(bad(
            code,
            "not an ISO 3166 alpha-3 country code (GBR, DEU, UKR, ...)",
        ));
    }
    Ok(upper)
}

/// An age X25519 recipient, checked.
pub fn check_recipient(text: &str) -> Result<String, ArchiveError> {
    let text = text.trim();
    age::x25519::Recipient::from_str(text).map_err(|e| {
        bad(
            text,
            format!("not an age X25519 recipient ({e}); it looks like age1... and comes from `kartoteka keys generate` or age-keygen"),
        )
    })?;
    Ok(text.to_string())
}

/// An Ed25519 public key in hex, checked.
pub fn check_verify_key(text: &str) -> Result<String, ArchiveError> {
    let text = text.trim().to_lowercase();
    let bytes: [u8; 32] = hex::decode(&text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad(&text, "an Ed25519 public key is 64 hex digits"))?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes)
        .map_err(|_| bad(&text, "not a valid Ed25519 public key"))?;
    Ok(text)
}

fn unique(list: &mut Vec<String>) {
    let mut seen = Vec::new();
    list.retain(|x| {
        let new = !seen.contains(x);
        seen.push(x.clone());
        new
    });
}

impl Release<'_> {
    /// Every partner, in the order they were added.
    pub fn partners(&self) -> Result<Vec<Partner>, ArchiveError> {
        Ok(self.archive.store().partners()?)
    }

    /// The partner with this id (in any case).
    pub fn partner(&self, id: &str) -> Result<Partner, ArchiveError> {
        let partners = self.partners()?;
        let wanted = id.trim().to_uppercase();
        partners
            .into_iter()
            .find(|p| p.id == wanted)
            .ok_or_else(|| ArchiveError::NotFound(format!("partner {:?}", id.trim())))
    }

    /// Checks a partner's description and adds it, audited. Its id is its country and the
    /// service's name in Latin capitals ("GBR-MI5"); a second service of that name in that
    /// country is refused.
    pub fn add_partner(&self, new: &NewPartner) -> Result<Partner, ArchiveError> {
        let partner = self.checked(new)?;
        if self.partners()?.iter().any(|p| p.id == partner.id) {
            return Err(bad(
                &partner.id,
                format!(
                    "partner {} exists already; a second service of {} needs another name",
                    partner.id, partner.country
                ),
            ));
        }
        Ok(self.archive.store().add_partner(&partner)?)
    }

    /// Changes what decides a partner's releases (clearance, caveats, groups, keys,
    /// need-to-know): each field of `change` that is set replaces the partner's, checked
    /// as when it was added, audited with what changed and why. Its id and state stay.
    pub fn change_partner(
        &self,
        id: &str,
        change: &PartnerChange,
        why: &str,
    ) -> Result<Partner, ArchiveError> {
        if why.trim().is_empty() {
            return Err(bad(id, "say why the partner is changed"));
        }
        let old = self.partner(id)?;
        let mut new = NewPartner {
            country: old.country.clone(),
            service: old.service.clone(),
            clearance: old.clearance.as_str().to_string(),
            caveats: old.caveats.iter().map(|c| c.as_str().to_string()).collect(),
            groups: old.groups.clone(),
            recipient: old.recipient.clone(),
            verify_key: old.verify_key.clone(),
            need_countries: old.need_to_know.countries.clone(),
            need_topics: old.need_to_know.topics.clone(),
            why: why.to_string(),
        };
        if let Some(c) = &change.clearance {
            new.clearance = c.clone();
        }
        if let Some(c) = &change.caveats {
            new.caveats = c.clone();
        }
        if let Some(g) = &change.groups {
            new.groups = g.clone();
        }
        if let Some(r) = &change.recipient {
            new.recipient = r.clone();
        }
        if let Some(k) = &change.verify_key {
            new.verify_key = k.clone();
        }
        if let Some(n) = &change.need_countries {
            new.need_countries = n.clone();
        }
        if let Some(n) = &change.need_topics {
            new.need_topics = n.clone();
        }
        let mut p = self.checked(&new)?;
        p.id = old.id.clone();
        p.state = old.state;
        let mut changed = Vec::new();
        if p.clearance != old.clearance {
            changed.push("clearance");
        }
        if p.caveats != old.caveats {
            changed.push("caveats");
        }
        if p.groups != old.groups {
            changed.push("groups");
        }
        if p.recipient != old.recipient {
            changed.push("recipient");
        }
        if p.verify_key != old.verify_key {
            changed.push("verify key");
        }
        if p.need_to_know != old.need_to_know {
            changed.push("need to know");
        }
        if changed.is_empty() {
            return Err(bad(
                id,
                format!("nothing to change: partner {} is so already", p.id),
            ));
        }
        Ok(self
            .archive
            .store()
            .update_partner(&p, &format!("changed {}", changed.join(", ")))?)
    }

    /// A partner made from its description, every part checked; its id from its country
    /// and service.
    fn checked(&self, new: &NewPartner) -> Result<Partner, ArchiveError> {
        let country = country_code(&new.country)?;
        let service = new.service.trim();
        if service.is_empty() {
            return Err(bad("", "a partner needs the name of its service"));
        }
        let clearance =
            Classification::from_str(&new.clearance).map_err(|e| bad(&new.clearance, e.1))?;
        let mut caveats = Vec::new();
        for c in &new.caveats {
            let caveat = Caveat::from_str(c).map_err(|e| bad(c, e.to_string()))?;
            if !caveats.contains(&caveat) {
                caveats.push(caveat);
            }
        }
        let mut groups = Vec::new();
        for g in &new.groups {
            let name = g.trim().to_uppercase();
            if !is_group_name(&name) {
                return Err(bad(
                    g,
                    "a group's name is 4 to 16 capitals and digits, beginning with a letter (FVEY, NATO, BALTIC)",
                ));
            }
            if let Some(members) = group_members(&name) {
                if !members.contains(&country.as_str()) {
                    return Err(bad(
                        g,
                        format!(
                            "{name} is the countries {}; {country} is not one of them",
                            members.join(", ")
                        ),
                    ));
                }
            }
            groups.push(name);
        }
        unique(&mut groups);
        let mut need_countries = Vec::new();
        for c in &new.need_countries {
            need_countries.push(country_code(c)?);
        }
        unique(&mut need_countries);
        let mut topics: Vec<String> = new
            .need_topics
            .iter()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        unique(&mut topics);
        let partner = Partner {
            id: format!("{country}-{}", kartoteka_claims::id_part(service)),
            country,
            service: service.to_string(),
            clearance,
            caveats,
            groups,
            recipient: check_recipient(&new.recipient)?,
            verify_key: check_verify_key(&new.verify_key)?,
            need_to_know: NeedToKnow {
                countries: need_countries,
                topics,
            },
            state: PartnerState::Active,
            why: new.why.trim().to_string(),
            by: String::new(),
            at: String::new(),
        };
        Ok(partner)
    }

    /// Suspends a partner (it receives nothing) or resumes it, with the reason, audited.
    pub fn set_state(
        &self,
        id: &str,
        state: PartnerState,
        why: &str,
    ) -> Result<Partner, ArchiveError> {
        if why.trim().is_empty() {
            return Err(bad(id, "say why the partner is suspended or resumed"));
        }
        let mut p = self.partner(id)?;
        if p.state == state {
            return Err(bad(id, format!("partner {} is {state} already", p.id)));
        }
        p.state = state;
        p.why = why.trim().to_string();
        let change = match state {
            PartnerState::Active => "resumed",
            PartnerState::Suspended => "suspended",
        };
        Ok(self.archive.store().update_partner(&p, change)?)
    }

    /// Records a release officer's decision to send a report to a partner (`send`) or to
    /// hold it back, with the reason, audited.
    pub fn route(
        &self,
        report: &str,
        partner: &str,
        send: bool,
        why: &str,
    ) -> Result<Routing, ArchiveError> {
        if why.trim().is_empty() {
            return Err(bad(
                report,
                "say why the report is sent or held back by hand",
            ));
        }
        let partner = self.partner(partner)?;
        let report = self.archive.reports().report(report, None)?;
        Ok(self.archive.store().add_routing(&Routing {
            report: report.id,
            partner: partner.id,
            send,
            why: why.trim().to_string(),
            by: String::new(),
            at: String::new(),
        })?)
    }

    /// Records the originator's consent to release a report's ORCON portions to a partner.
    pub fn consent(
        &self,
        report: &str,
        partner: &str,
        originator: &str,
        why: &str,
    ) -> Result<Consent, ArchiveError> {
        if originator.trim().is_empty() || why.trim().is_empty() {
            return Err(bad(
                report,
                "a consent names who gave it for the originator and where it is recorded",
            ));
        }
        let partner = self.partner(partner)?;
        let report = self.archive.reports().report(report, None)?;
        Ok(self.archive.store().add_consent(&Consent {
            report: report.id,
            partner: partner.id,
            originator: originator.trim().to_string(),
            why: why.trim().to_string(),
            by: String::new(),
            at: String::new(),
        })?)
    }

    /// The release plan over the current reports, for the partners named (every partner
    /// when none is).
    pub fn plan(&self, only: &[String]) -> Result<Plan, ArchiveError> {
        let partners = self.chosen(only)?;
        let c = self.collection()?;
        Ok(kartoteka_release::plan(
            &partners,
            &c.offers(),
            &c.routings,
            &c.consents,
        ))
    }

    /// The partners named, each once, in the order named; every partner when none is.
    fn chosen(&self, only: &[String]) -> Result<Vec<Partner>, ArchiveError> {
        if only.is_empty() {
            return self.partners();
        }
        let mut partners = Vec::new();
        for id in only {
            let p = self.partner(id)?;
            if !partners.contains(&p) {
                partners.push(p);
            }
        }
        Ok(partners)
    }

    /// What a plan is made over: the current reports, their latest approved versions,
    /// the routing decisions and the consents.
    fn collection(&self) -> Result<Collection, ArchiveError> {
        let latest = self.archive.reports().current_reports()?;
        let approved = self.approved_versions(&latest)?;
        let store = self.archive.store();
        Ok(Collection {
            latest,
            approved,
            routings: store.routings()?,
            consents: store.consents()?,
        })
    }

    /// The latest approved version of each report that is not its latest version (an
    /// approved latest version is not copied).
    fn approved_versions(&self, reports: &[Report]) -> Result<Vec<Option<Report>>, ArchiveError> {
        let mut out = Vec::with_capacity(reports.len());
        for r in reports {
            if r.status == ReportStatus::Approved {
                // The latest version itself: `Collection::offers` points at it.
                out.push(None);
                continue;
            }
            let versions = self.archive.store().report_versions(&r.id)?;
            out.push(
                versions
                    .into_iter()
                    .rev()
                    .find(|v| v.status == ReportStatus::Approved),
            );
        }
        Ok(out)
    }
}

/// A partner's own keys, made on its side: the age X25519 identity its packages are
/// encrypted to, and the Ed25519 key it signs receipts with. Kept in one file in the
/// format of age-keygen (the signing key on a comment line), so that `age -d -i FILE`
/// opens a package with the same file.
pub struct PartnerKeys {
    identity: age::x25519::Identity,
    signing: ed25519_dalek::SigningKey,
}

/// The comment line that holds the signing key.
const SIGNING_LINE: &str = "# kartoteka ed25519 signing key: ";

impl PartnerKeys {
    /// New random keys.
    pub fn generate() -> Result<PartnerKeys, ArchiveError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| ArchiveError::Key(format!("no randomness for a key: {e}")))?;
        Ok(PartnerKeys {
            identity: age::x25519::Identity::generate(),
            signing: ed25519_dalek::SigningKey::from_bytes(&seed),
        })
    }

    /// The age recipient to give the archive ("age1...").
    pub fn recipient(&self) -> String {
        self.identity.to_public().to_string()
    }

    /// The Ed25519 public key to give the archive, hex.
    pub fn verify_key(&self) -> String {
        hex::encode(self.signing.verifying_key().to_bytes())
    }

    /// The age identity, for decrypting.
    pub fn identity(&self) -> &age::x25519::Identity {
        &self.identity
    }

    /// The signing key, for receipts.
    pub fn signing_key(&self) -> &ed25519_dalek::SigningKey {
        &self.signing
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        use age::secrecy::ExposeSecret;
        format!(
            "# Kartoteka partner keys: keep this file secret. It opens the packages sent to you\n\
             # (also with `age -d -i THIS_FILE`) and signs your receipts.\n\
             # created: {}\n\
             # public key: {}\n\
             # verify key: {}\n\
             {SIGNING_LINE}{}\n\
             {}\n",
            kartoteka_model::now_rfc3339(),
            self.recipient(),
            self.verify_key(),
            hex::encode(self.signing.to_bytes()),
            self.identity.to_string().expose_secret()
        )
    }

    /// Reads keys from a file's text.
    pub fn parse(text: &str) -> Result<PartnerKeys, ArchiveError> {
        let mut identity = None;
        let mut signing = None;
        for line in text.lines().map(str::trim) {
            if let Some(h) = line.strip_prefix(SIGNING_LINE.trim_end()) {
                let bytes: [u8; 32] = hex::decode(h.trim())
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| {
                        ArchiveError::Key("the signing key is not 64 hex digits".into())
                    })?;
                signing = Some(ed25519_dalek::SigningKey::from_bytes(&bytes));
            } else if line.starts_with("AGE-SECRET-KEY-") {
                identity = Some(age::x25519::Identity::from_str(line).map_err(|e| {
                    ArchiveError::Key(format!("the age identity does not read: {e}"))
                })?);
            }
        }
        match (identity, signing) {
            (Some(identity), Some(signing)) => Ok(PartnerKeys { identity, signing }),
            (None, _) => Err(ArchiveError::Key(
                "no age identity (a line AGE-SECRET-KEY-1...) in the keys file".into(),
            )),
            (_, None) => Err(ArchiveError::Key(format!(
                "no signing key (a line \"{}...\") in the keys file; make one with `kartoteka keys generate`",
                SIGNING_LINE.trim_end()
            ))),
        }
    }

    /// Reads keys from a file.
    pub fn read(path: &std::path::Path) -> Result<PartnerKeys, ArchiveError> {
        let meta = std::fs::metadata(path)
            .map_err(|e| ArchiveError::Key(format!("{}: {e}", path.display())))?;
        if meta.len() > 64 * 1024 {
            return Err(ArchiveError::Key(format!(
                "{}: {} bytes is too long for a keys file",
                path.display(),
                meta.len()
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| ArchiveError::Key(format!("{}: {e}", path.display())))?;
        PartnerKeys::parse(&text)
            .map_err(|e| ArchiveError::Key(format!("{}: {}", path.display(), e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        // A keys file, a recipient or a verify key of any text is read or refused,
        // never a panic.
        #[test]
        fn any_text_as_keys_is_read_or_refused(text in "\\PC{0,300}") {
            let _ = PartnerKeys::parse(&text);
            let _ = check_recipient(&text);
            let _ = check_verify_key(&text);
        }
    }

    #[test]
    fn partner_keys_read_back_as_written_and_check_as_keys() {
        let keys = PartnerKeys::generate().expect("keys");
        let again = PartnerKeys::parse(&keys.to_text()).expect("read back");
        assert_eq!(again.recipient(), keys.recipient());
        assert_eq!(again.verify_key(), keys.verify_key());
        assert_eq!(
            check_recipient(&keys.recipient()).expect("a recipient"),
            keys.recipient()
        );
        assert_eq!(
            check_verify_key(&keys.verify_key()).expect("a key"),
            keys.verify_key()
        );
        assert!(check_recipient("age1notakey").is_err());
        assert!(check_verify_key(&"zz".repeat(32)).is_err());
        assert!(check_verify_key("abcd").is_err());
        let no_signing: String = keys
            .to_text()
            .lines()
            .filter(|l| !l.starts_with(SIGNING_LINE.trim_end()))
            .collect::<Vec<_>>()
            .join("\n");
        let e = PartnerKeys::parse(&no_signing).err().expect("refused");
        assert!(e.to_string().contains("no signing key"), "{e}");
    }
}
