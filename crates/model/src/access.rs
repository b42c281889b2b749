//! Who may do what in the reading room: the people who sign in, their roles, the tokens
//! machines carry, and the one rule ([`allows`]) that says whether a role, through a
//! token's scopes, may take an action. The server asks it; it decides nothing itself.
//!
//! Roles decide actions; what a person may *read* of the archive's content is decided by
//! the releasability rule, as everywhere else.

use serde::{Deserialize, Serialize};

/// What a person does at the archive. Each role is a set of [`Action`]s ([`allows`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Takes in and keeps the holdings: ingest, transfers, fixity, the ledger.
    Archivist,
    /// Reads, searches and writes notes in the margin.
    Researcher,
    /// A researcher who also judges whether two names are one person, and makes claims.
    Analyst,
    /// Reviews and approves reports.
    Reviewer,
    /// Decides what goes to which partner, and sends it.
    ReleaseOfficer,
    /// A partner service's person: sees only what was released to that partner.
    Liaison,
    /// Manages users and tokens; may do everything the others may.
    Administrator,
}

impl Role {
    /// Every role, in the order the documentation lists them.
    pub const ALL: [Role; 7] = [
        Role::Archivist,
        Role::Researcher,
        Role::Analyst,
        Role::Reviewer,
        Role::ReleaseOfficer,
        Role::Liaison,
        Role::Administrator,
    ];

    /// Its word: "archivist", "release-officer", ...
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Archivist => "archivist",
            Role::Researcher => "researcher",
            Role::Analyst => "analyst",
            Role::Reviewer => "reviewer",
            Role::ReleaseOfficer => "release-officer",
            Role::Liaison => "liaison",
            Role::Administrator => "administrator",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A word that names no role or scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {word:?}: expected one of {expected}")]
pub struct AccessWordError {
    /// "role" or "scope".
    pub what: &'static str,
    /// The word given.
    pub word: String,
    /// The words that would do.
    pub expected: String,
}

impl std::str::FromStr for Role {
    type Err = AccessWordError;

    /// Reads a role in any case, with `_` or `-` or a space between words; "admin" and
    /// "partner-liaison" are taken too.
    fn from_str(s: &str) -> Result<Role, AccessWordError> {
        let word = s.trim().to_lowercase().replace(['_', ' '], "-");
        let word = match word.as_str() {
            "admin" => "administrator",
            "partner-liaison" => "liaison",
            other => other,
        };
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == word)
            .ok_or_else(|| AccessWordError {
                what: "role",
                word: s.to_string(),
                expected: Role::ALL.map(Role::as_str).join(", "),
            })
    }
}

/// What a machine's token may be used for; the user's role still bounds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Reading: search, documents, persons, the tree.
    Read,
    /// Changing the archive's content: notes, judgements, ingest.
    Write,
    /// Managing people and tokens.
    Admin,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    /// Its word.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Scope {
    type Err = AccessWordError;

    fn from_str(s: &str) -> Result<Scope, AccessWordError> {
        let word = s.trim().to_lowercase();
        Scope::ALL
            .into_iter()
            .find(|r| r.as_str() == word)
            .ok_or_else(|| AccessWordError {
                what: "scope",
                word: s.to_string(),
                expected: Scope::ALL.map(Scope::as_str).join(", "),
            })
    }
}

