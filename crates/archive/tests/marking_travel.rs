//! Markings travel through transfers (issue 15, class 1), as a property: whatever rules
//! the sender has and whatever the receiver had, after export and import every unit the
//! bag's rules name is marked at least as high as both, releasable to nobody either
//! withholds it from.

use kartoteka_archive::{Archive, ExportOptions, IngestOptions, NoProgress};
use kartoteka_model::{Classification, Marking, Reference};
use proptest::prelude::*;

const PARTNERS: &[&str] = &["GBR", "USA", "CAN", "DEU"];

fn marking() -> impl Strategy<Value = String> {
    (
        0usize..5,
        prop::collection::btree_set(0usize..4, 0..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(level, rel, noforn, orcon)| {
            let mut controls = Vec::new();
            if orcon {
                controls.push("ORCON".to_string());
            }
            if noforn {
                controls.push("NOFORN".to_string());
            } else if !rel.is_empty() {
                let codes: Vec<&str> = rel.iter().map(|&i| PARTNERS[i]).collect();
                controls.push(format!("REL TO {}", codes.join(", ")));
            }
            let mut m = Classification::ALL[level].to_string();
            if !controls.is_empty() {
                m.push_str(&format!("//{}", controls.join("/")));
            }
            m
        })
}

/// Never more releasable: `low` may go nowhere `high` may not.
fn at_least(high: &Marking, low: &Marking) -> bool {
    let goes = |m: &Marking, c: &str| {
        !m.noforn && (m.releasable_to.is_empty() || m.releasable_to.iter().any(|r| r == c))
    };
    high.classification >= low.classification
        && (!low.orcon || high.orcon)
        && PARTNERS
            .iter()
            .chain(["FRA"].iter())
            .all(|c| !goes(high, c) || goes(low, c))
}

const UNITS: &[&str] = &["ф. 77", "ф. 77, оп. 1", "ф. 77, оп. 1, д. 2"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn no_transfer_lowers_a_marking(
        sent in prop::collection::vec((0usize..3, marking()), 1..3),
        held in prop::option::of((0usize..3, marking())),
        export_at in 0usize..2,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let files = dir.path().join("files/ф. 77/оп. 1/д. 2");
        std::fs::create_dir_all(&files).unwrap();
        std::fs::write(files.join("л. 1.txt"), "Справка о Зотове").unwrap();
        let sender = Archive::init(&dir.path().join("sender")).unwrap();
        let options = IngestOptions {
            ocr: kartoteka_archive::formats::Ocr::disabled(),
            ..IngestOptions::default()
        };
        sender.ingest(&[dir.path().join("files")], &options, &NoProgress).unwrap();
        for (unit, m) in &sent {
            sender.reports().set_marking_rule(UNITS[*unit], m, "test").unwrap();
        }
        let receiver = Archive::init(&dir.path().join("receiver")).unwrap();
        if let Some((unit, m)) = &held {
            receiver.reports().set_marking_rule(UNITS[*unit], m, "ours").unwrap();
        }
        let before = receiver.reports().marking_rules().unwrap();
        let bag = dir.path().join("bag");
        sender
            .export_bag(
                &ExportOptions {
                    units: vec![Reference::parse(UNITS[export_at]).unwrap()],
                    out: bag.clone(),
                    ..ExportOptions::default()
                },
                &NoProgress,
            )
            .unwrap();
        receiver.import_bag(&bag, None, &NoProgress).unwrap();
        let after = receiver.reports().marking_rules().unwrap();
        // Every rule the sender had reached the receiver (the exported unit is inside or
        // around every unit here), at least as high.
        for rule in sender.reports().marking_rules().unwrap() {
            let got = after.iter().find(|r| r.unit == rule.unit);
            prop_assert!(got.is_some(), "{} did not travel", rule.unit);
            prop_assert!(at_least(&got.unwrap().marking, &rule.marking), "{} lowered", rule.unit);
        }
        // No rule the receiver had is lower now.
        for rule in before {
            let got = after.iter().find(|r| r.unit == rule.unit).unwrap();
            prop_assert!(at_least(&got.marking, &rule.marking), "{}: ours lowered", rule.unit);
        }
    }
}
