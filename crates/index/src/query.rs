//! The query language a researcher types.
//!
//! Words are all required (`Берия Лондон`), `OR` offers alternatives, `NOT` or a leading
//! `-` excludes, parentheses group, and double quotes make a phrase
//! (`"Лаврентий Берия"`). `AND` may be written but is the default. The operators have
//! Russian spellings, in capitals like the English ones: `И`, `ИЛИ`, `НЕ`; in lower case,
//! or quoted (`"НЕ"`), they are words. Errors name the token and its position, as a user
//! needs to fix a long query.
//!
//! A query is bounded so that no input can exhaust the stack, the memory or the time of
//! the process: at most [`MAX_QUERY_CHARS`] characters, [`MAX_WORDS`] words,
//! [`MAX_PHRASE_WORDS`] words in a phrase and [`MAX_DEPTH`] levels of parentheses and NOT;
//! a search returns at most [`MAX_HITS`] hits. Each limit has its own error.

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 4096;
/// The most words a query may name, phrases included.
pub const MAX_WORDS: usize = 256;
/// The most words in one phrase.
pub const MAX_PHRASE_WORDS: usize = 32;
/// The deepest nesting of parentheses and NOT.
pub const MAX_DEPTH: usize = 32;
/// The most hits one search returns.
pub const MAX_HITS: usize = 10_000;

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// One word.
    Word(String),
    /// Words in this order, next to each other.
    Phrase(Vec<String>),
    /// All of these.
    And(Vec<Query>),
    /// Any of these.
    Or(Vec<Query>),
    /// Not this.
    Not(Box<Query>),
}

