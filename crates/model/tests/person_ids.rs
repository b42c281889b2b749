//! Person ids across resolutions: what the registry promises a user who cites "P3".

use std::collections::{HashMap, HashSet};

use kartoteka_model::{
    assign_person_ids, DocId, IdChange, MentionAnchor, PersonRecord, PersonStatus,
};
use proptest::prelude::*;

type Key = (DocId, u32, u32);

fn anchor(n: u32) -> MentionAnchor {
    MentionAnchor {
        doc: DocId(i64::from(n / 10) + 1),
        page: 1,
        start: n % 10 * 7,
        text: format!("m{n}"),
    }
}

fn key(n: u32) -> Key {
    let a = anchor(n);
    (a.doc, a.page, a.start)
}

/// The registry and the current assignment, as the store keeps them between runs.
#[derive(Default)]
struct Archive {
    registry: Vec<PersonRecord>,
    previous: HashMap<Key, String>,
}

impl Archive {
    /// Resolves into these groups of mention numbers; gives each group's id.
    fn resolve(&mut self, groups: &[Vec<u32>]) -> (Vec<String>, Vec<IdChange>) {
        let anchors: Vec<Vec<MentionAnchor>> = groups
            .iter()
            .map(|g| g.iter().map(|&n| anchor(n)).collect())
            .collect();
        let out = assign_person_ids(
            &anchors,
            &self.previous,
            &self.registry,
            "2026-12-04T00:00:00Z",
        );
        for r in out.records {
            match self.registry.iter_mut().find(|x| x.id == r.id) {
                Some(old) => *old = r,
                None => self.registry.push(r),
            }
        }
        self.previous = groups
            .iter()
            .zip(&out.ids)
            .flat_map(|(g, id)| g.iter().map(move |&n| (key(n), id.clone())))
            .collect();
        (out.ids, out.changes)
    }

    fn record(&self, id: &str) -> &PersonRecord {
        self.registry
            .iter()
            .find(|r| r.id == id)
            .expect("id in the registry")
    }
}

#[test]
fn the_first_resolution_numbers_persons_by_their_first_mentions_whatever_the_group_order() {
    let mut a = Archive::default();
    let (ids, _) = a.resolve(&[vec![30, 31], vec![5, 40], vec![12]]);
    assert_eq!(ids, ["P3", "P1", "P2"]);
    let mut b = Archive::default();
    let (ids, _) = b.resolve(&[vec![12], vec![40, 5], vec![31, 30]]);
    assert_eq!(ids, ["P2", "P1", "P3"]);
}

#[test]
fn new_evidence_keeps_every_id() {
    let mut a = Archive::default();
    a.resolve(&[vec![1, 2], vec![3]]);
    let (ids, changes) = a.resolve(&[vec![1, 2, 7], vec![3, 8], vec![0]]);
    // Mention 0 comes first in the archive, but its person is new: the next number.
    assert_eq!(ids, ["P1", "P2", "P3"]);
    assert_eq!(changes, [IdChange::New { id: "P3".into() }]);
}

#[test]
fn a_merge_keeps_the_id_with_more_mentions_and_redirects_the_other() {
    let mut a = Archive::default();
    a.resolve(&[vec![1], vec![2, 3, 4]]);
    let (ids, changes) = a.resolve(&[vec![1, 2, 3, 4]]);
    assert_eq!(ids, ["P2"]);
    assert_eq!(
        changes,
        [IdChange::Merged {
            from: "P1".into(),
            into: "P2".into()
        }]
    );
    let old = a.record("P1");
    assert_eq!(old.status, PersonStatus::Merged);
    assert_eq!(old.merged_into.as_deref(), Some("P2"));
}

#[test]
fn a_merge_of_equals_keeps_the_older_id() {
    let mut a = Archive::default();
    a.resolve(&[vec![1, 2], vec![3, 4]]);
    let (ids, _) = a.resolve(&[vec![3, 4, 1, 2]]);
    assert_eq!(ids, ["P1"]);
    assert_eq!(a.record("P2").merged_into.as_deref(), Some("P1"));
}

#[test]
fn a_split_leaves_the_id_with_the_larger_part_and_the_rest_gets_a_new_one() {
    let mut a = Archive::default();
    a.resolve(&[vec![1, 2, 3, 4, 5]]);
    // The smaller part holds the first mention: evidence, not position, keeps the id.
    let (ids, changes) = a.resolve(&[vec![1, 2], vec![3, 4, 5]]);
    assert_eq!(ids, ["P2", "P1"]);
    assert_eq!(
        changes,
        [IdChange::Split {
            from: "P1".into(),
            new: "P2".into()
        }]
    );
    assert_eq!(a.record("P2").split_from.as_deref(), Some("P1"));
}