/// Something a person can ask the reading room to do. Each endpoint of the server is one
/// of these, so that [`allows`] is the whole of its authorisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Search the holdings and read documents, sheets and the archival tree.
    ReadHoldings,
    /// Read persons, dossiers and candidate links.
    ReadPersons,
    /// Write and change one's own notes.
    Annotate,
    /// Judge whether two mentions are one person.
    Judge,
    /// Ingest, transfers, fixity, the ledger's retries: the archivist's work.
    Keep,
    /// Read the archivist's pages: ledger, fixity, transfers.
    ReadKeeping,
    /// See one's own account.
    SeeSelf,
    /// Manage users and tokens.
    ManageAccess,
    /// Read the register of packages sent to partners: a liaison only its own partner's
    /// (for a liaison nothing else exists), a release officer every partner's.
    ReadReleases,
    /// Search what one may read: the holdings, or for a liaison only the variants released
    /// to its partner.
    Search,
    /// See the partners and the release plan: who would get which report, and why.
    PlanReleases,
    /// Send a round of packages to partners.
    SendReleases,
    /// Follow background jobs: each caller only those of the work it may do.
    ReadJobs,
    /// Read the reports with their versions and differences, and the claims with their
    /// grades, citations and conflicts.
    ReadReports,
    /// Write claims and build reports from them: the analyst's work.
    Analyse,
    /// Edit a report's paragraphs and markings, review and approve it: the reviewer's work.
    Review,
    /// Read the audit chain and verify it.
    ReadAudit,
}

impl Action {
    /// The scope a token must carry for this action.
    pub fn scope(self) -> Scope {
        match self {
            Action::ReadHoldings
            | Action::ReadPersons
            | Action::ReadKeeping
            | Action::SeeSelf
            | Action::ReadReleases
            | Action::Search
            | Action::PlanReleases
            | Action::ReadJobs
            | Action::ReadReports
            | Action::ReadAudit => Scope::Read,
            Action::Annotate
            | Action::Judge
            | Action::Keep
            | Action::SendReleases
            | Action::Analyse
            | Action::Review => Scope::Write,
            Action::ManageAccess => Scope::Admin,
        }
    }
}

/// Whether a person of `role` may take `action`. A liaison reaches nothing of the reading
/// room's holdings: only what was released to its partner.
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Administrator => true,
        Role::Liaison => matches!(action, SeeSelf | ReadReleases | Search),
        _ if action == Search => role_allows(role, ReadHoldings),
        Role::Archivist => matches!(
            action,
            ReadHoldings
                | ReadPersons
                | Annotate
                | Keep
                | ReadKeeping
                | ReadJobs
                | ReadAudit
                | SeeSelf
        ),
        Role::Researcher => matches!(action, ReadHoldings | ReadPersons | Annotate | SeeSelf),
        Role::Analyst => matches!(
            action,
            ReadHoldings | ReadPersons | Annotate | Judge | SeeSelf | ReadReports | Analyse
        ),
        Role::Reviewer => matches!(
            action,
            ReadHoldings | ReadPersons | Annotate | Judge | SeeSelf | ReadReports | Review
        ),
        Role::ReleaseOfficer => matches!(
            action,
            ReadHoldings
                | ReadPersons
                | Annotate
                | Judge
                | SeeSelf
                | ReadReleases
                | PlanReleases
                | SendReleases
                | ReadJobs
                | ReadReports
                | ReadAudit
        ),
    }
}

/// Whether `role`, acting through a token with `scopes` (or a browser session, `None`,
/// which carries every scope of the role), may take `action`: the role must allow it and
/// the token must carry its scope.
pub fn allows(role: Role, scopes: Option<&[Scope]>, action: Action) -> bool {
    role_allows(role, action) && scopes.is_none_or(|s| s.contains(&action.scope()))
}

/// A person who may sign in to the reading room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Their sign-in name, unique in the archive; also the actor in the audit chain.
    pub name: String,
    /// What they do.
    pub role: Role,
    /// The partner service a liaison speaks for (its id), and no one else's.
    #[serde(default)]
    pub partner: Option<String>,
    /// The Argon2id hash of their password in PHC form; none for a user who signs in only
    /// with tokens.
    #[serde(default)]
    pub password_hash: Option<String>,
    /// A disabled user can neither sign in nor use a token.
    #[serde(default)]
    pub disabled: bool,
    /// Who added them.
    #[serde(default)]
    pub by: String,
    /// When (RFC 3339).
    #[serde(default)]
    pub at: String,
}

