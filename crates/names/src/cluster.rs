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

use crate::context::Context;

use crate::{compare, parse, PersonName, Sex, Verdict};

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
    /// What the document says of the bearer besides the name (birth year, places, years,
    /// people named beside it), when the caller knows; mentions of one page may share one.
    pub context: Option<std::sync::Arc<Context>>,
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
    cluster_judged_on(records, judged, 0)
}

/// Groups with people's judgements applied first, comparing names on `threads` threads (0:
/// one per core, at most eight). The groups are the same for any number of threads.
pub fn cluster_judged_on(
    records: &[NameRecord],
    judged: &Constraints,
    threads: usize,
) -> Clustering {
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
    // The other reading of each lone word, as a spelling of its own that a record takes
    // only when it joins a person that way.
    let written_count = spellings.len();
    let mut other_of: Vec<Option<usize>> = vec![None; written_count];
    for s in 0..written_count {
        if let Some(other) = other_reading(&spellings[s]) {
            spellings.push(other);
            other_of[s] = Some(spellings.len() - 1);
        }
    }
    let mut memo: HashMap<(usize, usize), Verdict> = HashMap::new();
    let mut groups = Groups::new(records.len(), &spelling_of, records);
    let cannot: HashSet<(usize, usize)> = judged
        .different
        .iter()
        .map(|&(a, b)| (a.min(b), a.max(b)))
        .collect();
    for &(a, b) in &judged.same {
        groups.vouch(spelling_of[a], spelling_of[b]);
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
    for (s, n) in spellings.iter().enumerate().take(written_count) {
        for key in n.block_keys() {
            blocks.entry(key).or_default().push(s);
        }
    }
    // Only names with a given name or two initials can be judged the same, and only when
    // their given names may begin alike: the rest of a block (namesakes by the thousand in
    // an archive of Ивановы) is never compared here.
    let signature: Vec<u64> = spellings
        .iter()
        .take(written_count)
        .map(crate::given_signature)
        .collect();
    let block_list: Vec<Vec<usize>> = blocks
        .values()
        .map(|m| m.iter().copied().filter(|&s| signature[s] != 0).collect())
        .filter(|m: &Vec<usize>| m.len() > 1)
        .collect();
    let mut blocks_of: Vec<Vec<usize>> = vec![Vec::new(); written_count];
    for (k, members) in block_list.iter().enumerate() {
        for &s in members {
            blocks_of[s].push(k);
        }
    }
    // Each spelling against the later spellings of its blocks, once each, on every core.
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, 8);
    let spellings_ref = &spellings;
    let pairs_of = |a: usize, candidates: &mut Vec<usize>, out: &mut Vec<(f64, usize, usize)>| {
        candidates.clear();
        for &k in &blocks_of[a] {
            candidates.extend(
                block_list[k]
                    .iter()
                    .copied()
                    .filter(|&b| b > a && signature[a] & signature[b] != 0),
            );
        }
        candidates.sort_unstable();
        candidates.dedup();
        for &b in candidates.iter() {
            let m = compare(&spellings_ref[a], &spellings_ref[b]);
            if m.verdict == Verdict::Same {
                out.push((m.score, a, b));
            }
        }
    };
    let mut same: Vec<(f64, usize, usize)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let pairs_of = &pairs_of;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    let mut candidates = Vec::new();
                    for a in (t..written_count).step_by(threads) {
                        pairs_of(a, &mut candidates, &mut out);
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
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
    // Partial names that fit several persons of their own document: none of them is
    // chosen here, and they are not taken for a name nobody else carries.
    let mut ambiguous: HashSet<usize> = HashSet::new();
    // Whether a partial spelling, in a reading, fits a full one: the same pairs meet in
    // many documents.
    let mut doc_fits: HashMap<(usize, usize), bool> = HashMap::new();
    let mut keys = KeyCache::default();
    for (_, members) in documents {
        let mut names = DocumentNames::new(&members, &spelling_of, &spellings, &mut keys);
        for &p in &members {
            let written = spelling_of[p];
            if spellings[written].surname.is_some() && spellings[written].given.is_some() {
                continue;
            }
            // A lone word is read as the parser read it, then, if that fits nobody, the
            // other way ("Азия" beside "Азия Биби" is her given name, not a surname).
            for reading in std::iter::once(written).chain(other_of[written]) {
                let partial = &spellings[reading];
                let mut targets: Vec<usize> = Vec::new();
                for full in names.candidates(reading, &spellings, &mut keys) {
                    let fits = *doc_fits.entry((reading, full)).or_insert_with(|| {
                        fits_part_of(partial, &spellings[full], reading != written)
                    });
                    if !fits {
                        continue;
                    }
                    for f in names.one_record_per_group(full, &mut groups) {
                        // "Агент ... Зайцин Борис Николаевич ... оперработником Зайциным":
                        // the officer's surname alone is not the agent's.
                        if groups.find(f) == groups.find(p) || groups.roles_apart(p, f) {
                            continue;
                        }
                        let root = groups.find(f);
                        if !targets.contains(&root) {
                            targets.push(root);
                        }
                    }
                    if targets.len() > 1 {
                        // Ambiguous already: the rest cannot change that.
                        break;
                    }
                }
                match targets[..] {
                    [only] => {
                        groups.join_reading(p, reading, only, &spellings, &mut memo, &cannot);
                        break;
                    }
                    [] => continue,
                    _ => {
                        ambiguous.insert(p);
                        break;
                    }
                }
            }
        }
    }
    // Across the whole list: a name with initials only ("Т. Мэй"), then a surname alone,
    // in a document with no fuller name it fits, joins the person whose full names carry
    // that surname (and fit the initials), when there is one such person, or one that
    // outnumbers every other twenty to one. A given name alone ("Тереза", "Асия") joins
    // the one person with that given name and a surname in the same way. A lone word that
    // fits nobody as the parser read it is tried the other way.
    let mut by_given: HashMap<String, Vec<usize>> = HashMap::new();
    for (s, n) in spellings.iter().enumerate().take(written_count) {
        if let (Some(g), Some(_)) = (&n.given, &n.surname) {
            by_given
                .entry(crate::sound::sound_key(g))
                .or_default()
                .push(s);
        }
    }
    let lists = Lists {
        spellings: &spellings,
        records: &record_of_spelling,
        blocks: &blocks,
        by_given: &by_given,
    };
    // The key lone words are grouped by: a surname alone or a given name alone, by sound.
    let lone_key = |r: usize| {
        let n = &spellings[spelling_of[r]];
        if !n.initials.is_empty() {
            return None;
        }
        match (&n.surname, &n.given) {
            (Some(s), None) => Some(format!("s{}", crate::sound::sound_key(s))),
            (None, Some(g)) => Some(format!("g{}", crate::sound::sound_key(g))),
            _ => None,
        }
    };
    let mut orphans: HashMap<String, Vec<usize>> = HashMap::new();
    let mut cache = TargetCache::default();
    for pass in [Partial::Initials, Partial::Alone] {
        for p in 0..records.len() {
            let written = &spellings[spelling_of[p]];
            let kind = match (
                &written.surname,
                &written.given,
                written.initials.is_empty(),
            ) {
                (Some(_), None, false) => Partial::Initials,
                (Some(_), None, true) | (None, Some(_), true) => Partial::Alone,
                _ => continue,
            };
            if kind != pass {
                continue;
            }
            let root_p = groups.find(p);
            let settled = if written.surname.is_some() {
                // A surname already with a given name of its own document stays there.
                groups.members[root_p]
                    .iter()
                    .any(|&m| spellings[spelling_of[m]].given.is_some())
            } else {
                groups.members[root_p].len() > 1
            };
            if settled {
                continue;
            }
            let mut joined = false;
            let own = spelling_of[p];
            // Across documents only a given name is read as a surname ("Джонсон"): a lone
            // surname read as a given name needs a document that has that given name.
            // So is a woman's surname that may be a man's in the genitive ("Рапорт
            // Кузьмина"), when no woman of that name fits.
            let across = other_of[own].filter(|_| {
                spellings[own].surname.is_none() || genitive_reading(&spellings[own]).is_some()
            });
            for reading in std::iter::once(own).chain(across) {
                let mut targets = lists.targets(
                    reading,
                    own,
                    reading != own,
                    root_p,
                    &mut groups,
                    &mut cache,
                );
                // A case officer's surname alone is not the agent's (nor the reverse).
                targets.retain(|&(root, _)| !groups.roles_apart(p, root));
                if let Some(t) = sole_or_dominant(&mut targets)
                    .or_else(|| best_in_context(&records[p], &targets, &groups, records))
                {
                    groups.join_reading(p, reading, t, &spellings, &mut memo, &cannot);
                    joined = true;
                    break;
                }
                if !targets.is_empty() {
                    joined = true;
                    break;
                }
            }
            if !joined && pass == Partial::Alone && !ambiguous.contains(&p) {
                // Nobody in the list carries it: kept for the lone words below.
                if let Some(key) = lone_key(p) {
                    orphans.entry(key).or_default().push(p);
                }
            }
        }
    }
    // Surnames alone, and given names alone, that no full name in the list carries: the
    // same word, in any case and script, is taken for one person (there is nobody else it
    // could be).
    // A lone word a person judged to be someone ("Громов" is Н. С. Хрущёв): the other
    // lone uses of the word, which nobody else carries, go with it, so that a judgement
    // on two persons joins the persons, whichever of their mentions it was recorded on.
    let mut judged_lone: HashMap<String, usize> = HashMap::new();
    for &(a, b) in &judged.same {
        for r in [a, b] {
            if let Some(k) = lone_key(r) {
                judged_lone.entry(k).or_insert(r);
            }
        }
    }
    let mut orphans: Vec<(String, Vec<usize>)> = orphans.into_iter().collect();
    orphans.sort();
    for (key, members) in orphans {
        if key.chars().count() < 4 {
            continue;
        }
        if let Some(&r) = judged_lone.get(&key) {
            for &m in &members {
                // Not where a person said two of the records are different people.
                let (gm, gr) = (groups.find(m), groups.find(r));
                let apart = cannot.iter().any(|&(x, y)| {
                    let (fx, fy) = (groups.find(x), groups.find(y));
                    (fx == gm && fy == gr) || (fx == gr && fy == gm)
                });
                if !apart {
                    groups.join(r, m);
                }
            }
            continue;
        }
        for w in members.windows(2) {
            groups.join_if(w[0], w[1], &spellings, &mut memo, &cannot);
        }
    }
    // Words for a people or a party's members ("британците", "Brytyjczycy", "Britové"):
    // not persons, but the forms of one word are one group. Only groups of lone words
    // take part, and a weak form ("Brity") only joins a stem a sure form has given.
    let mut group_nouns: Vec<(usize, crate::peoples::GroupNoun)> = Vec::new();
    // Whether each group is of lone words only, worked out once a group.
    let mut lone_group: HashMap<usize, bool> = HashMap::new();
    for (p, record) in records.iter().enumerate() {
        let root = groups.find(p);
        let lone = *lone_group.entry(root).or_insert_with(|| {
            groups.members[root].iter().all(|&m| {
                let n = &spellings[spelling_of[m]];
                n.initials.is_empty()
                    && n.patronymic.is_none()
                    && (n.given.is_none() || n.surname.is_none())
            })
        });
        if !lone {
            continue;
        }
        if let Some(g) = crate::peoples::group_noun(&record.name) {
            group_nouns.push((p, g));
        }
    }
    let sure: HashSet<&str> = group_nouns
        .iter()
        .filter(|(_, g)| g.strong)
        .map(|(_, g)| g.key.as_str())
        .collect();
    let mut first_of_key: HashMap<&str, usize> = HashMap::new();
    for (p, g) in &group_nouns {
        if !sure.contains(g.key.as_str()) {
            continue;
        }
        match first_of_key.get(g.key.as_str()) {
            Some(&first) => groups.join_unless_judged(first, *p, &cannot),
            None => {
                first_of_key.insert(g.key.as_str(), *p);
            }
        }
    }
    let mut contradictions = contradictions;
    contradictions.sort_unstable();
    Clustering {
        groups: groups.list(),
        contradictions,
    }
}

/// Of several groups a partial name fits, the one its context points to: the only one
/// with a mention that shares a birth year, a place in the same years or a person named
/// beside it, and none that rules it out ("Петров" in a London file of 1944, with the
/// Петров Иван of the London files and the Петров Сергей of the Moscow ones).
fn best_in_context(
    record: &NameRecord,
    targets: &[(usize, usize)],
    groups: &Groups,
    records: &[NameRecord],
) -> Option<usize> {
    // A group's mentions looked at, at most, and the candidates weighed at most: enough
    // to find a group's circumstances, and a bound on the work for a common surname.
    const LOOK: usize = 16;
    const CANDIDATES: usize = 16;
    if targets.len() > CANDIDATES {
        return None;
    }
    let own = record.context.as_deref()?;
    let name = crate::parse(&record.name);
    let surname = name.surname.as_deref();
    if !own.tells(surname) {
        return None;
    }
    let key = surname.map(crate::context::surname_key);
    let mut chosen = None;
    for (root, _) in targets {
        let mut support = false;
        let mut conflict = false;
        for &m in groups.members[*root].iter().take(LOOK) {
            if let Some(c) = records[m].context.as_deref() {
                let w = crate::context::weigh_keyed(own, c, key.as_deref());
                conflict |= w.conflict;
                support |= w.support > 0;
            }
        }
        if support && !conflict {
            if chosen.is_some() {
                return None;
            }
            chosen = Some(*root);
        }
    }
    chosen
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
    /// Birth years the group's mentions give.
    born: Vec<Vec<i32>>,
    /// The sides of the trade the group's mentions are on (`context::role_bits`).
    roles: Vec<u8>,
    /// Spellings a person judged to be one with others, and those others: what the
    /// machine would call two people, a person has said is one (a Polish genitive read as
    /// a woman's name).
    vouched: HashMap<usize, Vec<usize>>,
}

/// What names alone say of two spellings, remembered.
fn verdict(
    memo: &mut HashMap<(usize, usize), Verdict>,
    names: &[PersonName],
    x: usize,
    y: usize,
) -> Verdict {
    let pair = (x.min(y), x.max(y));
    *memo
        .entry(pair)
        .or_insert_with(|| compare(&names[pair.0], &names[pair.1]).verdict)
}

impl Groups {
    fn new(n: usize, spelling_of: &[usize], records: &[NameRecord]) -> Self {
        Groups {
            parent: (0..n).collect(),
            members: (0..n).map(|i| vec![i]).collect(),
            spellings: (0..n).map(|i| vec![spelling_of[i]]).collect(),
            born: records
                .iter()
                .map(|r| {
                    r.context
                        .as_ref()
                        .map(|c| c.born.clone())
                        .unwrap_or_default()
                })
                .collect(),
            roles: records
                .iter()
                .map(|r| r.context.as_deref().map_or(0, crate::context::role_bits))
                .collect(),
            vouched: HashMap::new(),
        }
    }

    /// Whether a record's role puts it on the other side of the trade from a group: a
    /// partial name of a case officer is not the agent of that surname.
    fn roles_apart(&mut self, record: usize, group: usize) -> bool {
        let (r, g) = (self.find(record), self.find(group));
        crate::context::roles_apart(self.roles[r], self.roles[g])
    }

    /// Whether the two groups' birth years are too far apart to be one person's.
    fn born_apart(&self, ra: usize, rb: usize) -> bool {
        crate::context::born_apart(&self.born[ra], &self.born[rb])
            .is_some_and(|d| d > crate::context::BIRTH_YEAR_SLACK)
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
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
        self.roles[big] |= self.roles[small];
        let moved = std::mem::take(&mut self.born[small]);
        for y in moved {
            if !self.born[big].contains(&y) {
                self.born[big].push(y);
            }
        }
        self.parent[small] = big;
    }

    /// Joins unless a person judged a member of one different from a member of the other
    /// (for words that are no person's name, whose spellings cannot be compared as names).
    fn join_unless_judged(&mut self, a: usize, b: usize, cannot: &HashSet<(usize, usize)>) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb && !self.judged_apart(ra, rb, cannot) {
            self.join(ra, rb);
        }
    }

    /// Whether a person judged a member of one group different from a member of the
    /// other: by the judgements when they are fewer than the pairs of members.
    fn judged_apart(&mut self, ra: usize, rb: usize, cannot: &HashSet<(usize, usize)>) -> bool {
        if cannot.is_empty() {
            return false;
        }
        let pairs = self.members[ra]
            .len()
            .saturating_mul(self.members[rb].len());
        if cannot.len() < pairs {
            return cannot.iter().any(|&(x, y)| {
                let (fx, fy) = (self.find(x), self.find(y));
                (fx == ra && fy == rb) || (fx == rb && fy == ra)
            });
        }
        self.members[ra].iter().any(|&x| {
            self.members[rb]
                .iter()
                .any(|&y| cannot.contains(&(x.min(y), x.max(y))))
        })
    }

    /// Joins when no spelling of one contradicts a spelling of the other and no person
    /// judged a member of one different from a member of the other.
    /// Records that a person judged spellings `a` and `b` one person.
    fn vouch(&mut self, a: usize, b: usize) {
        if a != b {
            self.vouched.entry(a).or_default().push(b);
            self.vouched.entry(b).or_default().push(a);
        }
    }

    /// Whether the machine's "different" between spellings `x` and `y` gives way to a
    /// person's judgement: someone judged `y` one with `x` itself, or with a spelling `z`
    /// that `x` may well be.
    /// The person's word carries from `z` to `y`; it never carries a name that differs from
    /// both (a sister stays apart).
    fn excused(
        &self,
        x: usize,
        y: usize,
        names: &[PersonName],
        memo: &mut HashMap<(usize, usize), Verdict>,
    ) -> bool {
        self.vouched.get(&y).is_some_and(|with| {
            with.iter()
                .any(|&z| z == x || verdict(memo, names, x, z) != Verdict::Different)
        })
    }

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
        if self.born_apart(ra, rb) {
            return false;
        }
        for &x in &self.spellings[ra] {
            for &y in &self.spellings[rb] {
                if x == y {
                    continue;
                }
                let v = verdict(memo, names, x, y);
                if v == Verdict::Different
                    && !self.excused(x, y, names, memo)
                    && !self.excused(y, x, names, memo)
                {
                    return false;
                }
            }
        }
        if self.judged_apart(ra, rb, cannot) {
            return false;
        }
        self.join(ra, rb);
        true
    }

    /// Joins a record as read a given way (a lone word read as a given name rather than a
    /// surname): its group, the record alone or records of that one spelling, takes that
    /// reading for every later check.
    fn join_reading(
        &mut self,
        a: usize,
        reading: usize,
        b: usize,
        names: &[PersonName],
        memo: &mut HashMap<(usize, usize), Verdict>,
        cannot: &HashSet<(usize, usize)>,
    ) -> bool {
        let ra = self.find(a);
        if self.spellings[ra] == [reading] {
            return self.join_if(a, b, names, memo, cannot);
        }
        if self.spellings[ra].len() != 1 {
            return false;
        }
        let before = std::mem::replace(&mut self.spellings[ra], vec![reading]);
        let joined = self.join_if(a, b, names, memo, cannot);
        if !joined {
            self.spellings[ra] = before;
        }
        joined
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
    /// A lone word: a surname or a given name alone.
    Alone,
}

