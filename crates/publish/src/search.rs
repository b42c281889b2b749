//! The edition's search index: an index of our own, read by a small script with no server.
//!
//! Why not pagefind or lunr: their stemmers know one language at a time and no script but
//! the page's, and the people who read this edition search for a Russian name in the case
//! and the spelling they happen to have ("Соколовой", "Sokolowa"). Kartoteka already has
//! the key that makes those meet: the transliteration-invariant sound key of
//! `kartoteka_text::translit_keys` (one per romanisation convention, each also without a
//! Russian case ending). `assets/search.js` computes the same keys for the query.
//!
//! The index is JSON, each file wrapped in one call (`kartotekaSearch.put("k-sa", {...})`)
//! so that a page opened from the disk loads it with a `<script>` element: browsers refuse
//! `fetch` of `file://` addresses, and the edition must work from a folder. The leak check
//! reads these files like any other.
//!
//! * `search/docs.js`: `[[href, title_en, title_ru, kind]]`, a page per entry, its
//!   address relative to a language's folder;
//! * `search/k-XX.js` for each first two letters `XX` of a key:
//!   `{key: {word: [doc, ...]}}`, the words of the pages (folded, as written) under each
//!   of their keys; a query word's keys say which files to load;
//! * `search/selfcheck.js`: words of the index with the keys this code gives them, which
//!   the script recomputes on the search page, so a difference between the two is shown
//!   rather than silently missing results.

use std::collections::{BTreeMap, BTreeSet};

use crate::edition::{name_for, Content, Out};
use crate::site::Page;
use crate::write::WriteError;

/// The shard a key is in: its first two characters.
pub fn shard(key: &str) -> String {
    key.chars().take(2).collect()
}

/// The words of a text, folded (lower case, ё as е).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('ё', "е"))
}

/// Lays out the search index files of an edition into `out`.
pub fn index(content: &Content, out: &mut Out<'_>) -> Result<(), WriteError> {
    let mut docs: Vec<serde_json::Value> = Vec::new();
    // key -> word -> docs
    let mut keys: BTreeMap<String, BTreeMap<String, BTreeSet<usize>>> = BTreeMap::new();
    let add =
        |doc: usize, text: &str, keys: &mut BTreeMap<String, BTreeMap<String, BTreeSet<usize>>>| {
            for w in words(text) {
                for k in kartoteka_text::translit_keys(&w) {
                    keys.entry(k)
                        .or_default()
                        .entry(w.clone())
                        .or_default()
                        .insert(doc);
                }
            }
        };
    for p in content.persons.values() {
        let n = docs.len();
        docs.push(serde_json::json!([
            format!("persons/{}.html", p.id),
            name_for(&p.names, &p.name, false),
            name_for(&p.names, &p.name, true),
            "person"
        ]));
        for name in &p.names {
            add(n, name, &mut keys);
        }
        for c in &p.cover_names {
            add(n, &c.name, &mut keys);
        }
        for r in &p.roles {
            add(n, r, &mut keys);
        }
    }
    for r in &content.reports {
        let n = docs.len();
        docs.push(serde_json::json!([
            format!("reports/{}.html", r.id),
            r.title,
            r.title,
            "report"
        ]));
        add(n, &r.title, &mut keys);
        add(n, &r.subject_name, &mut keys);
        for c in &r.cover_names {
            add(n, c, &mut keys);
        }
        for p in &r.paragraphs {
            add(n, &p.text, &mut keys);
            for c in &p.citations {
                if let Some(reference) = &c.reference {
                    add(n, reference, &mut keys);
                }
            }
        }
        for rel in &r.related {
            add(n, &rel.name, &mut keys);
        }
    }
    let file = |name: &str, v: &serde_json::Value| {
        (
            format!("search/{name}.js"),
            Page::data(format!("kartotekaSearch.put({name:?}, {v});\n").into_bytes()),
        )
    };
    let (path, page) = file("docs", &serde_json::Value::Array(docs));
    out.page(path, page)?;
    let mut sample: Vec<(String, Vec<String>)> = Vec::new();
    let mut seen_words = BTreeSet::new();
    // Keys in order, so a shard's keys (its first two characters) come together: each
    // shard is written when the next begins, and only one is held.
    let mut shard_now: Option<(String, serde_json::Map<String, serde_json::Value>)> = None;
    let mut write_shard = |shard: Option<(String, serde_json::Map<_, _>)>| match shard {
        Some((name, map)) => {
            let (path, page) = file(
                &format!("k-{}", shard_file(&name)),
                &serde_json::Value::Object(map),
            );
            out.page(path, page)
        }
        None => Ok(()),
    };
    for (key, by_word) in &keys {
        let entry: serde_json::Map<String, serde_json::Value> = by_word
            .iter()
            .map(|(w, d)| (w.clone(), serde_json::json!(d.iter().collect::<Vec<_>>())))
            .collect();
        let name = shard(key);
        if shard_now.as_ref().is_none_or(|(now, _)| *now != name) {
            write_shard(shard_now.replace((name, serde_json::Map::new())))?;
        }
        if let Some((_, map)) = shard_now.as_mut() {
            map.insert(key.clone(), serde_json::Value::Object(entry));
        }
        for w in by_word.keys() {
            if seen_words.insert(w.clone()) && seen_words.len() % 7 == 1 && sample.len() < 300 {
                sample.push((w.clone(), kartoteka_text::translit_keys(w)));
            }
        }
    }
    write_shard(shard_now)?;
    let (path, page) = file("selfcheck", &serde_json::json!(sample));
    out.page(path, page)
}

/// A shard's file name: its characters as they are when they are ASCII letters or
/// digits, else their code points (a key is ASCII, but a word of digits and letters
/// from another script may make one that is not).
pub fn shard_file(shard: &str) -> String {
    shard
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("u{:x}", c as u32)
            }
        })
        .collect()
}
