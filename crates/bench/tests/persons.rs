//! The person tagger on news text it was not trained on, and the promise behind that
//! figure: the embedded model is exactly what training on the tuning data gives (the
//! devset's tuning part, bsnlp's tuning topic, natasha's spans on the topics no test
//! scores), so the held-out quarter of factRuEval and bsnlp's held-out topic never
//! reached it.

use std::path::{Path, PathBuf};

use kartoteka_bench::persons::{
    all_training, bsnlp_russian, fact_ru_eval, score_forms, score_spans, silver, training_examples,
    Part, BSNLP_HELD_OUT, BSNLP_TUNING,
};
use kartoteka_extract::{default_tagger, PersonTagger};

fn data(rel: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(rel);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("KARTOTEKA_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!("KARTOTEKA_REQUIRE_DATA=1 but {} is missing", dir.display());
    }
    eprintln!("skipping: {} is missing", dir.display());
    None
}

/// The factRuEval devset and the bsnlp datasets, when both are there.
fn corpora() -> Option<(PathBuf, PathBuf)> {
    Some((
        data("factRuEval-2016/devset")?,
        data("bsnlp-2021/data/datasets/bsnlp")?,
    ))
}

#[test]
fn the_embedded_tagger_is_trained_on_the_tuning_part_only() {
    let Some((devset, bsnlp)) = corpora() else {
        return;
    };
    let tuning = fact_ru_eval(&devset, Part::Tuning).unwrap();
    let listed = bsnlp_russian(&bsnlp.join(BSNLP_TUNING)).unwrap();
    let silver = silver(&bsnlp).unwrap();
    let model = PersonTagger::train(
        &all_training(training_examples(&tuning, &listed), &silver),
        10,
    );
    let embedded: &[u8] = include_bytes!("../../extract/data/persons.tagger");
    assert!(
        model.to_bytes() == embedded,
        "crates/extract/data/persons.tagger is not what `kartoteka-bench train-persons` gives: retrain it"
    );
}

#[test]
fn the_tagger_adds_to_the_rules_on_text_it_never_saw() {
    let Some((devset, bsnlp)) = corpora() else {
        return;
    };
    let tagger = default_tagger().expect("a model is embedded");
    let held_out = fact_ru_eval(&devset, Part::HeldOut).unwrap();
    assert!(
        held_out.len() >= 20,
        "the held-out quarter is {} documents",
        held_out.len()
    );
    let (with, _) = score_spans(&held_out, Some(tagger));
    let (without, _) = score_spans(&held_out, None);
    assert!(
        with.2 >= 0.91,
        "exact-span F1 on the held-out quarter: {:.3}",
        with.2
    );
    assert!(
        with.2 >= without.2,
        "tagger {:.3} < rules alone {:.3}",
        with.2,
        without.2
    );

    let listed = bsnlp_russian(&bsnlp.join(BSNLP_HELD_OUT)).unwrap();
    assert!(
        listed.len() >= 100,
        "bsnlp {BSNLP_HELD_OUT}: {} documents",
        listed.len()
    );
    let with = score_forms(&listed, Some(tagger));
    let without = score_forms(&listed, None);
    assert!(
        with.2 >= 0.91,
        "F1 over person forms on bsnlp {BSNLP_HELD_OUT}: {:.3}",
        with.2
    );
    assert!(
        with.2 > without.2,
        "tagger {:.3} <= rules alone {:.3}",
        with.2,
        without.2
    );
}