/// The other reading of a lone word: a surname alone read as a given name the lexicon
/// lacks ("Азия" is parsed as a surname, but is Asia Bibi's given name), or a given name
/// alone as a surname ("Джонсон" is in the lexicon of given names, and is Boris Johnson).
fn other_reading(n: &PersonName) -> Option<PersonName> {
    if let Some(man) = genitive_reading(n) {
        return Some(man);
    }
    if !n.initials.is_empty() || n.patronymic.is_some() {
        return None;
    }
    let (given, surname) = match (&n.surname, &n.given) {
        (Some(s), None) => (Some(s.clone()), None),
        (None, Some(g)) => (None, Some(g.clone())),
        _ => return None,
    };
    Some(PersonName {
        original: n.original.clone(),
        given,
        surname,
        ..PersonName::default()
    })
}

/// A Russian surname in -ова, -ева, -ина with nothing but initials beside it, read as a
/// man's surname in the genitive or accusative ("Рапорт Кузьмина", "измены Лебедева",
/// "Протокол допроса Кузьмина А. П."): the parser reads a woman's name, and nothing in
/// the name says which it is.
fn genitive_reading(n: &PersonName) -> Option<PersonName> {
    if n.given.is_some() || n.patronymic.is_some() || n.sex != Some(Sex::Female) {
        return None;
    }
    let surname = n.surname.as_deref()?;
    if !crate::is_cyrillic_word(surname) {
        return None;
    }
    let lower = surname.to_lowercase();
    let man = ["ова", "ева", "ёва", "ина", "ына"]
        .iter()
        .any(|e| lower.ends_with(e))
        .then(|| {
            surname
                .chars()
                .take(surname.chars().count() - 1)
                .collect::<String>()
        })?;
    if man.chars().count() < 4 {
        return None;
    }
    Some(PersonName {
        original: n.original.clone(),
        surname: Some(man),
        initials: n.initials.clone(),
        sex: Some(Sex::Male),
        ..PersonName::default()
    })
}

