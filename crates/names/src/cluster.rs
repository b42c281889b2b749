//! Grouping a list of names into persons.
//!
//! Names are put in blocks by their surname's transliteration keys, so only names that
//! could be one person are compared. Pairs the comparison calls "same" are joined, best
//! first, and two groups are joined only if no name in one contradicts a name in the other
//! (so "A. Petrov" cannot chain "Anton Petrov" to "Alexei Petrov"). Then a partial name
//! ("Trump", "Donald") joins the one fuller name of its own document that it fits, when
//! there is exactly one.

use std::collections::{HashMap, HashSet};

use crate::{compare, parse, PersonName, Verdict};

/// One name to group: its id, the name, and the document it came from (names from one
/// document may be one person written in full and then in part).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameRecord {
    /// The caller's id, returned in the clusters.
    pub id: String,
    /// The name as written.
    pub name: String,
    /// The language, when the caller knows it (not needed: the script says it).
    pub language: Option<String>,
    /// A key shared by the names of one document.
    pub document: Option<String>,
}

/// Groups, by index into `records`: every index in exactly one group, groups in the order
/// of their first member.
pub fn cluster(records: &[NameRecord]) -> Vec<Vec<usize>> {
    let names: Vec<PersonName> = records.iter().map(|r| parse(&r.name)).collect();
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        for key in n.block_keys() {
            blocks.entry(key).or_default().push(i);
        }
    }
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut same: Vec<(f64, usize, usize)> = Vec::new();
    for members in blocks.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                let pair = (a.min(b), a.max(b));
                if a == b || !seen.insert(pair) {
                    continue;
                }
                let m = compare(&names[pair.0], &names[pair.1]);
                if m.verdict == Verdict::Same {
                    same.push((m.score, pair.0, pair.1));
                }
            }
        }
    }
    same.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut groups = Groups::new(records.len());
    for (_, a, b) in same {
        groups.join_if_consistent(a, b, &names);
    }
    // Partial names join the one fuller name of their document they fit.
    let mut by_document: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(d) = r.document.as_deref().filter(|d| !d.is_empty()) {
            by_document.entry(d).or_default().push(i);
        }
    }
    for members in by_document.values() {
        for &p in members {
            let partial = &names[p];
            if partial.surname.is_some() && partial.given.is_some() {
                continue;
            }
            let mut targets: Vec<usize> = Vec::new();
            for &f in members {
                let full = &names[f];
                if f == p || groups.find(f) == groups.find(p) || full.surname.is_none() {
                    continue;
                }
                if full.given.is_none() && full.initials.is_empty() {
                    continue;
                }
                let m = compare(partial, full);
                let fits = m.verdict == Verdict::Unsure
                    && (partial.surname.is_some()
                        && m.reasons.iter().any(|r| r.starts_with("same surname"))
                        || partial.surname.is_none()
                            && m.reasons.iter().any(|r| r.starts_with("given name")));
                if fits {
                    let root = groups.find(f);
                    if !targets.contains(&root) {
                        targets.push(root);
                    }
                }
            }
            if let [only] = targets[..] {
                groups.join_if_consistent(p, only, &names);
            }
        }
    }
    groups.list()
}

/// Disjoint groups with their members, joined only when nothing contradicts.
struct Groups {
    parent: Vec<usize>,
    members: Vec<Vec<usize>>,
}

impl Groups {
    fn new(n: usize) -> Self {
        Groups {
            parent: (0..n).collect(),
            members: (0..n).map(|i| vec![i]).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn join_if_consistent(&mut self, a: usize, b: usize, names: &[PersonName]) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        let contradiction = self.members[ra].iter().any(|&x| {
            self.members[rb]
                .iter()
                .any(|&y| compare(&names[x], &names[y]).verdict == Verdict::Different)
        });
        if contradiction {
            return false;
        }
        let (big, small) = if self.members[ra].len() >= self.members[rb].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let moved = std::mem::take(&mut self.members[small]);
        self.members[big].extend(moved);
        self.parent[small] = big;
        true
    }

    fn list(mut self) -> Vec<Vec<usize>> {
        let n = self.parent.len();
        let mut out: Vec<Vec<usize>> = Vec::new();
        let mut done = vec![false; n];
        for i in 0..n {
            let r = self.find(i);
            if done[r] {
                continue;
            }
            done[r] = true;
            let mut m = std::mem::take(&mut self.members[r]);
            m.sort_unstable();
            out.push(m);
        }
        out
    }
}
