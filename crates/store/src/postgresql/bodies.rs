//! The roles kept as JSON bodies in PostgreSQL: notes, judgements and identities, claims
//! and reports, marking rules, partners and packages, editions, users and sessions.

use kartoteka_model::{
    ApiToken, Claim, Consent, EditionRecord, EditorDecision, IdentityRow, Judgement, MarkingRule,
    Note, NoteVersion, Package, Partner, PersonRecord, Receipt, Report, ReportFate, Routing, User,
    WebSession,
};

use super::records::append_audit;
use super::{bodies, get, get_u32, json, Conn, Param, PostgresStore};
use crate::acts;
use crate::metadata::{NoteFilter, StoreError};
use crate::prelude::*;
use crate::sqlite::corrupt;
use crate::sqlite::notes::{changed_by, next_version, search_columns};
use kartoteka_model::now_rfc3339 as now;

/// The body of the one row `sql` finds by `key`, read as `what`; none when no row has it.
fn one<T: serde::de::DeserializeOwned>(
    conn: &mut Conn,
    sql: &str,
    key: Param<'_>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    Ok(bodies(conn, sql, &[key], what)?.pop())
}

fn exists(conn: &mut Conn, sql: &str, key: Param<'_>) -> Result<bool, StoreError> {
    Ok(conn.row(sql, &[key])?.is_some())
}

impl NoteStore for PostgresStore {
    fn save_note(&mut self, note: &Note, why: &str) -> Result<Note, StoreError> {
        self.write(|conn, actor| {
            let at = now();
            let mut note = note.clone();
            let new = note.id == 0;
            if new {
                note = next_version(note, None, actor, &at);
                note.id = conn.value("SELECT COALESCE(MAX(id), 0) + 1 FROM notes", &[])?;
            } else {
                let old: Note = one(conn, "SELECT body FROM notes WHERE id = $1", &note.id, "note")?
                    .ok_or_else(|| StoreError::NotFound(format!("note {}", note.id)))?;
                note = next_version(note, Some(old), actor, &at);
            }
            let body = json(&note)?;
            let (tags, search) = search_columns(&note);
            conn.exec(
                "INSERT INTO notes(id, doc, orphaned, tags, search, body) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, orphaned = excluded.orphaned,
                   tags = excluded.tags, search = excluded.search, body = excluded.body",
                &[&note.id, &note.anchor.doc.0, &note.orphaned, &tags, &search, &body],
            )?;
            let by = changed_by(why, actor);
            conn.exec(
                "INSERT INTO note_versions(note, version, body, by, at, why) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&note.id, &i64::from(note.version), &body, &by, &at, &why],
            )?;
            let unit: Option<String> = conn
                .row("SELECT reference FROM documents WHERE id = $1", &[&note.anchor.doc.0])?
                .map(|r| get(&r, 0))
                .transpose()?
                .flatten();
            append_audit(conn, actor, &[acts::note_saved(&note, new, unit, why)])?;
            Ok(note)
        })
    }

    fn note(&self, id: i64) -> Result<Option<Note>, StoreError> {
        Ok(self
            .notes(&NoteFilter {
                id: Some(id),
                ..Default::default()
            })?
            .pop())
    }

