//! How a page's words become index terms.
//!
//! The index has two text fields; each word of a page is indexed once in each, at the
//! same position, in one [`Form`]: folded, and transliteration keys (several at one
//! position, for capitalised words). [`AnalyzedPage`] computes both in one pass and
//! [`PreAnalyzedTokenizer`] hands them to tantivy. Queries use [`Form::query_terms`], the
//! same functions, so that a word in a query and in a page meet exactly when their forms
//! agree. Lemmas are not indexed: a query word is expanded to the folded terms of the
//! index that share its lemma (see `SearchIndex`), which finds the same pages at half the
//! indexing cost.

use kartoteka_text::{fold, translit_keys, words};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The form of a word a field indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Lower case, ё as е, Latin diacritics removed.
    Folded,
    /// Transliteration keys of capitalised words (names).
    Translit,
}

impl Form {
    /// The terms this form gives one word of a query (names are keyed whatever their case,
    /// since users type them in lower case).
    pub fn query_terms(self, word: &str) -> Vec<String> {
        match self {
            Form::Folded => vec![fold(word).into_owned()],
            Form::Translit => translit_keys(word),
        }
    }
}

/// True for words the translit field keys: names are capitalised in Russian and English
/// alike, and keying every common word would only add false matches.
fn is_name_like(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && word.chars().any(char::is_alphabetic)
        && word.chars().count() > 1
}

/// A page's words in every indexed form, computed once (usually in an ingest worker, so
/// that analysis runs in parallel with indexing) and handed to the index as text that
/// [`PreAnalyzedTokenizer`] only has to split: one entry per word position separated by
/// spaces, several terms at one position separated by U+001F. (tantivy's own
/// pre-tokenized values go through JSON, which costs more than the analysis itself.)
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnalyzedPage {
    pub(crate) folded: String,
    pub(crate) translit: String,
    /// Where every [`MARK_EVERY`]th word starts, as [`WordMarks`] encodes it.
    pub(crate) marks: Vec<u8>,
}

/// A word mark is kept for word 0, [`MARK_EVERY`], 2 × [`MARK_EVERY`], ... of a page.
pub const MARK_EVERY: u32 = 16;

/// Where every [`MARK_EVERY`]th word of a page starts, in bytes: what lets a snippet find
/// the words the postings name (by position) without reading the page from its top. Kept
/// in the index beside the page, delta-encoded as LEB128 varints (two bytes per mark for
/// ordinary text), since a long OCR page matched near its end otherwise costs a walk over
/// every word before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordMarks(Vec<u32>);

impl WordMarks {
    /// Reads marks as the index keeps them; `None` when the bytes are no such list.
    pub fn decode(bytes: &[u8]) -> Option<WordMarks> {
        let mut marks = Vec::with_capacity(bytes.len());
        let (mut value, mut shift, mut last) = (0u64, 0u32, 0u64);
        for &b in bytes {
            value |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                last += value;
                marks.push(u32::try_from(last).ok()?);
                value = 0;
                shift = 0;
            } else {
                shift += 7;
                if shift > 35 {
                    return None;
                }
            }
        }
        (shift == 0).then_some(WordMarks(marks))
    }

    /// True when there are no marks (a page with no words, or an index that kept none).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The byte where word `position` is to be looked for, and the position of the word
    /// that starts there.
    pub fn before(&self, position: u32) -> (usize, u32) {
        let k = (position / MARK_EVERY) as usize;
        match self.0.get(k).or(self.0.last()) {
            Some(&at) => {
                let k = self.0.get(k).map_or(self.0.len() - 1, |_| k);
                (at as usize, k as u32 * MARK_EVERY)
            }
            None => (0, 0),
        }
    }

    /// [`WordMarks::before`] and where the stretch of words counted from that mark ends:
    /// at the next mark, or at `len`, the end of the page, after the last.
    pub fn region(&self, position: u32, len: usize) -> (usize, u32, usize) {
        let (start, base) = self.before(position);
        let next = (base / MARK_EVERY) as usize + 1;
        let end = self.0.get(next).map_or(len, |&at| at as usize);
        (start, base, end)
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Separates terms that share a position.
const SAME_POSITION: char = '\u{1F}';

impl AnalyzedPage {
    /// Analyses a page's text. Words are analysed once per thread and remembered (up to
    /// [`WORD_CACHE`] of them), as an archive's vocabulary repeats from page to page.
    pub fn new(text: &str) -> AnalyzedPage {
        let mut page = AnalyzedPage {
            folded: String::with_capacity(text.len()),
            translit: String::with_capacity(text.len() / 4),
            marks: Vec::with_capacity(text.len() / 40),
        };
        let mut last_mark = 0u64;
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.len() > WORD_CACHE {
                cache.clear();
            }
            for (position, w) in words(text).enumerate() {
                if (position as u32).is_multiple_of(MARK_EVERY) {
                    push_varint(&mut page.marks, w.start as u64 - last_mark);
                    last_mark = w.start as u64;
                }
                if position > 0 {
                    page.folded.push(' ');
                    page.translit.push(' ');
                }
                let forms = match cache.get(w.text) {
                    Some(f) => f,
                    None => cache
                        .entry(w.text.to_string())
                        .or_insert_with(|| Forms::of(w.text)),
                };
                page.folded.push_str(&forms.folded);
                page.translit.push_str(&forms.keys);
            }
        });
        page
    }
}

