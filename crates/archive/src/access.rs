//! The access service: the people who may use the reading room, their passwords (hashed
//! with Argon2id), the tokens machines carry and the browser sessions open now. The
//! server asks it who someone is; what they may do is `kartoteka_model::allows`.
//!
//! Secrets (passwords, tokens, session cookies) are never stored: a password is kept as
//! its Argon2id hash, a token and a session as the SHA-256 of 32 random bytes, which is
//! enough for a secret nobody chose.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use kartoteka_model::{ApiToken, Role, Scope, User, WebSession};
use sha2::{Digest, Sha256};

use crate::{Archive, ArchiveError};

/// The access service of an archive.
pub struct Access<'a> {
    archive: &'a Archive,
}

impl Archive {
    /// The access service: users, tokens and sessions.
    pub fn access(&self) -> Access<'_> {
        Access { archive: self }
    }
}

/// The shortest password taken.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What a token or a session cookie begins with, so that a leaked one is recognisable
/// (secret scanners key on such prefixes).
pub const TOKEN_PREFIX: &str = "kt_";

/// Who a request is from, once its token or session has been checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The user.
    pub user: User,
    /// The token's scopes, or `None` for a browser session (every scope of the role).
    pub scopes: Option<Vec<Scope>>,
    /// The session's CSRF token, for a browser session.
    pub csrf: Option<String>,
}

/// Why a sign-in or a credential was refused. Deliberately says no more than a stranger
/// may know: a wrong name and a wrong password read the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The name and password do not match an enabled user.
    #[error("the name or the password is wrong, or the user is disabled")]
    SignIn,
    /// The token or session is unknown, revoked, expired, or its user disabled.
    #[error("the credentials are not valid (unknown, revoked, expired, or the user is disabled)")]
    Credentials,
}

fn random_secret() -> Result<String, ArchiveError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ArchiveError::Key(format!("no randomness: {e}")))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// The hash under which a token or session secret is kept.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn bad(input: &str, why: impl Into<String>) -> ArchiveError {
    ArchiveError::BadTarget(input.to_string(), why.into())
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane, the
/// OWASP recommendation) and a random salt, in PHC form.
fn hash_password(password: &str) -> Result<String, ArchiveError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ArchiveError::Key(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ArchiveError::Key(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ArchiveError::Key(format!("cannot hash the password: {e}")))
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash that no password matches, verified against when the user does not exist, so
/// that a wrong name takes as long as a wrong password.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$a2FydG90ZWthLWRlY295$0wDnr0Kz2MSoKKpAHvDRW3qGLDrbnj1DJpi/ERO6u1c";

fn check_name(name: &str) -> Result<(), ArchiveError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(bad(
            name,
            "a user name is 1 to 64 letters, digits and . _ - @ (no spaces)",
        ))
    }
}

