//! Grouping a list of names into persons.
//!
//! Each distinct spelling is parsed once. Spellings are put in blocks by their surname's
//! transliteration keys, so only names that could be one person are compared. Pairs the
//! comparison calls "same" are joined, best first, and two groups are joined only if no
//! name in one contradicts a name in the other (so "A. Petrov" cannot chain "Anton Petrov"
//! to "Alexei Petrov") and no person has said they differ. Then a partial name ("Trump",
//! "Donald") joins the one fuller name of its own document that it fits, when there is
//! exactly one.
//!
//! People's judgements come first: "same" joins whatever the names say, "different" keeps
//! apart whatever the names say, and a "different" that the "same"s contradict (A = B,
//! B = C, A ≠ C) is reported, not silently resolved.

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

/// What people have said about pairs of records (by index): these are one person, these
/// are not.
#[derive(Clone, Debug, Default)]
pub struct Constraints {
    /// Pairs a person judged the same.
    pub same: Vec<(usize, usize)>,
    /// Pairs a person judged different.
    pub different: Vec<(usize, usize)>,
}

/// The groups, and the "different" judgements that the "same" ones contradict.
#[derive(Clone, Debug, Default)]
pub struct Clustering {
    /// Groups of record indices: every index in exactly one, in the order of their first
    /// member.
    pub groups: Vec<Vec<usize>>,
    /// Pairs judged different that the judgements of "same" put in one group.
    pub contradictions: Vec<(usize, usize)>,
}

/// Groups, by index into `records`: every index in exactly one group, groups in the order
/// of their first member.
pub fn cluster(records: &[NameRecord]) -> Vec<Vec<usize>> {
    cluster_judged(records, &Constraints::default()).groups
}