thread_local! {
    /// Each thread's memory of word forms (see [`AnalyzedPage::new`]).
    static CACHE: std::cell::RefCell<std::collections::HashMap<String, Forms>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Calls `f` with the forms of a word as written, from this thread's cache.
pub(crate) fn with_forms<R>(word: &str, f: impl FnOnce(&Forms) -> R) -> R {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() > WORD_CACHE {
            cache.clear();
        }
        match cache.get(word) {
            Some(forms) => f(forms),
            None => f(cache
                .entry(word.to_string())
                .or_insert_with(|| Forms::of(word))),
        }
    })
}

/// How many distinct words each thread remembers the forms of.
pub const WORD_CACHE: usize = 200_000;

/// The indexed forms of one word as written.
pub(crate) struct Forms {
    pub(crate) folded: String,
    /// Transliteration keys joined by [`SAME_POSITION`]; empty for words that are not names.
    pub(crate) keys: String,
}

impl Forms {
    /// The transliteration keys, one by one.
    pub(crate) fn key_list(&self) -> impl Iterator<Item = &str> {
        self.keys.split(SAME_POSITION).filter(|k| !k.is_empty())
    }
}

impl Forms {
    fn of(word: &str) -> Forms {
        let folded = fold(word).into_owned();
        let keys = if is_name_like(word) {
            translit_keys(word).join(&SAME_POSITION.to_string())
        } else {
            String::new()
        };
        Forms { folded, keys }
    }
}

/// Splits an [`AnalyzedPage`] field back into tokens: the index's only tokenizer.
#[derive(Clone, Default)]
pub struct PreAnalyzedTokenizer {
    token: Token,
}

/// The token stream of [`PreAnalyzedTokenizer`].
pub struct PreAnalyzedStream<'a> {
    rest: &'a str,
    offset: usize,
    position: usize,
    /// True when the next term starts a new position.
    new_position: bool,
    started: bool,
    token: &'a mut Token,
}

/// The tokenizer's registered name.
pub const PRE_ANALYZED: &str = "kt_pre_analyzed";

impl Tokenizer for PreAnalyzedTokenizer {
    type TokenStream<'a> = PreAnalyzedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PreAnalyzedStream<'a> {
        self.token.reset();
        PreAnalyzedStream {
            rest: text,
            offset: 0,
            position: 0,
            new_position: false,
            started: false,
            token: &mut self.token,
        }
    }
}

impl TokenStream for PreAnalyzedStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if self.rest.is_empty() {
                return false;
            }
            let end = self
                .rest
                .find([' ', SAME_POSITION])
                .unwrap_or(self.rest.len());
            let term = &self.rest[..end];
            let start = self.offset;
            let separator = self.rest[end..].chars().next();
            let consumed = end + separator.map_or(0, char::len_utf8);
            self.rest = &self.rest[consumed..];
            self.offset += consumed;
            if self.new_position {
                self.position += 1;
            }
            self.new_position = separator != Some(SAME_POSITION);
            if term.is_empty() {
                continue;
            }
            if !self.started {
                self.started = true;
            }
            self.token.text.clear();
            self.token.text.push_str(term);
            self.token.offset_from = start;
            self.token.offset_to = start + term.len();
            self.token.position = self.position;
            self.token.position_length = 1;
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize)> {
        let mut tokenizer = PreAnalyzedTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    #[test]
    fn positions_survive_the_round_trip() {
        let page = AnalyzedPage::new("Встреча с Хрущёвым, потом Khrushchev.");
        let folded = tokens(&page.folded);
        assert_eq!(
            folded
                .iter()
                .map(|(t, p)| (t.as_str(), *p))
                .collect::<Vec<_>>(),
            [
                ("встреча", 0),
                ("с", 1),
                ("хрущевым", 2),
                ("потом", 3),
                ("khrushchev", 4)
            ]
        );
        let translit = tokens(&page.translit);
        // Keys only for the capitalised words, at their positions, several at one position.
        assert!(
            translit.iter().all(|(_, p)| [0, 2, 4].contains(p)),
            "{translit:?}"
        );
        assert!(
            translit.iter().filter(|(_, p)| *p == 4).count() >= 2,
            "{translit:?}"
        );
        let shared = translit
            .iter()
            .filter(|(_, p)| *p == 2)
            .any(|(k, _)| translit.iter().any(|(k2, p2)| *p2 == 4 && k2 == k));
        assert!(shared, "Хрущёвым and Khrushchev share a key: {translit:?}");
    }
}
