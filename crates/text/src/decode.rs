//! Turning bytes of unknown encoding into text.
//!
//! Russian archives arrive in UTF-8, UTF-16, Windows-1251, KOI8-R and CP866 (DOS), often
//! without a label. The order of evidence is: a byte-order mark, the shape of UTF-16, valid
//! UTF-8, and then a comparison of the Cyrillic code pages by how Russian the decoded text
//! looks. General-purpose detectors (chardetng) are good at telling Western from Cyrillic
//! but, on short texts, confuse the Cyrillic code pages with each other, which is exactly
//! the distinction this archive needs; hence the scorer here, with chardetng as the
//! fallback for everything that is not Cyrillic.

use encoding_rs::{
    Encoding, IBM866, ISO_8859_5, KOI8_R, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1251, X_MAC_CYRILLIC,
};

/// Text decoded from bytes, with the encoding it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without any byte-order mark.
    pub text: String,
    /// Name of the encoding used ("UTF-8", "windows-1251", "KOI8-R", ...).
    pub encoding: &'static str,
    /// True when some bytes were invalid in that encoding and were replaced by U+FFFD.
    pub lossy: bool,
}

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes hold NUL characters that no text encoding here produces.
    #[error("not text: binary data (NUL byte at offset {offset})")]
    Binary {
        /// Offset of the first NUL byte.
        offset: usize,
    },
    /// A declared charset that no encoding answers to.
    #[error("unknown charset {0:?}")]
    UnknownCharset(String),
}

/// The Cyrillic code pages compared when bytes are not UTF-8, in order of preference on
/// a tie (Windows-1251 is by far the most common in archives digitised since 1995).
const CYRILLIC: [&Encoding; 5] = [WINDOWS_1251, KOI8_R, IBM866, ISO_8859_5, X_MAC_CYRILLIC];

/// Decodes bytes whose encoding is not known.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return Ok(with(encoding, &bytes[bom_len..]));
    }
    if let Some(encoding) = utf16_shape(bytes) {
        return Ok(with(encoding, bytes));
    }
    if let Some(offset) = memchr_nul(bytes) {
        return Err(DecodeError::Binary { offset });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_string(),
            encoding: "UTF-8",
            lossy: false,
        });
    }
    if let Some(encoding) = best_cyrillic(bytes) {
        return Ok(with(encoding, bytes));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    Ok(with(
        detector.guess(None, chardetng::Utf8Detection::Deny),
        bytes,
    ))
}

/// Decodes bytes that declare their charset (an HTML meta tag, an HTTP header). The
/// declaration is trusted unless the bytes are malformed in it, in which case the
/// encoding is detected instead: archives are full of pages whose label lies.
pub fn decode_declared(bytes: &[u8], label: &str) -> Result<Decoded, DecodeError> {
    let Some(encoding) = Encoding::for_label(label.trim().as_bytes()) else {
        return Err(DecodeError::UnknownCharset(label.to_string()));
    };
    if Encoding::for_bom(bytes).is_some() {
        return decode(bytes);
    }
    // Valid UTF-8 with multi-byte characters is overwhelming evidence, whatever the label.
    if encoding != UTF_8 && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
        return decode(bytes);
    }
    let decoded = with(encoding, bytes);
    if decoded.lossy {
        return decode(bytes);
    }
    Ok(decoded)
}