/// Why a query did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing to search for.
    #[error("empty query")]
    Empty,
    /// A quote that is never closed.
    #[error("unbalanced quote: the \" at character {position} is never closed")]
    UnbalancedQuote {
        /// Character position of the opening quote (1-based).
        position: usize,
    },
    /// A parenthesis without its partner.
    #[error("unbalanced parenthesis at character {position}")]
    UnbalancedParen {
        /// Character position (1-based).
        position: usize,
    },
    /// An operator with nothing on one side.
    #[error("{operator} at character {position} has nothing to apply to")]
    DanglingOperator {
        /// The operator.
        operator: String,
        /// Character position (1-based).
        position: usize,
    },
    /// A query that only excludes: there is nothing to find.
    #[error("the query only excludes ({0}); add a word to search for")]
    OnlyNegative(String),
    /// A query longer than [`MAX_QUERY_CHARS`].
    #[error("the query is {chars} characters long; the most is {max}")]
    TooLong {
        /// Its length.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// More words than [`MAX_WORDS`].
    #[error("the query names {words} words; the most is {max}")]
    TooManyWords {
        /// How many.
        words: usize,
        /// The limit.
        max: usize,
    },
    /// A phrase longer than [`MAX_PHRASE_WORDS`].
    #[error("the phrase at character {position} has {words} words; the most is {max}")]
    PhraseTooLong {
        /// Character position of the phrase (1-based).
        position: usize,
        /// Its words.
        words: usize,
        /// The limit.
        max: usize,
    },
    /// Parentheses or NOT nested deeper than [`MAX_DEPTH`].
    #[error("the query nests parentheses or NOT more than {max} deep (at character {position})")]
    TooDeep {
        /// Character position where the limit is passed (1-based).
        position: usize,
        /// The limit.
        max: usize,
    },
    /// More hits asked for than [`MAX_HITS`].
    #[error("{asked} hits asked for; a search returns at most {max} (narrow it to a unit, to dates, or with more words)")]
    TooManyHits {
        /// How many were asked for.
        asked: usize,
        /// The limit.
        max: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Phrase(Vec<String>),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong {
            chars: chars.len(),
            max: MAX_QUERY_CHARS,
        });
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '«' || c == '“' {
            let close = if c == '«' {
                '»'
            } else if c == '“' {
                '”'
            } else {
                '"'
            };
            let end = chars[i + 1..]
                .iter()
                .position(|&d| d == close || (close != '"' && d == '"'));
            let Some(end) = end else {
                return Err(QueryError::UnbalancedQuote { position: pos });
            };
            let inner: String = chars[i + 1..i + 1 + end].iter().collect();
            let words: Vec<String> = kartoteka_text::words(&inner)
                .map(|w| w.text.to_string())
                .collect();
            if !words.is_empty() {
                out.push((Tok::Phrase(words), pos));
            }
            i += end + 2;
        } else if c == '(' {
            out.push((Tok::Open, pos));
            i += 1;
        } else if c == ')' {
            out.push((Tok::Close, pos));
            i += 1;
        } else if c == '-'
            && chars.get(i + 1).is_some_and(|n| !n.is_whitespace())
            && (i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '(')
        {
            out.push((Tok::Not, pos));
            i += 1;
        } else if c == '+' {
            i += 1;
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '"' | '(' | ')' | '«' | '“')
            {
                i += 1;
            }
            let raw: String = chars[start..i].iter().collect();
            match raw.as_str() {
                "AND" | "И" => out.push((Tok::And, pos)),
                "OR" | "ИЛИ" | "|" => out.push((Tok::Or, pos)),
                "NOT" | "НЕ" => out.push((Tok::Not, pos)),
                _ => {
                    let words: Vec<String> = kartoteka_text::words(&raw)
                        .map(|w| w.text.to_string())
                        .collect();
                    match words.len() {
                        0 => {}
                        1 => {
                            out.push((Tok::Word(words.into_iter().next().unwrap_or_default()), pos))
                        }
                        // "Султан-Заде", "ф.17": written together, searched together.
                        _ => out.push((Tok::Phrase(words), pos)),
                    }
                }
            }
        }
    }
    let mut words = 0;
    for (tok, position) in &out {
        match tok {
            Tok::Word(_) => words += 1,
            Tok::Phrase(p) => {
                if p.len() > MAX_PHRASE_WORDS {
                    return Err(QueryError::PhraseTooLong {
                        position: *position,
                        words: p.len(),
                        max: MAX_PHRASE_WORDS,
                    });
                }
                words += p.len();
            }
            _ => {}
        }
    }
    if words > MAX_WORDS {
        return Err(QueryError::TooManyWords {
            words,
            max: MAX_WORDS,
        });
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
    /// Parentheses and NOTs open around the token being read.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(t, _)| t)
    }

    fn pos(&self) -> usize {
        self.toks
            .get(self.i)
            .map(|(_, p)| *p)
            .unwrap_or_else(|| self.toks.last().map(|(_, p)| *p).unwrap_or(0))
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            let pos = self.pos();
            self.i += 1;
            if matches!(self.peek(), None | Some(Tok::Close | Tok::Or | Tok::And)) {
                return Err(QueryError::DanglingOperator {
                    operator: "OR".into(),
                    position: pos,
                });
            }
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::Close | Tok::Or) => break,
                Some(Tok::And) => {
                    let pos = self.pos();
                    self.i += 1;
                    if parts.is_empty()
                        || matches!(self.peek(), None | Some(Tok::Close | Tok::Or | Tok::And))
                    {
                        return Err(QueryError::DanglingOperator {
                            operator: "AND".into(),
                            position: pos,
                        });
                    }
                }
                Some(_) => parts.push(self.unary()?),
            }
        }
        if parts.is_empty() {
            let pos = self.pos();
            return match self.peek() {
                Some(Tok::Or) => Err(QueryError::DanglingOperator {
                    operator: "OR".into(),
                    position: pos,
                }),
                Some(Tok::Close) => Err(QueryError::UnbalancedParen { position: pos }),
                _ => Err(QueryError::Empty),
            };
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Query, QueryError> {
        let pos = self.pos();
        if matches!(self.peek(), Some(Tok::Not | Tok::Open)) {
            if self.depth >= MAX_DEPTH {
                return Err(QueryError::TooDeep {
                    position: pos,
                    max: MAX_DEPTH,
                });
            }
            self.depth += 1;
            let inner = self.nested(pos);
            self.depth -= 1;
            return inner;
        }
        match self.peek().cloned() {
            Some(Tok::Word(w)) => {
                self.i += 1;
                Ok(Query::Word(w))
            }
            Some(Tok::Phrase(p)) => {
                self.i += 1;
                Ok(if p.len() == 1 {
                    Query::Word(p.into_iter().next().unwrap_or_default())
                } else {
                    Query::Phrase(p)
                })
            }
            _ => Err(QueryError::DanglingOperator {
                operator: "?".into(),
                position: pos,
            }),
        }
    }

    /// A NOT or a parenthesised group, one level deeper.
    fn nested(&mut self, pos: usize) -> Result<Query, QueryError> {
        if self.peek() == Some(&Tok::Not) {
            self.i += 1;
            if matches!(self.peek(), None | Some(Tok::Close | Tok::Or | Tok::And)) {
                return Err(QueryError::DanglingOperator {
                    operator: "NOT".into(),
                    position: pos,
                });
            }
            return Ok(Query::Not(Box::new(self.unary()?)));
        }
        self.i += 1;
        let inner = self.or()?;
        if self.peek() != Some(&Tok::Close) {
            return Err(QueryError::UnbalancedParen { position: pos });
        }
        self.i += 1;
        Ok(inner)
    }
}