    fn notes(&self, filter: &NoteFilter) -> Result<Vec<Note>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM notes
             WHERE ($1::BIGINT IS NULL OR id = $1) AND ($2::BIGINT IS NULL OR doc = $2)
               AND ($3::BOOLEAN IS NULL OR orphaned = $3)
               AND ($4::TEXT IS NULL OR strpos(tags, $4) > 0)
               AND ($5::TEXT IS NULL OR (body::jsonb)->>'author' = $5)
               AND ($6::TEXT IS NULL OR strpos(search, $6) > 0)
             ORDER BY id",
            &[
                &filter.id,
                &filter.doc.map(|d| d.0),
                &filter.orphaned,
                &filter.tag.as_ref().map(|t| format!("|{t}|")),
                &filter.author,
                &filter.text.as_ref().map(|t| t.to_lowercase()),
            ],
            "note",
        )
    }

    fn note_versions(&self, id: i64) -> Result<Vec<NoteVersion>, StoreError> {
        self.read()
            .rows(
                "SELECT version, body, by, at, why FROM note_versions WHERE note = $1 ORDER BY version",
                &[&id],
            )?
            .iter()
            .map(|r| {
                let body: String = get(r, 1)?;
                Ok(NoteVersion {
                    version: get_u32(r, 0)?,
                    note: serde_json::from_str(&body).map_err(|_| corrupt("note", &body))?,
                    by: get(r, 2)?,
                    at: get(r, 3)?,
                    why: get(r, 4)?,
                })
            })
            .collect()
    }

    fn remove_notes(&mut self, ids: &[i64], keep_stubs: bool) -> Result<(), StoreError> {
        self.write(|conn, actor| {
            for id in ids {
                conn.exec("DELETE FROM note_versions WHERE note = $1", &[id])?;
                if keep_stubs {
                    let Some(mut stub) =
                        one::<Note>(conn, "SELECT body FROM notes WHERE id = $1", id, "note")?
                    else {
                        continue;
                    };
                    stub.anchor.exact.clear();
                    stub.anchor.prefix.clear();
                    stub.anchor.suffix.clear();
                    stub.comment = None;
                    stub.tags.clear();
                    stub.locked = true;
                    conn.exec(
                        "UPDATE notes SET tags = '', search = '', body = $2 WHERE id = $1",
                        &[id, &json(&stub)?],
                    )?;
                } else {
                    conn.exec("DELETE FROM notes WHERE id = $1", &[id])?;
                }
            }
            append_audit(conn, actor, &[acts::notebook_locked(ids.len(), keep_stubs)])
        })
    }

    /// The old row versions of what was erased stay in the tables' files until PostgreSQL
    /// vacuums them: this rewrites the two tables that held the notes' text now. (Its
    /// write-ahead log and backups are the database administrator's to keep or expire.)
    fn purge_old_copies(&mut self) -> Result<bool, StoreError> {
        if self.in_batch {
            return Ok(false);
        }
        self.conn
            .get_mut()
            .batch("VACUUM (FULL) notes, note_versions")?;
        Ok(true)
    }

    fn restore_notes(
        &mut self,
        notes: &[Note],
        versions: &[NoteVersion],
    ) -> Result<(), StoreError> {
        self.write(|conn, actor| {
            for n in notes {
                let (tags, search) = search_columns(n);
                conn.exec(
                    "INSERT INTO notes(id, doc, orphaned, tags, search, body) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, orphaned = excluded.orphaned, tags = excluded.tags,
                       search = excluded.search, body = excluded.body",
                    &[&n.id, &n.anchor.doc.0, &n.orphaned, &tags, &search, &json(n)?],
                )?;
            }
            for v in versions {
                conn.exec(
                    "INSERT INTO note_versions(note, version, body, by, at, why) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT(note, version) DO UPDATE SET body = excluded.body, by = excluded.by,
                       at = excluded.at, why = excluded.why",
                    &[&v.note.id, &i64::from(v.version), &json(&v.note)?, &v.by, &v.at, &v.why],
                )?;
            }
            append_audit(conn, actor, &[acts::notebook_unlocked(notes.len())])
        })
    }
}

impl IdentityStore for PostgresStore {
    fn save_judgement(&mut self, judgement: &Judgement) -> Result<Judgement, StoreError> {
        self.write(|conn, actor| {
            let mut j = judgement.clone();
            j.by = actor.to_string();
            j.at = now();
            j.undone = None;
            j.id = conn.value("SELECT COALESCE(MAX(id), 0) + 1 FROM judgements", &[])?;
            conn.exec(
                "INSERT INTO judgements(id, body) VALUES ($1, $2)",
                &[&j.id, &json(&j)?],
            )?;
            append_audit(conn, actor, &[acts::judged(&j)])?;
            Ok(j)
        })
    }

    fn undo_judgement(&mut self, id: i64) -> Result<Judgement, StoreError> {
        self.write(|conn, actor| {
            let mut j: Judgement = one(
                conn,
                "SELECT body FROM judgements WHERE id = $1",
                &id,
                "judgement",
            )?
            .ok_or_else(|| StoreError::NotFound(format!("judgement {id}")))?;
            if let Some((by, at)) = &j.undone {
                return Err(StoreError::Conflict(format!(
                    "judgement {id} was already undone by {by} at {at}"
                )));
            }
            j.undone = Some((actor.to_string(), now()));
            conn.exec(
                "UPDATE judgements SET body = $2 WHERE id = $1",
                &[&id, &json(&j)?],
            )?;
            append_audit(conn, actor, &[acts::judgement_undone(&j)])?;
            Ok(j)
        })
    }