impl User {
    /// The user as shown to people and machines: never the password's hash, only whether
    /// there is one.
    pub fn card(&self) -> UserCard {
        UserCard {
            name: self.name.clone(),
            role: self.role,
            partner: self.partner.clone(),
            disabled: self.disabled,
            password: self.password_hash.is_some(),
            by: self.by.clone(),
            at: self.at.clone(),
        }
    }
}

/// A user as `user list --json` and the reading room show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserCard {
    /// Their sign-in name.
    pub name: String,
    /// What they do.
    pub role: Role,
    /// The partner service a liaison speaks for.
    pub partner: Option<String>,
    /// Whether they are disabled.
    pub disabled: bool,
    /// Whether they have a password (else they use tokens only).
    pub password: bool,
    /// Who added them.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// A token a machine sends as `Authorization: Bearer ...`. Only its hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// Its id ("T3"), shown to people and used to revoke it; never the secret.
    pub id: String,
    /// The user it acts for.
    pub user: String,
    /// What it may be used for.
    pub scopes: Vec<Scope>,
    /// The SHA-256 of the secret, in hex.
    pub hash: String,
    /// Whether it was revoked (it then authenticates nothing).
    #[serde(default)]
    pub revoked: bool,
    /// Who made it.
    #[serde(default)]
    pub by: String,
    /// When (RFC 3339).
    #[serde(default)]
    pub at: String,
}

impl ApiToken {
    /// The token as shown to people and machines: never its secret's hash.
    pub fn card(&self) -> TokenCard {
        TokenCard {
            id: self.id.clone(),
            user: self.user.clone(),
            scopes: self.scopes.clone(),
            revoked: self.revoked,
            by: self.by.clone(),
            at: self.at.clone(),
        }
    }
}

/// A token as `token list --json` and the reading room show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenCard {
    /// Its id ("T3").
    pub id: String,
    /// The user it acts for.
    pub user: String,
    /// What it may be used for.
    pub scopes: Vec<Scope>,
    /// Whether it was revoked.
    pub revoked: bool,
    /// Who made it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// Scopes as people read them: "read, write".
pub fn scope_list(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A browser's signed-in session. The cookie carries the secret; only its hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebSession {
    /// The SHA-256 of the cookie's secret, in hex.
    pub hash: String,
    /// Who signed in.
    pub user: String,
    /// The token every form and state-changing request of this session must carry.
    pub csrf: String,
    /// When it began (RFC 3339).
    pub at: String,
    /// When it ends (RFC 3339); an ended session authenticates nothing.
    pub expires: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_scopes_read_as_people_write_them() {
        assert_eq!("Release_Officer".parse::<Role>(), Ok(Role::ReleaseOfficer));
        assert_eq!("partner liaison".parse::<Role>(), Ok(Role::Liaison));
        assert_eq!("admin".parse::<Role>(), Ok(Role::Administrator));
        let e = "curator".parse::<Role>().unwrap_err();
        assert!(e.to_string().contains("curator") && e.to_string().contains("archivist"));
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert_eq!("READ".parse::<Scope>(), Ok(Scope::Read));
        assert!("delete".parse::<Scope>().is_err());
    }

    #[test]
    fn a_token_is_bounded_by_both_its_scopes_and_its_role() {
        // A researcher's write token may annotate but not judge: the role says no.
        let write = [Scope::Read, Scope::Write];
        assert!(allows(Role::Researcher, Some(&write), Action::Annotate));
        assert!(!allows(Role::Researcher, Some(&write), Action::Judge));
        // An administrator's read token cannot manage access: the scope says no.
        assert!(!allows(
            Role::Administrator,
            Some(&[Scope::Read]),
            Action::ManageAccess
        ));
        assert!(allows(Role::Administrator, None, Action::ManageAccess));
        // A liaison sees nothing of the holdings, whatever its token says.
        assert!(!allows(
            Role::Liaison,
            Some(&Scope::ALL),
            Action::ReadHoldings
        ));
        assert!(allows(Role::Liaison, None, Action::SeeSelf));
    }
}
