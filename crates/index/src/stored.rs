//! A hit's stored page, read without decoding it value by value.
//!
//! Tantivy hands a stored document back decoded: a bytes value one byte at a time, a text
//! value checked as UTF-8 whole. On the long single pages of OCR'd reports (a megabyte
//! is not rare) that decoding cost more than the rest of a search, and a snippet needs a
//! few hundred bytes of the page. So the page is taken from tantivy's store as the bytes
//! it keeps (`StoreReader::get_document_bytes`, its public raw access) and the two values
//! a snippet reads are located in them, following tantivy's document encoding: a count,
//! then per value the field (u32, little-endian), a type code and the payload. Nothing
//! here is trusted: any code this schema does not store, or a length past the end, gives
//! `None`, and the caller decodes the document the ordinary way. A test holds this reading
//! to tantivy's own for every kind of page, so a change of encoding in a new tantivy
//! fails the build's tests, not a search.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use tantivy::schema::Field;
use tantivy::store::StoreReader;
use tantivy::Searcher;

/// Tantivy's type codes for the values this schema stores.
const TEXT_CODE: u8 = 0;
const U64_CODE: u8 = 1;
const BYTES_CODE: u8 = 4;

/// Blocks each segment's store keeps decompressed (tantivy's default for a searcher).
const CACHED_BLOCKS: usize = 100;

/// Where the marks and the text lie in a stored page's bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Located {
    pub marks: Option<Range<usize>>,
    pub text: Option<Range<usize>>,
}

/// Tantivy's variable-length integer: seven bits a byte, least significant first, the last
/// byte marked by its high bit.
fn vint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(b & 0x7F) << shift;
        if b & 0x80 != 0 {
            return Some(value);
        }
    }
    None
}

/// Finds the `marks` and `text` values in a stored document's bytes; `None` for anything
/// but the shapes this schema writes.
pub(crate) fn locate(bytes: &[u8], marks: Field, text: Field) -> Option<Located> {
    let mut at = 0;
    let count = vint(bytes, &mut at)?;
    let mut found = Located::default();
    for _ in 0..count {
        let id = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?);
        at += 4;
        let code = *bytes.get(at)?;
        at += 1;
        match code {
            U64_CODE => {
                bytes.get(at..at + 8)?;
                at += 8;
            }
            TEXT_CODE | BYTES_CODE => {
                let len = usize::try_from(vint(bytes, &mut at)?).ok()?;
                let end = at.checked_add(len)?;
                bytes.get(at..end)?;
                if code == BYTES_CODE && id == marks.field_id() {
                    found.marks = Some(at..end);
                } else if code == BYTES_CODE && id == text.field_id() {
                    found.text = Some(at..end);
                }
                at = end;
            }
            _ => return None,
        }
    }
    (at == bytes.len()).then_some(found)
}

/// Each segment's store reader for one searcher generation, kept so that their caches of
/// decompressed blocks serve search after search.
#[derive(Default)]
pub(crate) struct StoreReaders(Mutex<Option<(u64, Arc<Vec<StoreReader>>)>>);

impl StoreReaders {
    /// The readers for `searcher`'s segments (made afresh when the index was reloaded).
    pub(crate) fn for_searcher(
        &self,
        searcher: &Searcher,
    ) -> std::io::Result<Arc<Vec<StoreReader>>> {
        let generation = searcher.generation().generation_id();
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, readers)) = kept.as_ref() {
            if *g == generation {
                return Ok(readers.clone());
            }
        }
        let readers = Arc::new(
            searcher
                .segment_readers()
                .iter()
                .map(|s| s.get_store_reader(CACHED_BLOCKS))
                .collect::<std::io::Result<Vec<_>>>()?,
        );
        *kept = Some((generation, readers.clone()));
        Ok(readers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_read_as_tantivy_writes_them() {
        // 300 = 0b10_0101100: low seven bits first, the last byte flagged.
        let mut at = 0;
        assert_eq!(vint(&[0x2C, 0x82], &mut at), Some(300));
        assert_eq!(at, 2);
        // Cut short, or never ending: no number.
        assert_eq!(vint(&[0x2C], &mut 0), None);
        assert_eq!(vint(&[0x01; 12], &mut 0), None);
    }

    #[test]
    fn damaged_bytes_are_refused_not_misread() {
        let (marks, text) = (Field::from_field_id(4), Field::from_field_id(5));
        for bytes in [
            &[][..],
            &[0x81, 5, 0, 0, 0, 4][..], // a value cut before its length
            &[0x81, 5, 0, 0, 0, 4, 0x85, b'a'][..], // a length past the end
            &[0x81, 5, 0, 0, 0, 9, 0x80][..], // a type this schema never stores
            &[0x80, 0][..],             // bytes after the last value
        ] {
            assert_eq!(locate(bytes, marks, text), None, "{bytes:?}");
        }
    }
}
