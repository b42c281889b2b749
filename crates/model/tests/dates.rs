//! Dates as precise as their source.

use kartoteka_model::{DateRange, PartialDate};
use proptest::prelude::*;

#[test]
fn a_period_prints_at_the_precision_it_was_given() {
    for (given, shown) in [
        ("1937", "1937"),
        ("1937-05", "1937-05"),
        ("14.05.1937", "1937-05-14"),
        ("1937..1946", "1937..1946"),
        ("1938-1941", "1938..1941"),
        ("1944-03..1944-05", "1944-03..1944-05"),
        ("1937-05-14..1937-06-02", "1937-05-14..1937-06-02"),
    ] {
        let range = DateRange::parse(given).expect(given);
        assert_eq!(range.to_string(), shown, "{given}");
    }
    let range = DateRange::parse("1937..1946").unwrap();
    assert_eq!(range.start().to_string(), "1937");
    assert_eq!(range.end().to_string(), "1946");
}

#[test]
fn the_date_before_keeps_the_precision() {
    let before = |s: &str| PartialDate::parse(s).unwrap().before().to_string();
    assert_eq!(before("1947"), "1946");
    assert_eq!(before("1947-01"), "1946-12");
    assert_eq!(before("1947-05"), "1947-04");
    assert_eq!(before("1947-05-14"), "1947-05-13");
    assert_eq!(before("1947-03-01"), "1947-02-28");
    assert_eq!(before("1948-03-01"), "1948-02-29");
    assert_eq!(before("1947-01-01"), "1946-12-31");
}

#[test]
fn a_year_covers_its_months_and_days() {
    let d = |s: &str| PartialDate::parse(s).unwrap();
    assert!(d("1937").overlaps(&d("1937-05-14")));
    assert!(!d("1937-04").overlaps(&d("1937-05-14")));
    assert_eq!(d("1937").first_day(), 19370101);
    assert_eq!(d("1937-05").last_day(), 19370531);
    assert!(PartialDate::parse("1937-13").is_none());
    assert!(PartialDate::parse("next spring").is_none());
}

proptest! {
    /// What a period prints, it reads back as the same period.
    #[test]
    fn a_printed_period_reads_back(y1 in 1900u32..2000, m1 in 0u32..13, d1 in 0u32..29, span in 0u32..3, years in 0u32..5) {
        let one = match (m1, d1) {
            (0, _) => format!("{y1}"),
            (m, 0) => format!("{y1}-{m:02}"),
            (m, d) => format!("{y1}-{m:02}-{d:02}"),
        };
        let text = if span == 0 { one.clone() } else {
            let y2 = y1 + years;
            let two = match (m1, d1) {
                (0, _) => format!("{y2}"),
                (m, 0) => format!("{y2}-{m:02}"),
                (m, d) => format!("{y2}-{m:02}-{d:02}"),
            };
            format!("{one}..{two}")
        };
        let range = DateRange::parse(&text).unwrap();
        let printed = range.to_string();
        prop_assert_eq!(DateRange::parse(&printed), Some(range));
    }
}

proptest! {
    /// Any text gets an answer, and a date read prints back as itself.
    #[test]
    fn any_text_reads_as_a_date_or_not_without_a_panic(text in "\\PC{0,24}") {
        if let Some(d) = PartialDate::parse(&text) {
            prop_assert_eq!(PartialDate::parse(&d.to_string()), Some(d));
            prop_assert!(d.first_day() <= d.last_day());
            prop_assert!(d.before().last_day() < d.first_day());
        }
        if let Some(r) = DateRange::parse(&text) {
            prop_assert_eq!(DateRange::parse(&r.to_string()), Some(r));
        }
    }
}
