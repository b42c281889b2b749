//! Property tests for the decoder: it never panics, and Russian text written in any of the
//! Cyrillic code pages reads back exactly.

use kartoteka_text::{decode, words};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "агент",
    "резидент",
    "встреча",
    "донесение",
    "Лондон",
    "Хрущёв",
    "передал",
    "сведения",
    "о",
    "в",
    "году",
    "оперработник",
    "источник",
    "Кузьмин",
    "шифртелеграмма",
    "Центру",
    "с",
    "на",
    "связь",
    "поддерживалась",
];

fn russian() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(WORDS), 4..40).prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(d) = decode(&bytes) {
            let _ = words(&d.text).count();
        }
    }

    #[test]
    fn russian_round_trips_in_every_code_page(text in russian(), which in 0usize..4) {
        let encoding = [encoding_rs::WINDOWS_1251, encoding_rs::KOI8_R, encoding_rs::IBM866, encoding_rs::UTF_8][which];
        let (bytes, _, errors) = encoding.encode(&text);
        prop_assume!(!errors);
        let decoded = decode(&bytes).unwrap();
        prop_assert_eq!(decoded.text, text);
    }

    #[test]
    fn utf16_round_trips(text in russian(), big_endian in any::<bool>(), bom in any::<bool>()) {
        let mut bytes = Vec::new();
        if bom {
            bytes.extend_from_slice(if big_endian { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        prop_assert_eq!(decode(&bytes).unwrap().text, text);
    }
}