#[test]
fn a_merged_id_follows_its_mentions_when_the_merge_is_undone() {
    let mut a = Archive::default();
    a.resolve(&[vec![1, 2, 3], vec![7, 8]]);
    a.resolve(&[vec![1, 2, 3, 7, 8]]);
    assert_eq!(a.record("P2").merged_into.as_deref(), Some("P1"));
    // Undone: P2's mentions are a person again, under a new id; P2 points there, and
    // never at P1, who is not the person P2 named.
    let (ids, changes) = a.resolve(&[vec![1, 2, 3], vec![7, 8]]);
    assert_eq!(ids, ["P1", "P3"]);
    assert!(changes.contains(&IdChange::Redirected {
        from: "P2".into(),
        into: "P3".into()
    }));
    assert_eq!(a.record("P2").status, PersonStatus::Merged);
    assert_eq!(a.record("P2").merged_into.as_deref(), Some("P3"));
}

#[test]
fn an_id_whose_mentions_are_gone_is_withdrawn_and_never_issued_again() {
    let mut a = Archive::default();
    a.resolve(&[vec![1], vec![2]]);
    let (ids, changes) = a.resolve(&[vec![1]]);
    assert_eq!(ids, ["P1"]);
    assert_eq!(changes, [IdChange::Withdrawn { id: "P2".into() }]);
    let (ids, _) = a.resolve(&[vec![1], vec![2]]);
    assert_eq!(ids, ["P1", "P3"]);
    assert_eq!(a.record("P2").status, PersonStatus::Withdrawn);
}

/// One resolution: which of 16 mentions are in the archive, and the group of each.
fn step() -> impl Strategy<Value = Vec<Option<u8>>> {
    prop::collection::vec(prop::option::weighted(0.8, 0u8..4), 16)
}

fn groups_of(step: &[Option<u8>]) -> Vec<Vec<u32>> {
    let mut groups: Vec<Vec<u32>> = vec![Vec::new(); 4];
    for (n, g) in step.iter().enumerate() {
        if let Some(g) = g {
            groups[usize::from(*g)].push(n as u32);
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Over any sequence of resolutions (mentions added and removed, persons joined and
    /// split by judgements), no id ever names another person: a group keeps an id only if
    /// it holds some of that id's mentions; a retired id is never given again; every id
    /// that lost its group points at whoever holds its mentions, or is withdrawn.
    #[test]
    fn no_id_is_ever_reused_for_someone_else(steps in prop::collection::vec(step(), 1..7)) {
        let mut a = Archive::default();
        let mut issued: HashSet<String> = HashSet::new();
        for s in &steps {
            let groups = groups_of(s);
            let before_active: HashSet<String> = a
                .registry
                .iter()
                .filter(|r| r.status == PersonStatus::Active)
                .map(|r| r.id.clone())
                .collect();
            let before = a.previous.clone();
            let (ids, _) = a.resolve(&groups);
            let unique: HashSet<&String> = ids.iter().collect();
            prop_assert_eq!(unique.len(), ids.len());
            for (g, id) in groups.iter().zip(&ids) {
                if issued.contains(id) {
                    prop_assert!(before_active.contains(id), "{} was retired, then given again", id);
                    prop_assert!(
                        g.iter().any(|&n| before.get(&key(n)) == Some(id)),
                        "{} kept by a group holding none of its mentions", id
                    );
                }
                issued.insert(id.clone());
            }
            let now: HashMap<Key, String> = a.previous.clone();
            for r in &a.registry {
                match r.status {
                    PersonStatus::Active => prop_assert!(ids.contains(&r.id)),
                    PersonStatus::Merged => {
                        let into = r.merged_into.clone().unwrap_or_default();
                        prop_assert!(ids.contains(&into), "{} points at {}, not a person now", r.id, into);
                        prop_assert!(r.anchors.iter().any(|x| now.get(&(x.doc, x.page, x.start)) == Some(&into)));
                    }
                    PersonStatus::Withdrawn => prop_assert!(!ids.contains(&r.id)),
                }
            }
        }
    }

    /// The ids do not depend on the order the groups come in.
    #[test]
    fn ids_do_not_depend_on_the_order_of_groups(steps in prop::collection::vec(step(), 1..5)) {
        let mut a = Archive::default();
        let mut b = Archive::default();
        for s in &steps {
            let groups = groups_of(s);
            let mut reversed = groups.clone();
            reversed.reverse();
            let (ids_a, _) = a.resolve(&groups);
            let (mut ids_b, _) = b.resolve(&reversed);
            ids_b.reverse();
            prop_assert_eq!(ids_a, ids_b);
        }
    }
}