    fn judgements(&self) -> Result<Vec<Judgement>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM judgements ORDER BY id",
            &[],
            "judgement",
        )
    }

    fn replace_identities(
        &mut self,
        rows: &[IdentityRow],
        persons: &[PersonRecord],
        detail: &str,
    ) -> Result<(), StoreError> {
        self.write(|conn, actor| {
            conn.exec("DELETE FROM identities", &[])?;
            for r in rows {
                conn.exec(
                    "INSERT INTO identities(mention, person, doc, page, start) VALUES ($1, $2, $3, $4, $5)",
                    &[&r.mention, &r.person, &r.at.0 .0, &i64::from(r.at.1), &i64::from(r.at.2)],
                )?;
            }
            for p in persons {
                let status = serde_json::to_value(p.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                // A record's number is kept by its id: one given to another id first
                // moves aside, as SQLite's INSERT OR REPLACE does.
                conn.exec("DELETE FROM persons WHERE id = $1 OR seq = $2", &[&p.id, &(p.seq as i64)])?;
                conn.exec(
                    "INSERT INTO persons(id, seq, status, body) VALUES ($1, $2, $3, $4)",
                    &[&p.id, &(p.seq as i64), &status, &json(p)?],
                )?;
            }
            append_audit(conn, actor, &[acts::resolved(detail)])
        })
    }

    fn identities(&self) -> Result<Vec<IdentityRow>, StoreError> {
        self.read()
            .rows(
                "SELECT mention, person, COALESCE(doc, 0), COALESCE(page, 0), COALESCE(start, 0)
                 FROM identities ORDER BY mention",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(IdentityRow {
                    mention: get(r, 0)?,
                    person: get(r, 1)?,
                    at: (
                        kartoteka_model::DocId(get(r, 2)?),
                        get_u32(r, 3)?,
                        get_u32(r, 4)?,
                    ),
                })
            })
            .collect()
    }

    fn person_records(&self) -> Result<Vec<PersonRecord>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM persons ORDER BY seq",
            &[],
            "person record",
        )
    }
}

impl ReportStore for PostgresStore {
    fn save_claim(&mut self, claim: &Claim) -> Result<Claim, StoreError> {
        self.write(|conn, actor| {
            let mut c = claim.clone();
            c.by = actor.to_string();
            c.at = now();
            let n: i64 = conn.value("SELECT COALESCE(MAX(id), 0) + 1 FROM claims", &[])?;
            c.id = format!("C{n}");
            conn.exec(
                "INSERT INTO claims(id, subject, body) VALUES ($1, $2, $3)",
                &[&n, &c.subject, &json(&c)?],
            )?;
            append_audit(conn, actor, &[acts::claim_saved(&c)])?;
            Ok(c)
        })
    }

