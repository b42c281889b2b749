//! The tantivy tokenizers behind the four text fields of a page.
//!
//! All four split text the same way ([`kartoteka_text::words`]) and number words the same
//! way, so that positions agree across fields; they differ in the form of each word they
//! index: as written (exact mode), folded, lemma, or transliteration keys.

use kartoteka_text::{fold, lemma, translit_keys, words};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Which form of each word a tokenizer emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The word as written: exact mode, no folding at all.
    Exact,
    /// Lower case, ё as е, Latin diacritics removed.
    Folded,
    /// The lemma of the folded word.
    Lemma,
    /// Transliteration keys of capitalised words (names), several at one position.
    Translit,
}

impl Form {
    /// The tokenizer's registered name.
    pub fn name(self) -> &'static str {
        match self {
            Form::Exact => "kt_exact",
            Form::Folded => "kt_folded",
            Form::Lemma => "kt_lemma",
            Form::Translit => "kt_translit",
        }
    }

    /// The terms this form gives one word of a query (names are keyed whatever their case,
    /// since users type them in lower case).
    pub fn query_terms(self, word: &str) -> Vec<String> {
        match self {
            Form::Exact => vec![word.to_string()],
            Form::Folded => vec![fold(word).into_owned()],
            Form::Lemma => vec![lemma(&fold(word)).into_owned()],
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

/// A tokenizer emitting one [`Form`] of each word.
#[derive(Clone)]
pub struct KartotekaTokenizer {
    form: Form,
    tokens: Vec<Token>,
}

impl KartotekaTokenizer {
    /// A tokenizer for `form`.
    pub fn new(form: Form) -> Self {
        KartotekaTokenizer {
            form,
            tokens: Vec::new(),
        }
    }
}

/// Token stream over the tokens computed up front.
pub struct KartotekaStream<'a> {
    tokens: &'a mut Vec<Token>,
    index: usize,
}

impl Tokenizer for KartotekaTokenizer {
    type TokenStream<'a> = KartotekaStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KartotekaStream<'a> {
        self.tokens.clear();
        for (position, w) in words(text).enumerate() {
            let push = |tokens: &mut Vec<Token>, text: String| {
                tokens.push(Token {
                    offset_from: w.start,
                    offset_to: w.end,
                    position,
                    text,
                    position_length: 1,
                });
            };
            match self.form {
                Form::Exact => push(&mut self.tokens, w.text.to_string()),
                Form::Folded => push(&mut self.tokens, fold(w.text).into_owned()),
                Form::Lemma => push(&mut self.tokens, lemma(&fold(w.text)).into_owned()),
                Form::Translit => {
                    if is_name_like(w.text) {
                        for key in translit_keys(w.text) {
                            push(&mut self.tokens, key);
                        }
                    }
                }
            }
        }
        KartotekaStream {
            tokens: &mut self.tokens,
            index: 0,
        }
    }
}

impl TokenStream for KartotekaStream<'_> {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}
