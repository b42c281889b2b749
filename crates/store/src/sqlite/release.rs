//! Partners, routing decisions and consents in SQLite.

use kartoteka_model::{Consent, Package, Partner, Receipt, Routing};
use rusqlite::{params, Connection, OptionalExtension};

use super::audit::append_audit;
use super::{bodies, db, now, SqliteStore};
use crate::acts;
use crate::metadata::StoreError;
use crate::prelude::ReleaseStore;

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(e.to_string()))
}

fn exists(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row("SELECT 1 FROM partners WHERE id = ?1", [id], |_| Ok(()))
        .optional()
        .map_err(db)?
        .is_some())
}

fn add_partner(conn: &Connection, actor: &str, partner: &Partner) -> Result<Partner, StoreError> {
    if exists(conn, &partner.id)? {
        return Err(StoreError::Conflict(format!(
            "partner {} exists already: change it instead of adding it again",
            partner.id
        )));
    }
    let mut p = partner.clone();
    p.by = actor.to_string();
    p.at = now();
    conn.execute(
        "INSERT INTO partners(id, seq, body)
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM partners), ?2)",
        params![p.id, json(&p)?],
    )
    .map_err(db)?;
    append_audit(conn, actor, &[acts::partner(&p, "added")])?;
    Ok(p)
}

fn update_partner(
    conn: &Connection,
    actor: &str,
    partner: &Partner,
    change: &str,
) -> Result<Partner, StoreError> {
    if !exists(conn, &partner.id)? {
        return Err(StoreError::NotFound(format!("partner {}", partner.id)));
    }
    let mut p = partner.clone();
    p.by = actor.to_string();
    p.at = now();
    conn.execute(
        "UPDATE partners SET body = ?2 WHERE id = ?1",
        params![p.id, json(&p)?],
    )
    .map_err(db)?;
    append_audit(conn, actor, &[acts::partner(&p, change)])?;
    Ok(p)
}

impl SqliteStore {
    /// Appends a record about a partner that exists to `table` (routings or consents)
    /// with its audit act, in one transaction.
    fn add_about_partner(
        &mut self,
        partner: &str,
        table: &'static str,
        body: String,
        act: crate::AuditAct,
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        if !exists(&tx, partner)? {
            return Err(StoreError::NotFound(format!("partner {partner}")));
        }
        tx.execute(&format!("INSERT INTO {table}(body) VALUES (?1)"), [body])
            .map_err(db)?;
        append_audit(&tx, &self.actor, &[act])?;
        tx.commit().map_err(db)?;
        Ok(())
    }
}

impl ReleaseStore for SqliteStore {
    fn add_partner(&mut self, partner: &Partner) -> Result<Partner, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = add_partner(&tx, &self.actor, partner)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn update_partner(&mut self, partner: &Partner, change: &str) -> Result<Partner, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = update_partner(&tx, &self.actor, partner, change)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        bodies(
            &self.conn,
            "SELECT body FROM partners ORDER BY seq",
            [],
            "partner",
        )
    }

    fn add_routing(&mut self, routing: &Routing) -> Result<Routing, StoreError> {
        let mut r = routing.clone();
        r.by = self.actor.clone();
        r.at = now();
        self.add_about_partner(&r.partner, "routings", json(&r)?, acts::routing(&r))?;
        Ok(r)
    }

    fn routings(&self) -> Result<Vec<Routing>, StoreError> {
        bodies(
            &self.conn,
            "SELECT body FROM routings ORDER BY id",
            [],
            "routing",
        )
    }

    fn add_consent(&mut self, consent: &Consent) -> Result<Consent, StoreError> {
        let mut c = consent.clone();
        c.by = self.actor.clone();
        c.at = now();
        self.add_about_partner(&c.partner, "consents", json(&c)?, acts::consent(&c))?;
        Ok(c)
    }

    fn consents(&self) -> Result<Vec<Consent>, StoreError> {
        bodies(
            &self.conn,
            "SELECT body FROM consents ORDER BY id",
            [],
            "consent",
        )
    }

    fn add_package(&mut self, package: &Package) -> Result<Package, StoreError> {
        let mut p = package.clone();
        p.officer = self.actor.clone();
        p.sent_at = now();
        let tx = self.conn.savepoint().map_err(db)?;
        if !exists(&tx, &p.partner)? {
            return Err(StoreError::NotFound(format!("partner {}", p.partner)));
        }
        let taken = tx
            .query_row("SELECT 1 FROM packages WHERE id = ?1", [&p.id], |_| Ok(()))
            .optional()
            .map_err(db)?
            .is_some();
        if taken {
            return Err(StoreError::Conflict(format!(
                "package {} is in the register already",
                p.id
            )));
        }
        tx.execute(
            "INSERT INTO packages(id, seq, body)
             VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM packages), ?2)",
            params![p.id, json(&p)?],
        )
        .map_err(db)?;
        append_audit(&tx, &self.actor, &[acts::package(&p)])?;
        tx.commit().map_err(db)?;
        Ok(p)
    }

    fn packages(&self) -> Result<Vec<Package>, StoreError> {
        bodies(
            &self.conn,
            "SELECT body FROM packages ORDER BY seq",
            [],
            "package",
        )
    }

    fn set_receipt(&mut self, receipt: &Receipt) -> Result<Package, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let body: Option<String> = tx
            .query_row(
                "SELECT body FROM packages WHERE id = ?1",
                [&receipt.package],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let body =
            body.ok_or_else(|| StoreError::NotFound(format!("package {}", receipt.package)))?;
        let mut p: Package = serde_json::from_str(&body)
            .map_err(|e| StoreError::Corrupt(format!("package: {e}")))?;
        if p.receipt.is_some() {
            return Err(StoreError::Conflict(format!(
                "package {} has its receipt already",
                p.id
            )));
        }
        p.receipt = Some(receipt.clone());
        tx.execute(
            "UPDATE packages SET body = ?2 WHERE id = ?1",
            params![p.id, json(&p)?],
        )
        .map_err(db)?;
        append_audit(&tx, &self.actor, &[acts::receipt(receipt)])?;
        tx.commit().map_err(db)?;
        Ok(p)
    }
}