/// Groups with people's judgements applied first.
pub fn cluster_judged(records: &[NameRecord], judged: &Constraints) -> Clustering {
    // Distinct spellings, parsed once.
    let mut spelling_of: Vec<usize> = Vec::with_capacity(records.len());
    let mut spellings: Vec<PersonName> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for r in records {
        let s = *index.entry(r.name.as_str()).or_insert_with(|| {
            spellings.push(parse(&r.name));
            spellings.len() - 1
        });
        spelling_of.push(s);
    }
    let mut memo: HashMap<(usize, usize), Verdict> = HashMap::new();
    let mut groups = Groups::new(records.len(), &spelling_of);
    let cannot: HashSet<(usize, usize)> = judged
        .different
        .iter()
        .map(|&(a, b)| (a.min(b), a.max(b)))
        .collect();
    for &(a, b) in &judged.same {
        groups.join(a, b);
    }
    let contradictions: Vec<(usize, usize)> = cannot
        .iter()
        .copied()
        .filter(|&(a, b)| groups.find(a) == groups.find(b))
        .collect();
    // A full name met twice is one person as far as names can tell.
    let mut first_of_spelling: HashMap<usize, usize> = HashMap::new();
    for (i, &s) in spelling_of.iter().enumerate() {
        let full = spellings[s].surname.is_some()
            && (spellings[s].given.is_some() || spellings[s].initials.len() >= 2);
        if !full {
            continue;
        }
        match first_of_spelling.get(&s) {
            Some(&first) => {
                groups.join_if(first, i, &spellings, &mut memo, &cannot);
            }
            None => {
                first_of_spelling.insert(s, i);
            }
        }
    }
    // Distinct spellings compared within their blocks.
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (s, n) in spellings.iter().enumerate() {
        for key in n.block_keys() {
            blocks.entry(key).or_default().push(s);
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
                let m = compare(&spellings[pair.0], &spellings[pair.1]);
                memo.insert(pair, m.verdict);
                if m.verdict == Verdict::Same {
                    same.push((m.score, pair.0, pair.1));
                }
            }
        }
    }
    same.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut record_of_spelling: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &s) in spelling_of.iter().enumerate() {
        record_of_spelling.entry(s).or_default().push(i);
    }
    for (_, a, b) in same {
        // Join every record of the two spellings (each spelling's records may already be
        // split by a judgement; join what can be joined).
        let ra = record_of_spelling[&a].clone();
        let rb = record_of_spelling[&b].clone();
        for &x in &ra {
            for &y in &rb {
                groups.join_if(x, y, &spellings, &mut memo, &cannot);
            }
        }
    }
    // Partial names join the one fuller name of their document they fit.
    let mut by_document: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(d) = r.document.as_deref().filter(|d| !d.is_empty()) {
            by_document.entry(d).or_default().push(i);
        }
    }
    let mut documents: Vec<_> = by_document.into_iter().collect();
    documents.sort();
    for (_, members) in documents {
        for &p in &members {
            let partial = &spellings[spelling_of[p]];
            if partial.surname.is_some() && partial.given.is_some() {
                continue;
            }
            let mut targets: Vec<usize> = Vec::new();
            for &f in &members {
                let full = &spellings[spelling_of[f]];
                if f == p || groups.find(f) == groups.find(p) || full.surname.is_none() {
                    continue;
                }
                if full.given.is_none() && full.initials.is_empty() {
                    continue;
                }
                let m = compare(partial, full);
                let fits = m.verdict == Verdict::Unsure
                    && ((partial.surname.is_some()
                        && m.reasons.iter().any(|r| r.starts_with("same surname")))
                        || (partial.surname.is_none()
                            && m.reasons.iter().any(|r| r.starts_with("given name"))));
                if fits {
                    let root = groups.find(f);
                    if !targets.contains(&root) {
                        targets.push(root);
                    }
                }
            }
            if let [only] = targets[..] {
                groups.join_if(p, only, &spellings, &mut memo, &cannot);
            }
        }
    }
    // Across the whole list: a name with initials only ("Т. Мэй"), then a surname alone,
    // in a document with no fuller name it fits, joins the person whose full names carry
    // that surname (and fit the initials), when there is one such person, or one that
    // outnumbers every other twenty to one.
    let mut orphans: HashMap<String, Vec<usize>> = HashMap::new();
    for pass in [Partial::Initials, Partial::Surname] {
        for p in 0..records.len() {
            let partial = &spellings[spelling_of[p]];
            let kind = match (
                &partial.surname,
                &partial.given,
                partial.initials.is_empty(),
            ) {
                (Some(_), None, false) => Partial::Initials,
                (Some(_), None, true) => Partial::Surname,
                _ => continue,
            };
            if kind != pass {
                continue;
            }
            let root_p = groups.find(p);
            if groups.members[root_p]
                .iter()
                .any(|&m| spellings[spelling_of[m]].given.is_some())
            {
                continue;
            }
            let mut targets: Vec<(usize, usize)> = Vec::new();
            let mut spellings_seen = HashSet::new();
            for key in partial.block_keys() {
                for &s in blocks.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
                    if !spellings_seen.insert(s) || s == spelling_of[p] {
                        continue;
                    }
                    let full = &spellings[s];
                    if full.given.is_none() {
                        continue;
                    }
                    let m = compare(partial, full);
                    if m.verdict != Verdict::Unsure
                        || !m.reasons.iter().any(|r| r.starts_with("same surname"))
                    {
                        continue;
                    }
                    groups.add_target(&record_of_spelling[&s], root_p, &mut targets);
                }
            }
            if let Some(t) = sole_or_dominant(&mut targets) {
                groups.join_if(p, t, &spellings, &mut memo, &cannot);
            } else if targets.is_empty() && pass == Partial::Surname {
                orphans
                    .entry(crate::sound_key(partial.surname.as_deref().unwrap_or("")))
                    .or_default()
                    .push(p);
            }
        }
    }
    // A given name alone ("Тереза", "Асия") joins the one person of the list with that
    // given name and a surname, or one that outnumbers every other twenty to one.
    let mut by_given: HashMap<String, Vec<usize>> = HashMap::new();
    for (s, n) in spellings.iter().enumerate() {
        if let (Some(g), Some(_)) = (&n.given, &n.surname) {
            by_given.entry(crate::sound_key(g)).or_default().push(s);
        }
    }
    for p in 0..records.len() {
        let partial = &spellings[spelling_of[p]];
        let Some(given) = partial.given.as_deref() else {
            continue;
        };
        let root_p = groups.find(p);
        if partial.surname.is_some() || groups.members[root_p].len() > 1 {
            continue;
        }
        let mut targets: Vec<(usize, usize)> = Vec::new();
        for &s in by_given
            .get(&crate::sound_key(given))
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let m = compare(partial, &spellings[s]);
            if m.verdict != Verdict::Unsure
                || !m.reasons.iter().any(|r| r.starts_with("given name"))
            {
                continue;
            }
            groups.add_target(&record_of_spelling[&s], root_p, &mut targets);
        }
        if let Some(t) = sole_or_dominant(&mut targets) {
            groups.join_if(p, t, &spellings, &mut memo, &cannot);
        }
    }
    // Surnames alone that no full name in the list carries: the same surname, in any case
    // and script, is taken for one person (there is nobody else it could be).
    let mut orphans: Vec<(String, Vec<usize>)> = orphans.into_iter().collect();
    orphans.sort();
    for (key, members) in orphans {
        if key.chars().count() < 3 {
            continue;
        }
        for w in members.windows(2) {
            groups.join_if(w[0], w[1], &spellings, &mut memo, &cannot);
        }
    }
    let mut contradictions = contradictions;
    contradictions.sort_unstable();
    Clustering {
        groups: groups.list(),
        contradictions,
    }
}