/// Whether a partial name fits a fuller one by the part it has: its surname (with any
/// initials), or its given name. A lone word read against the parser (`strict`) must be
/// the name itself or a transliteration of it, not only sound like it ("torysi" is not
/// "Theresa", "Терезы" is not "Тръс").
fn fits_part_of(partial: &PersonName, full: &PersonName, strict: bool) -> bool {
    let m = compare(partial, full);
    let needed = if partial.surname.is_some() {
        "same surname"
    } else {
        "given name"
    };
    m.verdict != Verdict::Different
        && m.reasons
            .iter()
            .any(|r| r.starts_with(needed) && !(strict && by_ear(r)))
}

/// Whether a reason rests on sound alone.
fn by_ear(reason: &str) -> bool {
    reason.ends_with("(transcription)") || reason.contains("by sound")
}

/// The comparison keys of spellings' surnames and given names (`comparison_keys`), worked
/// out once a spelling, since the same names meet in many documents.
#[derive(Default)]
struct KeyCache {
    surname: HashMap<usize, Vec<String>>,
    given: HashMap<usize, Vec<String>>,
}

impl KeyCache {
    fn surname(&mut self, s: usize, spellings: &[PersonName]) -> &[String] {
        self.surname.entry(s).or_insert_with(|| {
            spellings[s]
                .surname
                .as_deref()
                .map(crate::comparison_keys)
                .unwrap_or_default()
        })
    }

