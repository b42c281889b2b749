//! Claims, reports with their versions and fates, and marking rules in SQLite.

use kartoteka_model::{Claim, MarkingRule, Report, ReportFate};
use rusqlite::{params, Connection};

use super::audit::append_audit;
use super::{bodies, db, now, SqliteStore};
use crate::acts;
use crate::metadata::StoreError;
use crate::prelude::{ReportStore, RuleStore};

pub(super) fn save_report_fate(
    conn: &Connection,
    actor: &str,
    fate: &ReportFate,
) -> Result<ReportFate, StoreError> {
    let mut f = fate.clone();
    f.at = now();
    let body = serde_json::to_string(&f).map_err(|e| StoreError::Database(e.to_string()))?;
    conn.execute(
        "INSERT OR REPLACE INTO report_fates(report, version, body) VALUES (?1, ?2, ?3)",
        params![f.report, f.version, body],
    )
    .map_err(db)?;
    append_audit(conn, actor, &[acts::report_fate(&f)])?;
    Ok(f)
}

pub(super) fn report_fates(conn: &Connection) -> Result<Vec<ReportFate>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM report_fates ORDER BY report, version",
        [],
        "report fate",
    )
}

pub(super) fn save_claim(
    conn: &Connection,
    actor: &str,
    claim: &Claim,
) -> Result<Claim, StoreError> {
    let mut c = claim.clone();
    c.by = actor.to_string();
    c.at = now();
    let n: i64 = conn
        .query_row(
            "INSERT INTO claims(subject, body) VALUES (?1, '{}') RETURNING id",
            [&c.subject],
            |r| r.get(0),
        )
        .map_err(db)?;
    c.id = format!("C{n}");
    let body = serde_json::to_string(&c).map_err(|e| StoreError::Database(e.to_string()))?;
    conn.execute(
        "UPDATE claims SET body = ?2 WHERE id = ?1",
        params![n, body],
    )
    .map_err(db)?;
    append_audit(conn, actor, &[acts::claim_saved(&c)])?;
    Ok(c)
}

pub(super) fn claims(conn: &Connection, subject: Option<&str>) -> Result<Vec<Claim>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM claims WHERE ?1 IS NULL OR subject = ?1 ORDER BY id",
        [subject],
        "claim",
    )
}

pub(super) fn save_report(
    conn: &Connection,
    actor: &str,
    report: &Report,
) -> Result<Report, StoreError> {
    let latest: Option<u32> = conn
        .query_row(
            "SELECT MAX(version) FROM report_versions WHERE report = ?1",
            [&report.id],
            |r| r.get(0),
        )
        .map_err(db)?;
    let next = latest.unwrap_or(0) + 1;
    if report.version != next {
        return Err(StoreError::Conflict(format!(
            "report {} is at version {}; this change was made to version {}",
            report.id,
            latest.unwrap_or(0),
            report.version.saturating_sub(1)
        )));
    }
    let mut r = report.clone();
    r.by = actor.to_string();
    r.at = now();
    let body = serde_json::to_string(&r).map_err(|e| StoreError::Database(e.to_string()))?;
    conn.execute(
        "INSERT INTO report_versions(report, version, body) VALUES (?1, ?2, ?3)",
        params![r.id, r.version, body],
    )
    .map_err(db)?;
    append_audit(conn, actor, &[acts::report_saved(&r, body.as_bytes())])?;
    Ok(r)
}

pub(super) fn report_versions(conn: &Connection, id: &str) -> Result<Vec<Report>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM report_versions WHERE report = ?1 ORDER BY version",
        [id],
        "report",
    )
}

pub(super) fn reports(conn: &Connection) -> Result<Vec<Report>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM report_versions v WHERE version = \
         (SELECT MAX(version) FROM report_versions w WHERE w.report = v.report) ORDER BY report",
        [],
        "report",
    )
}

pub(super) fn set_marking_rule(
    conn: &Connection,
    actor: &str,
    rule: &MarkingRule,
) -> Result<MarkingRule, StoreError> {
    let mut r = rule.clone();
    r.by = actor.to_string();
    r.at = now();
    let body = serde_json::to_string(&r).map_err(|e| StoreError::Database(e.to_string()))?;
    conn.execute(
        "INSERT INTO marking_rules(unit, body) VALUES (?1, ?2)
         ON CONFLICT(unit) DO UPDATE SET body = excluded.body",
        params![r.unit, body],
    )
    .map_err(db)?;
    append_audit(conn, actor, &[acts::marking_rule_set(&r)])?;
    Ok(r)
}

pub(super) fn remove_marking_rule(
    conn: &Connection,
    actor: &str,
    unit: &str,
    why: &str,
) -> Result<bool, StoreError> {
    let n = conn
        .execute("DELETE FROM marking_rules WHERE unit = ?1", [unit])
        .map_err(db)?;
    if n == 0 {
        return Ok(false);
    }
    append_audit(conn, actor, &[acts::marking_rule_removed(unit, why)])?;
    Ok(true)
}

pub(super) fn marking_rules(conn: &Connection) -> Result<Vec<MarkingRule>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM marking_rules ORDER BY unit",
        [],
        "marking rule",
    )
}

impl ReportStore for SqliteStore {
    fn save_claim(&mut self, claim: &Claim) -> Result<Claim, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = save_claim(&tx, &self.actor, claim)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn claims(&self, subject: Option<&str>) -> Result<Vec<Claim>, StoreError> {
        claims(&self.conn, subject)
    }

    fn save_report(&mut self, report: &Report) -> Result<Report, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = save_report(&tx, &self.actor, report)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn report_versions(&self, id: &str) -> Result<Vec<Report>, StoreError> {
        report_versions(&self.conn, id)
    }

    fn reports(&self) -> Result<Vec<Report>, StoreError> {
        reports(&self.conn)
    }

    fn save_report_fate(&mut self, fate: &ReportFate) -> Result<ReportFate, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = save_report_fate(&tx, &self.actor, fate)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn report_fates(&self) -> Result<Vec<ReportFate>, StoreError> {
        report_fates(&self.conn)
    }
}

impl RuleStore for SqliteStore {
    fn set_marking_rule(&mut self, rule: &MarkingRule) -> Result<MarkingRule, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = set_marking_rule(&tx, &self.actor, rule)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn remove_marking_rule(&mut self, unit: &str, why: &str) -> Result<bool, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let removed = remove_marking_rule(&tx, &self.actor, unit, why)?;
        tx.commit().map_err(db)?;
        Ok(removed)
    }

    fn marking_rules(&self) -> Result<Vec<MarkingRule>, StoreError> {
        marking_rules(&self.conn)
    }
}