fn with(encoding: &'static Encoding, bytes: &[u8]) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        lossy: had_errors,
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// UTF-16 without a byte-order mark: text in it has a NUL in one byte of most pairs.
fn utf16_shape(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 {
        return None;
    }
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    let (mut even_nul, mut odd_nul) = (0, 0);
    for pair in sample.chunks_exact(2) {
        even_nul += (pair[0] == 0) as usize;
        odd_nul += (pair[1] == 0) as usize;
    }
    // Latin text in UTF-16LE has NUL high bytes; Cyrillic has 0x04 high bytes, so also
    // look at how constant the high byte is.
    let high_constant = |idx: usize| {
        let mut counts = [0usize; 256];
        for pair in sample.chunks_exact(2) {
            counts[pair[idx] as usize] += 1;
        }
        counts[0] + counts[4]
    };
    // Text: the high byte of each unit is 0 (Latin) or 4 (Cyrillic) nearly always, the low
    // byte almost never 0, and there is at least one NUL (no single-byte text has one).
    if bytes.len().is_multiple_of(2) {
        if odd_nul > 0 && even_nul * 10 < pairs && high_constant(1) * 10 >= pairs * 9 {
            return Some(UTF_16LE);
        }
        if even_nul > 0 && odd_nul * 10 < pairs && high_constant(0) * 10 >= pairs * 9 {
            return Some(UTF_16BE);
        }
    }
    None
}

/// Relative frequency (per mille) of lower-case Russian letters in running text.
fn russian_weight(c: char) -> f64 {
    let w = match c {
        'о' => 110,
        'е' => 85,
        'а' => 80,
        'и' => 74,
        'н' => 67,
        'т' => 63,
        'с' => 55,
        'р' => 47,
        'в' => 45,
        'л' => 44,
        'к' => 35,
        'м' => 32,
        'д' => 30,
        'п' => 28,
        'у' => 26,
        'я' => 20,
        'ы' => 19,
        'ь' => 17,
        'г' => 17,
        'з' => 16,
        'б' => 16,
        'ч' => 14,
        'й' => 12,
        'х' => 10,
        'ж' => 9,
        'ш' => 7,
        'ю' => 6,
        'ц' => 5,
        'щ' => 4,
        'э' => 3,
        'ф' => 3,
        'ъ' => 1,
        'ё' => 40,
        _ => return 0.0,
    };
    w as f64
}

/// How much the text decoded from the non-ASCII bytes looks like Russian: frequent
/// lower-case letters score, capitals score only at the start of a word, and symbols,
/// non-Russian Cyrillic letters, box-drawing and control characters cost, as do letters
/// glued to Latin letters ("grцяer" is German read in the wrong code page).
fn russian_score(text: &str) -> f64 {
    let mut score = 0.0;
    let mut counted = 0usize;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii() {
            continue;
        }
        counted += 1;
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        let prev_letter = prev.is_some_and(char::is_alphabetic);
        if prev.is_some_and(|p| p.is_ascii_alphabetic())
            || next.is_some_and(|n| n.is_ascii_alphabetic())
        {
            score -= 10.0;
            continue;
        }
        let w = russian_weight(c);
        if w > 0.0 {
            score += w.sqrt();
        } else if ('А'..='Я').contains(&c) || c == 'Ё' {
            score += if prev_letter { -3.0 } else { 2.0 };
        } else {
            score -= 10.0;
        }
    }
    if counted == 0 {
        return 0.0;
    }
    score / counted as f64
}

fn best_cyrillic(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let mut best: Option<(&'static Encoding, f64)> = None;
    for encoding in CYRILLIC {
        let (text, _) = encoding.decode_without_bom_handling(sample);
        let s = russian_score(&text);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((encoding, s));
        }
    }
    // Below this the text is not Russian in any code page: leave it to chardetng.
    best.filter(|(_, s)| *s > 3.0).map(|(e, _)| e)
}

/// The encodings this module can name, for `--encoding` style overrides.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUSSIAN: &str = "Справка по делу агента \"ХОЛА\". Завербована в 1937 году в Лондоне, \
        передавала сведения резидентуре до 1946 года. Связь поддерживалась через нелегала.";

    fn encode(enc: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, errors) = enc.encode(text);
        assert!(!errors);
        bytes.into_owned()
    }

    #[test]
    fn each_cyrillic_code_page_is_recognised() {
        for enc in [WINDOWS_1251, KOI8_R, IBM866] {
            let decoded = decode(&encode(enc, RUSSIAN)).unwrap();
            assert_eq!(decoded.encoding, enc.name());
            assert_eq!(decoded.text, RUSSIAN);
        }
    }

    #[test]
    fn short_words_are_recognised_too() {
        for word in ["Хрущёв", "протокол допроса", "дело"] {
            for enc in [WINDOWS_1251, KOI8_R, IBM866] {
                let decoded = decode(&encode(enc, word)).unwrap();
                assert_eq!(
                    decoded.text,
                    word,
                    "{} read as {}",
                    enc.name(),
                    decoded.encoding
                );
            }
        }
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let mut le = vec![0xFF, 0xFE];
        for unit in RUSSIAN.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&le).unwrap().text, RUSSIAN);
        let be: Vec<u8> = "Khrushchev and Хрущёв"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let d = decode(&be).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("Khrushchev and Хрущёв", "UTF-16BE")
        );
    }

    #[test]
    fn utf8_and_western_text() {
        assert_eq!(decode(RUSSIAN.as_bytes()).unwrap().encoding, "UTF-8");
        let german = encode(
            encoding_rs::WINDOWS_1252,
            "Chruschtschow wurde in Kalinowka geboren, größer als üblich.",
        );
        let d = decode(&german).unwrap();
        assert!(d.text.contains("größer"), "{d:?}");
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(DecodeError::Binary { offset: 8 })
        );
    }

    #[test]
    fn a_lying_label_is_overruled() {
        let d = decode_declared(RUSSIAN.as_bytes(), "utf-8").unwrap();
        assert_eq!(d.text, RUSSIAN);
        let cp = encode(WINDOWS_1251, RUSSIAN);
        assert_eq!(decode_declared(&cp, "windows-1251").unwrap().text, RUSSIAN);
        assert_eq!(decode_declared(&cp, "utf-8").unwrap().text, RUSSIAN);
        assert_eq!(
            decode_declared(RUSSIAN.as_bytes(), "windows-1251")
                .unwrap()
                .text,
            RUSSIAN
        );
        assert!(matches!(
            decode_declared(&cp, "klingon"),
            Err(DecodeError::UnknownCharset(_))
        ));
    }
}
