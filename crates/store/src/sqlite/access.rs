//! Users, API tokens and browser sessions in SQLite.

use kartoteka_model::{ApiToken, User, WebSession};
use rusqlite::OptionalExtension;

use super::audit::append_audit;
use super::{bodies, db, now, SqliteStore};
use crate::acts;
use crate::metadata::StoreError;
use crate::prelude::AccessStore;

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(e.to_string()))
}

/// The body of the one row `sql` finds by `key`, read as `what`; none when no row has it.
fn one<T: serde::de::DeserializeOwned>(
    conn: &rusqlite::Connection,
    sql: &str,
    key: &str,
    what: &str,
) -> Result<Option<T>, StoreError> {
    let body: Option<String> = conn
        .query_row(sql, [key], |r| r.get(0))
        .optional()
        .map_err(db)?;
    body.map(|b| serde_json::from_str(&b).map_err(|e| StoreError::Corrupt(format!("{what}: {e}"))))
        .transpose()
}

impl AccessStore for SqliteStore {
    fn add_user(&mut self, user: &User) -> Result<User, StoreError> {
        let mut u = user.clone();
        u.by = self.actor.clone();
        u.at = now();
        let tx = self.conn.savepoint().map_err(db)?;
        let taken: bool = tx
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)",
                [&u.name],
                |r| r.get(0),
            )
            .map_err(db)?;
        if taken {
            return Err(StoreError::Conflict(format!(
                "there is already a user named {:?}",
                u.name
            )));
        }
        tx.execute(
            "INSERT INTO users(name, seq, body) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM users), ?2)",
            rusqlite::params![u.name, json(&u)?],
        )
        .map_err(db)?;
        append_audit(&tx, &self.actor, &[acts::user(&u, "added")])?;
        tx.commit().map_err(db)?;
        Ok(u)
    }

    fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        one(
            &self.conn,
            "SELECT body FROM users WHERE name = ?1",
            name,
            "user",
        )
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        bodies(
            &self.conn,
            "SELECT body FROM users ORDER BY seq",
            [],
            "user",
        )
    }

    fn update_user(&mut self, user: &User, what: &str) -> Result<User, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let Some(old) = one::<User>(
            &tx,
            "SELECT body FROM users WHERE name = ?1",
            &user.name,
            "user",
        )?
        else {
            return Err(StoreError::NotFound(format!("user {:?}", user.name)));
        };
        // Who added them and when stays as it was.
        let u = User {
            by: old.by,
            at: old.at,
            ..user.clone()
        };
        tx.execute(
            "UPDATE users SET body = ?2 WHERE name = ?1",
            rusqlite::params![u.name, json(&u)?],
        )
        .map_err(db)?;
        append_audit(&tx, &self.actor, &[acts::user(&u, what)])?;
        tx.commit().map_err(db)?;
        Ok(u)
    }

    fn add_token(&mut self, token: &ApiToken) -> Result<ApiToken, StoreError> {
        let mut t = token.clone();
        t.by = self.actor.clone();
        t.at = now();
        t.revoked = false;
        let tx = self.conn.savepoint().map_err(db)?;
        let user: bool = tx
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)",
                [&t.user],
                |r| r.get(0),
            )
            .map_err(db)?;
        if !user {
            return Err(StoreError::NotFound(format!("user {:?}", t.user)));
        }
        let seq: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM api_tokens",
                [],
                |r| r.get(0),
            )
            .map_err(db)?;
        t.id = format!("T{seq}");
        tx.execute(
            "INSERT INTO api_tokens(seq, id, hash, body) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![seq, t.id, t.hash, json(&t)?],
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                StoreError::Conflict("a token with this secret is already kept".into())
            }
            other => db(other),
        })?;
        append_audit(&tx, &self.actor, &[acts::token(&t, "made")])?;
        tx.commit().map_err(db)?;
        Ok(t)
    }

    fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>, StoreError> {
        one(
            &self.conn,
            "SELECT body FROM api_tokens WHERE hash = ?1",
            hash,
            "token",
        )
    }

    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        bodies(
            &self.conn,
            "SELECT body FROM api_tokens ORDER BY seq",
            [],
            "token",
        )
    }

    fn revoke_token(&mut self, id: &str) -> Result<ApiToken, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let Some(mut t) = one::<ApiToken>(
            &tx,
            "SELECT body FROM api_tokens WHERE id = ?1",
            id,
            "token",
        )?
        else {
            return Err(StoreError::NotFound(format!("token {id}")));
        };
        if t.revoked {
            return Err(StoreError::Conflict(format!(
                "token {id} is already revoked"
            )));
        }
        t.revoked = true;
        tx.execute(
            "UPDATE api_tokens SET body = ?2 WHERE id = ?1",
            rusqlite::params![id, json(&t)?],
        )
        .map_err(db)?;
        append_audit(&tx, &self.actor, &[acts::token(&t, "revoked")])?;
        tx.commit().map_err(db)?;
        Ok(t)
    }

    fn add_session(&mut self, session: &WebSession) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        tx.execute(
            "INSERT INTO web_sessions(hash, body) VALUES (?1, ?2)",
            rusqlite::params![session.hash, json(session)?],
        )
        .map_err(db)?;
        append_audit(&tx, &self.actor, &[acts::session(session, true)])?;
        tx.commit().map_err(db)?;
        Ok(())
    }

    fn session(&self, hash: &str) -> Result<Option<WebSession>, StoreError> {
        one(
            &self.conn,
            "SELECT body FROM web_sessions WHERE hash = ?1",
            hash,
            "session",
        )
    }

    fn end_session(&mut self, hash: &str) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let found = one::<WebSession>(
            &tx,
            "SELECT body FROM web_sessions WHERE hash = ?1",
            hash,
            "session",
        )?;
        if let Some(session) = found {
            tx.execute("DELETE FROM web_sessions WHERE hash = ?1", [hash])
                .map_err(db)?;
            append_audit(&tx, &self.actor, &[acts::session(&session, false)])?;
        }
        tx.commit().map_err(db)?;
        Ok(())
    }
}