    fn claims(&self, subject: Option<&str>) -> Result<Vec<Claim>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM claims WHERE $1::TEXT IS NULL OR subject = $1 ORDER BY id",
            &[&subject],
            "claim",
        )
    }

    fn save_report(&mut self, report: &Report) -> Result<Report, StoreError> {
        self.write(|conn, actor| {
            let latest: Option<i64> = conn.value(
                "SELECT MAX(version) FROM report_versions WHERE report = $1",
                &[&report.id],
            )?;
            let latest = latest.unwrap_or(0) as u32;
            if report.version != latest + 1 {
                return Err(StoreError::Conflict(format!(
                    "report {} is at version {latest}; this change was made to version {}",
                    report.id,
                    report.version.saturating_sub(1)
                )));
            }
            let mut r = report.clone();
            r.by = actor.to_string();
            r.at = now();
            let body = json(&r)?;
            conn.exec(
                "INSERT INTO report_versions(report, version, body) VALUES ($1, $2, $3)",
                &[&r.id, &i64::from(r.version), &body],
            )?;
            append_audit(conn, actor, &[acts::report_saved(&r, body.as_bytes())])?;
            Ok(r)
        })
    }

    fn report_versions(&self, id: &str) -> Result<Vec<Report>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM report_versions WHERE report = $1 ORDER BY version",
            &[&id],
            "report",
        )
    }

    fn reports(&self) -> Result<Vec<Report>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM report_versions v WHERE version =
               (SELECT MAX(version) FROM report_versions w WHERE w.report = v.report) ORDER BY report",
            &[],
            "report",
        )
    }

    fn save_report_fate(&mut self, fate: &ReportFate) -> Result<ReportFate, StoreError> {
        self.write(|conn, actor| {
            let mut f = fate.clone();
            f.at = now();
            conn.exec(
                "INSERT INTO report_fates(report, version, body) VALUES ($1, $2, $3)
                 ON CONFLICT(report, version) DO UPDATE SET body = excluded.body",
                &[&f.report, &i64::from(f.version), &json(&f)?],
            )?;
            append_audit(conn, actor, &[acts::report_fate(&f)])?;
            Ok(f)
        })
    }

    fn report_fates(&self) -> Result<Vec<ReportFate>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM report_fates ORDER BY report, version",
            &[],
            "report fate",
        )
    }
}

impl RuleStore for PostgresStore {
    fn set_marking_rule(&mut self, rule: &MarkingRule) -> Result<MarkingRule, StoreError> {
        self.write(|conn, actor| {
            let mut r = rule.clone();
            r.by = actor.to_string();
            r.at = now();
            conn.exec(
                "INSERT INTO marking_rules(unit, body) VALUES ($1, $2)
                 ON CONFLICT(unit) DO UPDATE SET body = excluded.body",
                &[&r.unit, &json(&r)?],
            )?;
            append_audit(conn, actor, &[acts::marking_rule_set(&r)])?;
            Ok(r)
        })
    }

    fn remove_marking_rule(&mut self, unit: &str, why: &str) -> Result<bool, StoreError> {
        self.write(|conn, actor| {
            if conn.exec("DELETE FROM marking_rules WHERE unit = $1", &[&unit])? == 0 {
                return Ok(false);
            }
            append_audit(conn, actor, &[acts::marking_rule_removed(unit, why)])?;
            Ok(true)
        })
    }

    fn marking_rules(&self) -> Result<Vec<MarkingRule>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM marking_rules ORDER BY unit",
            &[],
            "marking rule",
        )
    }
}

const PARTNER: &str = "SELECT 1 FROM partners WHERE id = $1";

impl PostgresStore {
    /// Appends a record about a partner that exists to `table` (routings or consents)
    /// with its audit act, in one transaction.
    fn add_about_partner(
        &mut self,
        partner: &str,
        table: &'static str,
        body: String,
        act: crate::AuditAct,
    ) -> Result<(), StoreError> {
        self.write(|conn, actor| {
            if !exists(conn, PARTNER, &partner)? {
                return Err(StoreError::NotFound(format!("partner {partner}")));
            }
            conn.exec(&format!("INSERT INTO {table}(body) VALUES ($1)"), &[&body])?;
            append_audit(conn, actor, &[act])
        })
    }
}

impl ReleaseStore for PostgresStore {
    fn add_partner(&mut self, partner: &Partner) -> Result<Partner, StoreError> {
        self.write(|conn, actor| {
            if exists(conn, PARTNER, &partner.id)? {
                return Err(StoreError::Conflict(format!(
                    "partner {} exists already: change it instead of adding it again",
                    partner.id
                )));
            }
            let mut p = partner.clone();
            p.by = actor.to_string();
            p.at = now();
            conn.exec(
                "INSERT INTO partners(id, seq, body) VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM partners), $2)",
                &[&p.id, &json(&p)?],
            )?;
            append_audit(conn, actor, &[acts::partner(&p, "added")])?;
            Ok(p)
        })
    }

    fn update_partner(&mut self, partner: &Partner, change: &str) -> Result<Partner, StoreError> {
        self.write(|conn, actor| {
            if !exists(conn, PARTNER, &partner.id)? {
                return Err(StoreError::NotFound(format!("partner {}", partner.id)));
            }
            let mut p = partner.clone();
            p.by = actor.to_string();
            p.at = now();
            conn.exec(
                "UPDATE partners SET body = $2 WHERE id = $1",
                &[&p.id, &json(&p)?],
            )?;
            append_audit(conn, actor, &[acts::partner(&p, change)])?;
            Ok(p)
        })
    }

    fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM partners ORDER BY seq",
            &[],
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
            &mut self.read(),
            "SELECT body FROM routings ORDER BY id",
            &[],
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
            &mut self.read(),
            "SELECT body FROM consents ORDER BY id",
            &[],
            "consent",
        )
    }

    fn add_package(&mut self, package: &Package) -> Result<Package, StoreError> {
        let mut p = package.clone();
        p.officer = self.actor.clone();
        p.sent_at = now();
        self.write(|conn, actor| {
            if !exists(conn, PARTNER, &p.partner)? {
                return Err(StoreError::NotFound(format!("partner {}", p.partner)));
            }
            if exists(conn, "SELECT 1 FROM packages WHERE id = $1", &p.id)? {
                return Err(StoreError::Conflict(format!(
                    "package {} is in the register already",
                    p.id
                )));
            }
            conn.exec(
                "INSERT INTO packages(id, seq, body) VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM packages), $2)",
                &[&p.id, &json(&p)?],
            )?;
            append_audit(conn, actor, &[acts::package(&p)])?;
            Ok(p)
        })
    }

    fn packages(&self) -> Result<Vec<Package>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM packages ORDER BY seq",
            &[],
            "package",
        )
    }

    fn set_receipt(&mut self, receipt: &Receipt) -> Result<Package, StoreError> {
        self.write(|conn, actor| {
            let mut p: Package = one(
                conn,
                "SELECT body FROM packages WHERE id = $1",
                &receipt.package,
                "package",
            )?
            .ok_or_else(|| StoreError::NotFound(format!("package {}", receipt.package)))?;
            if p.receipt.is_some() {
                return Err(StoreError::Conflict(format!(
                    "package {} has its receipt already",
                    p.id
                )));
            }
            p.receipt = Some(receipt.clone());
            conn.exec(
                "UPDATE packages SET body = $2 WHERE id = $1",
                &[&p.id, &json(&p)?],
            )?;
            append_audit(conn, actor, &[acts::receipt(receipt)])?;
            Ok(p)
        })
    }
}

impl EditionStore for PostgresStore {
    fn add_editor_decision(
        &mut self,
        decision: &EditorDecision,
    ) -> Result<EditorDecision, StoreError> {
        let mut d = decision.clone();
        d.by = self.actor.clone();
        d.at = now();
        self.write(|conn, actor| {
            conn.exec(
                "INSERT INTO editor_decisions(body) VALUES ($1)",
                &[&json(&d)?],
            )?;
            append_audit(conn, actor, &[acts::editor_decision(&d)])?;
            Ok(d)
        })
    }

    fn editor_decisions(&self) -> Result<Vec<EditorDecision>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM editor_decisions ORDER BY id",
            &[],
            "editor decision",
        )
    }

    fn add_edition(&mut self, edition: &EditionRecord) -> Result<EditionRecord, StoreError> {
        let mut e = edition.clone();
        e.by = self.actor.clone();
        e.at = now();
        self.write(|conn, actor| {
            let last: i64 = conn.value("SELECT COALESCE(MAX(number), 0) FROM editions", &[])?;
            if i64::from(e.number) != last + 1 {
                return Err(StoreError::Conflict(format!(
                    "edition {} cannot follow edition {last}: another edition was recorded meanwhile",
                    e.number
                )));
            }
            conn.exec(
                "INSERT INTO editions(number, body) VALUES ($1, $2)",
                &[&i64::from(e.number), &json(&e)?],
            )?;
            append_audit(conn, actor, &[acts::edition(&e)])?;
            Ok(e)
        })
    }

    fn editions(&self) -> Result<Vec<EditionRecord>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM editions ORDER BY number",
            &[],
            "edition",
        )
    }
}

const USER: &str = "SELECT body FROM users WHERE name = $1";

