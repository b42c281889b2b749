//! Property tests: references round-trip through both conventions, and the parser never
//! panics whatever it is fed.

use kartoteka_model::{Convention, Reference, Sheet, Sheets};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..100_000).prop_map(|n| n.to_string()),
        (1u32..10_000).prop_map(|n| format!("Р-{n}")),
        (1u32..100).prop_map(|n| format!("{n}с")),
    ]
}

fn reference() -> impl Strategy<Value = Reference> {
    (
        value(),
        proptest::option::of((
            value(),
            proptest::option::of((
                value(),
                proptest::option::of((1u32..2000, any::<bool>(), proptest::option::of(0u32..50))),
            )),
        )),
    )
        .prop_map(|(fonds, rest)| {
            let mut r = Reference::fonds(fonds);
            if let Some((inv, rest)) = rest {
                r.inventory = Some(inv);
                if let Some((file, sheet)) = rest {
                    r.file = Some(file);
                    r.sheets = sheet.map(|(n, verso, extra)| Sheets {
                        first: Sheet { number: n, verso },
                        last: extra.map(|e| Sheet {
                            number: n + e + 1,
                            verso: false,
                        }),
                    });
                }
            }
            r
        })
}

proptest! {
    #[test]
    fn russian_form_round_trips(r in reference()) {
        prop_assert_eq!(Reference::parse(&r.display(Convention::Russian)).unwrap(), r);
    }

    #[test]
    fn english_form_round_trips(r in reference()) {
        prop_assert_eq!(Reference::parse(&r.display(Convention::English)).unwrap(), r);
    }

    #[test]
    fn a_printed_reference_is_found_in_a_file_name(r in reference()) {
        let name = format!("scan {}.pdf", r.display(Convention::Russian).replace(", ", "_"));
        prop_assert_eq!(Reference::find_in(&name), Some(r));
    }

    #[test]
    fn parser_never_panics(s in "\\PC{0,40}") {
        let _ = Reference::parse(&s);
        let _ = Reference::find_in(&s);
    }

    #[test]
    fn parser_never_panics_near_labels(s in "(ф|оп|д|л|f|op|d|l|об|\\.|-| |,|[0-9]{1,3}|Р){0,12}") {
        let _ = Reference::parse(&s);
        let _ = Reference::find_in(&s);
    }
}