fn check_password(password: &str) -> Result<(), ArchiveError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(bad(
            "",
            format!("a password has at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > 1024 {
        return Err(bad("", "a password has at most 1024 bytes"));
    }
    Ok(())
}

impl Access<'_> {
    /// Adds a user with a role. A liaison must name the partner (an id from `partners`)
    /// it speaks for, and no one else may. Without a password the user signs in only with
    /// tokens. Audited.
    pub fn add_user(
        &self,
        name: &str,
        role: Role,
        partner: Option<&str>,
        password: Option<&str>,
    ) -> Result<User, ArchiveError> {
        check_name(name)?;
        match (role, partner) {
            (Role::Liaison, None) => {
                return Err(bad(
                    name,
                    "a liaison speaks for one partner service: name it with --partner ID",
                ))
            }
            (Role::Liaison, Some(id)) => {
                let known = self.archive.store().partners()?.iter().any(|p| p.id == id);
                if !known {
                    return Err(ArchiveError::NotFound(format!(
                        "partner {id} (`kartoteka partners` lists them)"
                    )));
                }
            }
            (_, Some(_)) => {
                return Err(bad(
                    name,
                    "only a liaison is bound to a partner; leave out --partner",
                ))
            }
            (_, None) => {}
        }
        let password_hash = match password {
            Some(p) => {
                check_password(p)?;
                Some(hash_password(p)?)
            }
            None => None,
        };
        if self.archive.store().user(name)?.is_some() {
            return Err(bad(name, format!("there is already a user named {name:?}")));
        }
        let user = User {
            name: name.to_string(),
            role,
            partner: partner.map(str::to_string),
            password_hash,
            disabled: false,
            by: String::new(),
            at: String::new(),
        };
        Ok(self.archive.store().add_user(&user)?)
    }

    /// Every user, in the order they were added.
    pub fn users(&self) -> Result<Vec<User>, ArchiveError> {
        Ok(self.archive.store().users()?)
    }

    fn existing(&self, name: &str) -> Result<User, ArchiveError> {
        self.archive
            .store()
            .user(name)?
            .ok_or_else(|| ArchiveError::NotFound(format!("user {name:?}")))
    }

    /// Disables a user: their sessions and tokens stop working at once. Audited.
    pub fn disable_user(&self, name: &str) -> Result<User, ArchiveError> {
        let user = self.existing(name)?;
        if user.disabled {
            return Err(bad(name, format!("user {name:?} is already disabled")));
        }
        Ok(self.archive.store().update_user(
            &User {
                disabled: true,
                ..user
            },
            "disabled",
        )?)
    }

    /// Sets a user's password. Audited (the hash is not in the chain).
    pub fn set_password(&self, name: &str, password: &str) -> Result<User, ArchiveError> {
        check_password(password)?;
        let user = self.existing(name)?;
        Ok(self.archive.store().update_user(
            &User {
                password_hash: Some(hash_password(password)?),
                ..user
            },
            "password changed",
        )?)
    }

    /// Makes a token for a user with these scopes; returns it with its secret, which is
    /// shown this once and never kept. Audited.
    pub fn create_token(
        &self,
        user: &str,
        scopes: &[Scope],
    ) -> Result<(ApiToken, String), ArchiveError> {
        if scopes.is_empty() {
            return Err(bad(user, "a token needs at least one scope (--scope read)"));
        }
        let owner = self.existing(user)?;
        if owner.disabled {
            return Err(bad(user, format!("user {user:?} is disabled")));
        }
        let mut scopes = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        let secret = random_secret()?;
        let token = ApiToken {
            id: String::new(),
            user: user.to_string(),
            scopes,
            hash: secret_hash(&secret),
            revoked: false,
            by: String::new(),
            at: String::new(),
        };
        let token = self.archive.store().add_token(&token)?;
        Ok((token, secret))
    }

    /// Revokes a token by its id ("T3"). Audited.
    pub fn revoke_token(&self, id: &str) -> Result<ApiToken, ArchiveError> {
        let id = id.trim();
        let known = self
            .archive
            .store()
            .tokens()?
            .into_iter()
            .find(|t| t.id == id);
        match known {
            None => Err(ArchiveError::NotFound(format!(
                "token {id} (`kartoteka token list` lists them)"
            ))),
            Some(t) if t.revoked => Err(bad(id, format!("token {id} is already revoked"))),
            Some(_) => Ok(self.archive.store().revoke_token(id)?),
        }
    }

    /// Every token, without secrets.
    pub fn tokens(&self) -> Result<Vec<ApiToken>, ArchiveError> {
        Ok(self.archive.store().tokens()?)
    }

    /// Who sends this bearer token.
    pub fn by_token(&self, secret: &str) -> Result<Result<Caller, Denied>, ArchiveError> {
        let store = self.archive.store();
        let Some(token) = store.token_by_hash(&secret_hash(secret))? else {
            return Ok(Err(Denied::Credentials));
        };
        if token.revoked {
            return Ok(Err(Denied::Credentials));
        }
        match store.user(&token.user)? {
            Some(user) if !user.disabled => Ok(Ok(Caller {
                user,
                scopes: Some(token.scopes),
                csrf: None,
            })),
            _ => Ok(Err(Denied::Credentials)),
        }
    }

    /// Signs a user in with their password, opening a session of `hours`; returns the
    /// session and the cookie's secret. A wrong name costs as much time as a wrong
    /// password. Audited when it succeeds.
    pub fn sign_in(
        &self,
        name: &str,
        password: &str,
        hours: u64,
    ) -> Result<Result<(WebSession, String), Denied>, ArchiveError> {
        let user = if check_name(name).is_ok() && password.len() <= 1024 {
            self.archive.store().user(name)?
        } else {
            None
        };
        let hash = user
            .as_ref()
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| DECOY_HASH.to_string());
        // Verified even when there is no such user, for the time it takes.
        let matches = password_matches(password, &hash);
        let Some(user) = user.filter(|u| matches && !u.disabled && u.password_hash.is_some())
        else {
            return Ok(Err(Denied::SignIn));
        };
        let secret = random_secret()?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let session = WebSession {
            hash: secret_hash(&secret),
            user: user.name.clone(),
            csrf: random_secret()?,
            at: kartoteka_model::rfc3339(now),
            expires: kartoteka_model::rfc3339(now + hours.max(1) * 3600),
        };
        let mut store = self.archive.store();
        store.set_actor(&user.name);
        store.add_session(&session)?;
        Ok(Ok((session, secret)))
    }

    /// Who holds this session cookie, while the session lasts and the user is enabled.
    pub fn by_session(&self, secret: &str) -> Result<Result<Caller, Denied>, ArchiveError> {
        let store = self.archive.store();
        let Some(session) = store.session(&secret_hash(secret))? else {
            return Ok(Err(Denied::Credentials));
        };
        if session.expires <= kartoteka_model::now_rfc3339() {
            return Ok(Err(Denied::Credentials));
        }
        match store.user(&session.user)? {
            Some(user) if !user.disabled => Ok(Ok(Caller {
                user,
                scopes: None,
                csrf: Some(session.csrf),
            })),
            _ => Ok(Err(Denied::Credentials)),
        }
    }

    /// Ends the session of this cookie, if there is one. Audited when there was.
    pub fn sign_out(&self, secret: &str) -> Result<(), ArchiveError> {
        let mut store = self.archive.store();
        if let Some(session) = store.session(&secret_hash(secret))? {
            store.set_actor(&session.user);
            store.end_session(&session.hash)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_is_a_well_formed_hash_no_password_matches() {
        assert!(PasswordHash::new(DECOY_HASH).is_ok());
        assert!(!password_matches("", DECOY_HASH));
        assert!(!password_matches("correct horse battery", DECOY_HASH));
    }

    #[test]
    fn a_password_hash_verifies_only_its_password() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery", &h));
        assert!(!password_matches("correct horse batterY", &h));
    }
}