impl AccessStore for PostgresStore {
    fn add_user(&mut self, user: &User) -> Result<User, StoreError> {
        let mut u = user.clone();
        u.by = self.actor.clone();
        u.at = now();
        self.write(|conn, actor| {
            if exists(conn, USER, &u.name)? {
                return Err(StoreError::Conflict(format!(
                    "there is already a user named {:?}",
                    u.name
                )));
            }
            conn.exec(
                "INSERT INTO users(name, seq, body) VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM users), $2)",
                &[&u.name, &json(&u)?],
            )?;
            append_audit(conn, actor, &[acts::user(&u, "added")])?;
            Ok(u)
        })
    }

    fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        one(&mut self.read(), USER, &name, "user")
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM users ORDER BY seq",
            &[],
            "user",
        )
    }

    fn update_user(&mut self, user: &User, what: &str) -> Result<User, StoreError> {
        self.write(|conn, actor| {
            let Some(old) = one::<User>(conn, USER, &user.name, "user")? else {
                return Err(StoreError::NotFound(format!("user {:?}", user.name)));
            };
            // Who added them and when stays as it was.
            let u = User {
                by: old.by,
                at: old.at,
                ..user.clone()
            };
            conn.exec(
                "UPDATE users SET body = $2 WHERE name = $1",
                &[&u.name, &json(&u)?],
            )?;
            append_audit(conn, actor, &[acts::user(&u, what)])?;
            Ok(u)
        })
    }

    fn add_token(&mut self, token: &ApiToken) -> Result<ApiToken, StoreError> {
        let mut t = token.clone();
        t.by = self.actor.clone();
        t.at = now();
        t.revoked = false;
        self.write(|conn, actor| {
            if !exists(conn, USER, &t.user)? {
                return Err(StoreError::NotFound(format!("user {:?}", t.user)));
            }
            if exists(conn, "SELECT 1 FROM api_tokens WHERE hash = $1", &t.hash)? {
                return Err(StoreError::Conflict(
                    "a token with this secret is already kept".into(),
                ));
            }
            let seq: i64 = conn.value("SELECT COALESCE(MAX(seq), 0) + 1 FROM api_tokens", &[])?;
            t.id = format!("T{seq}");
            conn.exec(
                "INSERT INTO api_tokens(seq, id, hash, body) VALUES ($1, $2, $3, $4)",
                &[&seq, &t.id, &t.hash, &json(&t)?],
            )?;
            append_audit(conn, actor, &[acts::token(&t, "made")])?;
            Ok(t)
        })
    }

    fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>, StoreError> {
        one(
            &mut self.read(),
            "SELECT body FROM api_tokens WHERE hash = $1",
            &hash,
            "token",
        )
    }

    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        bodies(
            &mut self.read(),
            "SELECT body FROM api_tokens ORDER BY seq",
            &[],
            "token",
        )
    }

    fn revoke_token(&mut self, id: &str) -> Result<ApiToken, StoreError> {
        self.write(|conn, actor| {
            let Some(mut t) = one::<ApiToken>(
                conn,
                "SELECT body FROM api_tokens WHERE id = $1",
                &id,
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
            conn.exec(
                "UPDATE api_tokens SET body = $2 WHERE id = $1",
                &[&id, &json(&t)?],
            )?;
            append_audit(conn, actor, &[acts::token(&t, "revoked")])?;
            Ok(t)
        })
    }

    fn add_session(&mut self, session: &WebSession) -> Result<(), StoreError> {
        self.write(|conn, actor| {
            conn.exec(
                "INSERT INTO web_sessions(hash, body) VALUES ($1, $2)",
                &[&session.hash, &json(session)?],
            )?;
            append_audit(conn, actor, &[acts::session(session, true)])
        })
    }

    fn session(&self, hash: &str) -> Result<Option<WebSession>, StoreError> {
        one(
            &mut self.read(),
            "SELECT body FROM web_sessions WHERE hash = $1",
            &hash,
            "session",
        )
    }

    fn end_session(&mut self, hash: &str) -> Result<(), StoreError> {
        self.write(|conn, actor| {
            if let Some(session) = one::<WebSession>(
                conn,
                "SELECT body FROM web_sessions WHERE hash = $1",
                &hash,
                "session",
            )? {
                conn.exec("DELETE FROM web_sessions WHERE hash = $1", &[&hash])?;
                append_audit(conn, actor, &[acts::session(&session, false)])?;
            }
            Ok(())
        })
    }
}