impl Query {
    /// Parses the query language described in the module documentation.
    ///
    /// ```
    /// use kartoteka_index::Query;
    /// let q = Query::parse(r#""Лаврентий Берия" OR Beria -Абакумов"#).unwrap();
    /// assert!(matches!(q, Query::Or(_)));
    /// assert!(Query::parse(r#""unclosed"#).is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let toks = lex(text)?;
        if toks.is_empty() {
            return Err(QueryError::Empty);
        }
        let mut parser = Parser {
            toks,
            i: 0,
            depth: 0,
        };
        let q = parser.or()?;
        if parser.i < parser.toks.len() {
            return Err(QueryError::UnbalancedParen {
                position: parser.pos(),
            });
        }
        if !q.has_positive() {
            return Err(QueryError::OnlyNegative(text.trim().to_string()));
        }
        Ok(q)
    }

    /// True when the query asks for something rather than only excluding.
    fn has_positive(&self) -> bool {
        match self {
            Query::Word(_) | Query::Phrase(_) => true,
            Query::Not(_) => false,
            Query::And(parts) => parts.iter().any(Query::has_positive),
            Query::Or(parts) => parts.iter().all(Query::has_positive),
        }
    }

    /// True when `text` matches the query word for word as written: no folding of case
    /// or ё, no lemmas, no transliteration (exact mode).
    pub fn matches_exact(&self, text: &str) -> bool {
        let words: Vec<&str> = kartoteka_text::words(text).map(|w| w.text).collect();
        self.matches_words(&words)
    }

    fn matches_words(&self, words: &[&str]) -> bool {
        match self {
            Query::Word(w) => words.contains(&w.as_str()),
            Query::Phrase(p) => words
                .windows(p.len())
                .any(|win| win.iter().zip(p).all(|(a, b)| *a == b.as_str())),
            Query::And(parts) => parts.iter().all(|q| q.matches_words(words)),
            Query::Or(parts) => parts.iter().any(|q| q.matches_words(words)),
            Query::Not(inner) => !inner.matches_words(words),
        }
    }

    /// The words the query looks for (not those it excludes), for highlighting.
    pub fn positive_words(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_positive(&mut out);
        out
    }

    fn collect_positive<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Query::Word(w) => out.push(w),
            Query::Phrase(ws) => out.extend(ws.iter().map(String::as_str)),
            Query::And(parts) | Query::Or(parts) => {
                parts.iter().for_each(|p| p.collect_positive(out))
            }
            Query::Not(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Query {
        Query::Word(s.into())
    }

    #[test]
    fn words_phrases_and_operators() {
        assert_eq!(
            Query::parse("Берия Лондон").unwrap(),
            Query::And(vec![w("Берия"), w("Лондон")])
        );
        assert_eq!(
            Query::parse("a OR b c").unwrap(),
            Query::Or(vec![w("a"), Query::And(vec![w("b"), w("c")])])
        );
        assert_eq!(
            Query::parse("«Лаврентий Берия» -Абакумов").unwrap(),
            Query::And(vec![
                Query::Phrase(vec!["Лаврентий".into(), "Берия".into()]),
                Query::Not(Box::new(w("Абакумов")))
            ])
        );
        assert_eq!(
            Query::parse("(a OR b) AND NOT c").unwrap().positive_words(),
            ["a", "b"]
        );
        assert_eq!(
            Query::parse("Султан-Заде").unwrap(),
            Query::Phrase(vec!["Султан".into(), "Заде".into()])
        );
    }

    #[test]
    fn russian_operators_are_capitals_and_quoting_makes_them_words() {
        assert_eq!(
            Query::parse("Берия ИЛИ Абакумов").unwrap(),
            Query::parse("Берия OR Абакумов").unwrap()
        );
        assert_eq!(
            Query::parse("Берия НЕ Абакумов").unwrap(),
            Query::parse("Берия NOT Абакумов").unwrap()
        );
        assert_eq!(
            Query::parse("Берия И Абакумов").unwrap(),
            Query::parse("Берия Абакумов").unwrap()
        );
        // Lower case, or quoted, they are words to look for.
        assert_eq!(
            Query::parse("Берия не").unwrap(),
            Query::And(vec![w("Берия"), w("не")])
        );
        let quoted = Query::parse("Берия \"НЕ\"").unwrap();
        assert_eq!(quoted.positive_words(), ["Берия", "НЕ"]);
        assert!(
            !matches!(quoted, Query::And(ref v) if v.iter().any(|q| matches!(q, Query::Not(_))))
        );
    }

    #[test]
    fn exact_matching_is_word_for_word() {
        let q = Query::parse("\"Хрущёв Н\" -Хрущев").unwrap();
        assert!(q.matches_exact("Справка. Хрущёв Н. С."));
        assert!(!q.matches_exact("хрущёв Н. С."));
        assert!(!q.matches_exact("Хрущёв Н. и Хрущев"));
        assert!(Query::parse("a OR b").unwrap().matches_exact("x b"));
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(
            Query::parse("agent \"HOLA"),
            Err(QueryError::UnbalancedQuote { position: 7 })
        );
        assert_eq!(Query::parse("   "), Err(QueryError::Empty));
        assert!(matches!(
            Query::parse("(a OR b"),
            Err(QueryError::UnbalancedParen { .. })
        ));
        assert!(matches!(
            Query::parse("a)"),
            Err(QueryError::UnbalancedParen { .. })
        ));
        assert!(matches!(
            Query::parse("a OR"),
            Err(QueryError::DanglingOperator { .. })
        ));
        assert!(matches!(
            Query::parse("NOT a"),
            Err(QueryError::OnlyNegative(_))
        ));
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::Query;

    #[test]
    fn hostile_queries_get_errors_not_crashes() {
        use super::{QueryError, MAX_DEPTH, MAX_PHRASE_WORDS};
        let deep = format!("{}x{}", "(".repeat(20_000), ")".repeat(20_000));
        assert!(matches!(
            Query::parse(&deep),
            Err(QueryError::TooLong { .. })
        ));
        let deep = format!(
            "{}x{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(matches!(
            Query::parse(&deep),
            Err(QueryError::TooDeep { .. })
        ));
        let nots = format!("{}x y", "NOT ".repeat(MAX_DEPTH + 1));
        assert!(matches!(
            Query::parse(&nots),
            Err(QueryError::TooDeep { .. })
        ));
        let ok = format!("{}x{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(Query::parse(&ok), Ok(Query::Word("x".into())));
        let phrase = format!("\"{}\"", "ХОЛА ".repeat(MAX_PHRASE_WORDS + 1));
        assert!(matches!(
            Query::parse(&phrase),
            Err(QueryError::PhraseTooLong { position: 1, .. })
        ));
        let hyphenated = "а-".repeat(MAX_PHRASE_WORDS + 1) + "б";
        assert!(matches!(
            Query::parse(&hyphenated),
            Err(QueryError::PhraseTooLong { .. })
        ));
        let many = "слово ".repeat(300);
        assert!(matches!(
            Query::parse(&many),
            Err(QueryError::TooManyWords { .. })
        ));
        let long = "я".repeat(5000);
        assert!(matches!(
            Query::parse(&long),
            Err(QueryError::TooLong { chars: 5000, .. })
        ));
    }

    proptest! {
        #[test]
        fn parser_never_panics(s in "(\"|«|»|\\(|\\)|-|\\+| |OR|AND|NOT|НЕ|[a-zа-я]{1,6}){0,20}") {
            let _ = Query::parse(&s);
        }

        /// Deep and long inputs of any mix answer too, with no stack overflow.
        #[test]
        fn deep_queries_answer(open in 0usize..200, nots in 0usize..200, close in 0usize..200) {
            let q = format!("{}{}x{}", "(".repeat(open), "NOT ".repeat(nots), ")".repeat(close));
            let _ = Query::parse(&q);
        }
    }
}