    fn given(&mut self, s: usize, spellings: &[PersonName]) -> &[String] {
        self.given.entry(s).or_insert_with(|| {
            spellings[s]
                .given
                .as_deref()
                .map(crate::comparison_keys)
                .unwrap_or_default()
        })
    }
}

/// The fuller names of one document (a surname with a given name or initials), found by
/// key, so that each partial name is compared with the few it could fit rather than with
/// every name of the document: a document of fifty thousand names is otherwise fifty
/// thousand squared comparisons. The keys never leave out a name that could fit
/// (`comparison_keys`), so the outcome is the one a comparison with every name would give.
struct DocumentNames {
    /// Each fuller spelling's records, kept to one record per group as groups join.
    records: HashMap<usize, Vec<usize>>,
    by_surname: HashMap<String, Vec<usize>>,
    by_given: HashMap<String, Vec<usize>>,
    /// The fuller spellings each partial reading could fit, once worked out.
    candidates: HashMap<usize, Vec<usize>>,
}

impl DocumentNames {
    fn new(
        members: &[usize],
        spelling_of: &[usize],
        spellings: &[PersonName],
        keys: &mut KeyCache,
    ) -> Self {
        let mut records: HashMap<usize, Vec<usize>> = HashMap::new();
        for &f in members {
            let n = &spellings[spelling_of[f]];
            if n.surname.is_some() && (n.given.is_some() || !n.initials.is_empty()) {
                records.entry(spelling_of[f]).or_default().push(f);
            }
        }
        let mut by_surname: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_given: HashMap<String, Vec<usize>> = HashMap::new();
        let mut fuller: Vec<usize> = records.keys().copied().collect();
        fuller.sort_unstable();
        for s in fuller {
            for k in keys.surname(s, spellings) {
                by_surname.entry(k.clone()).or_default().push(s);
            }
            for k in keys.given(s, spellings) {
                by_given.entry(k.clone()).or_default().push(s);
            }
        }
        DocumentNames {
            records,
            by_surname,
            by_given,
            candidates: HashMap::new(),
        }
    }

