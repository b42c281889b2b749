//! Text handling for Russian and English archives.
//!
//! # Brief overview
//!
//! * [`decode()`] turns bytes of unknown encoding into text (UTF-8, UTF-16, Windows-1251,
//!   KOI8-R, CP866 and the rest), [`decode_declared`] does so when the bytes name their
//!   charset.
//! * [`words`] splits text into [`Word`]s with byte spans; [`fold`], [`lemma`] and
//!   [`translit_keys`] give each word the forms under which search matches it.
//! * [`language`] tells Russian from English text by script.
//! * [`quote`] finds a quoted passage in a page as a reader would (across line breaks,
//!   hyphenation, case and OCR look-alikes), with character offsets into the original.
//!
//! ```
//! use kartoteka_text::{fold, lemma, translit_keys};
//! assert_eq!(lemma(&fold("Хрущёвым")), lemma(&fold("Хрущев")));
//! let cyrillic = translit_keys("Хрущёв");
//! assert!(translit_keys("Chruschtschow").iter().any(|k| cyrillic.contains(k)));
//! ```

mod analysis;
mod decode;
mod markup;
pub mod quote;
pub mod schemes;
pub mod translit;

pub use analysis::{
    fold, is_cyrillic, language, lemma, translit_keys, words, words_from, Word, Words,
};
pub use decode::{decode, decode_declared, encoding_for_label, DecodeError, Decoded};
pub use markup::{escape_html, ranges, title_case};