/// The group a partial name should join: the only candidate, or one that outnumbers every
/// other twenty to one (a surname alone most likely names the person it overwhelmingly
/// names in the list). Candidates are (group, size).
fn sole_or_dominant(targets: &mut [(usize, usize)]) -> Option<usize> {
    targets.sort_by_key(|t| std::cmp::Reverse(t.1));
    match targets[..] {
        [(only, _)] => Some(only),
        [(first, n), (_, m), ..] if n >= 20 && n >= 20 * m => Some(first),
        _ => None,
    }
}

/// Disjoint groups with their members and their distinct spellings.
struct Groups {
    parent: Vec<usize>,
    members: Vec<Vec<usize>>,
    spellings: Vec<Vec<usize>>,
}

impl Groups {
    fn new(n: usize, spelling_of: &[usize]) -> Self {
        Groups {
            parent: (0..n).collect(),
            members: (0..n).map(|i| vec![i]).collect(),
            spellings: (0..n).map(|i| vec![spelling_of[i]]).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Adds the groups of these records (other than `own`) to the candidates, with sizes.
    fn add_target(&mut self, records: &[usize], own: usize, targets: &mut Vec<(usize, usize)>) {
        for &r in records {
            let root = self.find(r);
            if root != own && !targets.iter().any(|t| t.0 == root) {
                targets.push((root, self.members[root].len()));
            }
        }
    }

    /// Joins unconditionally (a person said so).
    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (big, small) = if self.members[ra].len() >= self.members[rb].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let moved = std::mem::take(&mut self.members[small]);
        self.members[big].extend(moved);
        let moved = std::mem::take(&mut self.spellings[small]);
        for s in moved {
            if !self.spellings[big].contains(&s) {
                self.spellings[big].push(s);
            }
        }
        self.parent[small] = big;
    }

    /// Joins when no spelling of one contradicts a spelling of the other and no person
    /// judged a member of one different from a member of the other.
    fn join_if(
        &mut self,
        a: usize,
        b: usize,
        names: &[PersonName],
        memo: &mut HashMap<(usize, usize), Verdict>,
        cannot: &HashSet<(usize, usize)>,
    ) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        for &x in &self.spellings[ra] {
            for &y in &self.spellings[rb] {
                if x == y {
                    continue;
                }
                let pair = (x.min(y), x.max(y));
                let v = *memo
                    .entry(pair)
                    .or_insert_with(|| compare(&names[pair.0], &names[pair.1]).verdict);
                if v == Verdict::Different {
                    return false;
                }
            }
        }
        if !cannot.is_empty() {
            for &x in &self.members[ra] {
                for &y in &self.members[rb] {
                    if cannot.contains(&(x.min(y), x.max(y))) {
                        return false;
                    }
                }
            }
        }
        self.join(ra, rb);
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

/// The kinds of partial name the last passes place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Partial {
    /// A surname with initials.
    Initials,
    /// A surname alone.
    Surname,
}