    /// The fuller spellings of the document that a partial reading could fit, in order.
    fn candidates(
        &mut self,
        reading: usize,
        spellings: &[PersonName],
        keys: &mut KeyCache,
    ) -> Vec<usize> {
        if let Some(c) = self.candidates.get(&reading) {
            return c.clone();
        }
        let partial = &spellings[reading];
        let (own, index) = if partial.surname.is_some() {
            (keys.surname(reading, spellings), &self.by_surname)
        } else {
            (keys.given(reading, spellings), &self.by_given)
        };
        let mut found: Vec<usize> = own
            .iter()
            .filter_map(|k| index.get(k))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        self.candidates.insert(reading, found.clone());
        found
    }

    /// The records of a fuller spelling, one for each group they are in.
    fn one_record_per_group(&mut self, spelling: usize, groups: &mut Groups) -> Vec<usize> {
        let Some(list) = self.records.get_mut(&spelling) else {
            return Vec::new();
        };
        let mut roots: HashSet<usize> = HashSet::new();
        list.retain(|&f| roots.insert(groups.find(f)));
        list.clone()
    }
}

/// The lookups the whole-list passes use: spellings, their records, the surname blocks and
/// the spellings with a surname by the sound of their given name.
struct Lists<'a> {
    spellings: &'a [PersonName],
    records: &'a HashMap<usize, Vec<usize>>,
    blocks: &'a HashMap<String, Vec<usize>>,
    by_given: &'a HashMap<String, Vec<usize>>,
}

