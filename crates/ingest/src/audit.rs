//! Checking and reading the audit chain.

use kartoteka_store::{AuditEntry, AuditFilter, ChainCheck};
use serde::Serialize;

use crate::{Archive, ArchiveError, Progress};

/// What `audit verify` found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// True when every entry is intact and linked, and the expected head (if given) was found.
    pub ok: bool,
    /// Entries read.
    pub entries: u64,
    /// Position of the first broken entry.
    pub first_bad: Option<u64>,
    /// What is wrong there, or why the head was not found.
    pub problem: Option<String>,
    /// Hash of the last intact entry: print it, keep it elsewhere, check it later.
    pub head: String,
}

/// Entries read and hashed per round.
const BATCH: usize = 50_000;

impl Archive {
    /// Recomputes the chain from its first entry and reports the first place it breaks.
    /// `expected_head` is a head hash kept from earlier: it must be in the chain, or
    /// entries were cut from its end.
    pub fn audit_verify(
        &self,
        expected_head: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<ChainReport, ArchiveError> {
        let total = self.store().audit_head()?.map(|(n, _)| n).unwrap_or(0);
        progress.begin(total);
        let mut check = ChainCheck::new(expected_head);
        let mut after = 0;
        'chain: loop {
            let batch = self.store().audit_after(after, BATCH)?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            // Hashing is the work; it runs on every core, the linking check in order.
            let hashes = crate::archive::parallel_map(&batch, |e: &AuditEntry| e.computed_hash());
            for (entry, hash) in batch.iter().zip(&hashes) {
                if !check.feed_with_hash(entry, hash) {
                    break 'chain;
                }
            }
            progress.advance(batch.len() as u64, 0);
        }
        progress.finish();
        let (first_bad, mut problem) = match check.first_bad() {
            Some((at, why)) => (Some(*at), Some(why.clone())),
            None => (None, None),
        };
        if first_bad.is_none() && !check.head_seen() {
            problem = Some(format!(
                "the expected head {} is not in the chain: entries after it were removed, or it is from another archive",
                expected_head.unwrap_or_default()
            ));
        }
        Ok(ChainReport {
            ok: problem.is_none(),
            entries: check.entries(),
            first_bad,
            problem,
            head: check.head().to_string(),
        })
    }

    /// Entries that pass the filter, in chain order.
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, ArchiveError> {
        Ok(self.store().audit_log(filter)?)
    }

    /// The chain's length and last hash.
    pub fn audit_head(&self) -> Result<(u64, String), ArchiveError> {
        Ok(self
            .store()
            .audit_head()?
            .unwrap_or((0, kartoteka_store::audit::GENESIS.to_string())))
    }

    /// Names who is acting, for the audit entries of what follows.
    pub fn set_actor(&self, actor: &str) {
        self.store().set_actor(actor);
    }
}