impl Lists<'_> {
    /// The groups (with sizes) whose full names this partial name (a spelling, in the
    /// reading given) fits. What fits is worked out once a spelling and reading; the
    /// groups are looked up afresh, since they grow as the pass joins them.
    fn targets(
        &self,
        reading: usize,
        own: usize,
        strict: bool,
        root: usize,
        groups: &mut Groups,
        cache: &mut TargetCache,
    ) -> Vec<(usize, usize)> {
        let fitting = cache.fits.entry((reading, strict)).or_insert_with(|| {
            let partial = &self.spellings[reading];
            let mut candidates: Vec<usize> = Vec::new();
            if partial.surname.is_some() {
                for key in partial.block_keys() {
                    candidates.extend(self.blocks.get(&key).map(Vec::as_slice).unwrap_or(&[]));
                }
            } else if let Some(g) = &partial.given {
                let key = crate::sound::sound_key(g);
                candidates.extend(self.by_given.get(&key).map(Vec::as_slice).unwrap_or(&[]));
            }
            candidates.sort_unstable();
            candidates.dedup();
            candidates
                .into_iter()
                .filter(|&s| {
                    let full = &self.spellings[s];
                    s != own
                        && full.given.is_some()
                        && full.surname.is_some()
                        && fits_part_of(partial, full, strict)
                })
                .collect()
        });
        let mut targets: Vec<(usize, usize)> = Vec::new();
        for &s in fitting.iter() {
            let roots = cache.roots.entry(s).or_insert_with(|| {
                let mut r: Vec<usize> = self.records[&s].iter().map(|&m| groups.find(m)).collect();
                r.sort_unstable();
                r.dedup();
                r
            });
            for r in roots.iter_mut() {
                *r = groups.find(*r);
                if *r != root && !targets.iter().any(|t| t.0 == *r) {
                    targets.push((*r, groups.members[*r].len()));
                }
            }
        }
        targets
    }
}

/// What the whole-list passes have worked out: the full spellings a partial spelling fits
/// (by reading and strictness), and the groups each full spelling's records are in.
#[derive(Default)]
struct TargetCache {
    fits: HashMap<(usize, bool), Vec<usize>>,
    roots: HashMap<usize, Vec<usize>>,
}
