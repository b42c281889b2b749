//! A second opinion on persons in Cyrillic text: an averaged perceptron that reads what the
//! rules found and what the dictionaries say of each word, and decides token by token
//! whether it begins a person's name, continues one, or is no name at all.
//!
//! Why a learned layer on top of the rules: the rules were written against one set of news
//! texts and fit it better than text of the same kind they had not seen. A linear model
//! over the same evidence (the rules' own verdicts among it) weighs that evidence from
//! annotated text instead of by hand, and is measured only on text it was not trained on
//! (`kartoteka-bench persons`). It is small and fast: only capitalised words, particles and
//! the full stops of initials are scored, with a few dozen hashed features each.
//!
//! Names in Latin letters are left to the rules: the model is trained on Russian news.
//!
//! The model file is written by `kartoteka-bench train-persons`, trained on the tuning
//! three quarters of the factRuEval-2016 devset (MIT licence, dialogue-evaluation), and
//! embedded in the binary. Its format is our own and trivial (a sorted table of feature
//! hashes and three weights each), so no serialisation crate is pulled in for it.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::*;
use kartoteka_model::MentionKind;

/// Outside any name, the first token of one, a later token of one.
const O: usize = 0;
const B: usize = 1;
const I: usize = 2;

/// A trained person tagger.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PersonTagger {
    weights: HashMap<u64, [f32; 3]>,
}

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    /// It does not begin with the model's magic bytes.
    #[error("not a Kartoteka person tagger (bad magic bytes)")]
    Magic,
    /// It ends before the table it announces.
    #[error("the person tagger is truncated: {0} entries announced, fewer present")]
    Truncated(u32),
}

const MAGIC: &[u8; 8] = b"KTPTAG01";

/// The embedded model, read once.
fn embedded() -> Option<&'static PersonTagger> {
    static MODEL: OnceLock<Option<PersonTagger>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            PersonTagger::from_bytes(include_bytes!("../data/persons.tagger"))
                .ok()
                .filter(|t| !t.is_empty())
        })
        .as_ref()
}

/// The tagger `extract` uses, if the binary holds one.
pub fn default_tagger() -> Option<&'static PersonTagger> {
    embedded()
}

/// A feature: a template number and the bytes of its value, hashed (FNV-1a, 64 bits).
struct Feature(u64);

impl Feature {
    fn new(template: u8) -> Self {
        let mut f = Feature(0xcbf2_9ce4_8422_2325);
        f.byte(template);
        f
    }
    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
    fn str(mut self, s: &str) -> Self {
        for b in s.bytes() {
            self.byte(b);
        }
        self.byte(0xff);
        self
    }
    fn num(mut self, n: u8) -> Self {
        self.byte(n);
        self
    }
}

/// What the rules said of a token: 0 nothing, 1 first word of a person, 2 later word of
/// one, then a place, an organisation, a role, a cover name, a date.
fn rule_labels(f: &Finder) -> Vec<u8> {
    let mut out = vec![0u8; f.tokens.len()];
    for (m, from, to) in &f.mentions {
        let other = match m.kind {
            MentionKind::Person => 0,
            MentionKind::Place => 3,
            MentionKind::Org => 4,
            MentionKind::Role => 5,
            MentionKind::CoverName => 6,
            MentionKind::Date => 7,
        };
        for (k, slot) in out.iter_mut().enumerate().take(*to).skip(*from) {
            *slot = if other > 0 {
                other
            } else if k == *from {
                1
            } else {
                2
            };
        }
    }
    out
}

/// The shape of a token in one byte: capitalised, all capitals, lower case, digits, or the
/// punctuation character itself.
fn shape(f: &Finder, i: usize) -> u8 {
    let Some(t) = f.tokens.get(i) else {
        return b'$';
    };
    if !t.is_word() {
        return t.text.bytes().next().unwrap_or(b'?');
    }
    if t.text.chars().next().is_some_and(char::is_numeric) {
        b'9'
    } else if t.is_all_caps() {
        b'A'
    } else if t.is_capitalized() {
        b'C'
    } else {
        b'a'
    }
}

/// Whether the tagger looks at token i at all: capitalised words, particles inside names,
/// and the full stop after an initial. Everything else is outside a name.
fn scored(f: &Finder, i: usize) -> bool {
    let t = &f.tokens[i];
    if t.is_word() {
        t.is_cyrillic()
            && (t.is_capitalized() || NAME_PARTICLES.contains(&t.norm.as_str()) || f.particle(i).1)
    } else {
        t.text == "." && i > 0 && f.text_at(i - 1).chars().count() == 1
    }
}

/// What the whole text says about its words, gathered once before any is scored.
struct Context<'a> {
    /// What the rules said of each token (see `rule_labels`).
    rules: Vec<u8>,
    /// The case stems of the words in the rules' persons of two or more words: a word met
    /// alone elsewhere with one of these stems is likely the same name again.
    stems: HashSet<&'a str>,
    /// Per token, the number of words of the rules' person mention it is in (0 if none).
    person_words: Vec<u8>,
    /// Words the text also writes in lower case: ordinary words, when capitalised.
    lower: HashSet<&'a str>,
    /// Words the text capitalises in mid-sentence: names, at a sentence's start too.
    capitalised: HashSet<&'a str>,
}

impl<'a> Context<'a> {
    fn of(f: &'a Finder) -> Self {
        let stems = f
            .mentions
            .iter()
            .filter(|(m, from, to)| m.kind == MentionKind::Person && to - from >= 2)
            .flat_map(|(_, from, to)| (*from..*to).filter(|&k| f.tokens[k].is_word()))
            .filter(|&k| f.text_at(k).chars().count() >= 3)
            .map(|k| case_stem(f.norm(k)))
            .collect();
        let (mut lower, mut capitalised) = (HashSet::new(), HashSet::new());
        for (k, t) in f.tokens.iter().enumerate() {
            if !t.is_word() || !t.is_cyrillic() {
                continue;
            }
            if !t.is_capitalized() {
                lower.insert(t.norm.as_str());
            } else if !f.sentence_start(k) {
                capitalised.insert(t.norm.as_str());
            }
        }
        let mut person_words = vec![0u8; f.tokens.len()];
        for (m, from, to) in &f.mentions {
            if m.kind == MentionKind::Person {
                let words = (*from..*to).filter(|&k| f.tokens[k].is_word()).count();
                person_words[*from..*to]
                    .iter_mut()
                    .for_each(|w| *w = words.min(5) as u8);
            }
        }
        Context {
            rules: rule_labels(f),
            person_words,
            stems,
            lower,
            capitalised,
        }
    }
}

/// The features of token i that do not depend on the labels before it.
fn static_features(f: &Finder, cx: &Context, i: usize, out: &mut Vec<u64>) {
    let rules = &cx.rules;
    out.clear();
    let t = &f.tokens[i];
    let norm = t.norm.as_str();
    // Byte offsets of the last one to four characters, for suffixes without allocating.
    let mut ends = [None; 6];
    let mut n = 0;
    for (k, (at, _)) in norm.char_indices().rev().take(5).enumerate() {
        ends[k + 1] = Some(at);
        n = k + 1;
    }
    let n = if n == 5 { norm.chars().count() } else { n };
    let s = shape(f, i);
    let rule = rules[i];
    let rule_before = if i > 0 { rules[i - 1] } else { 9 };
    let rule_after = rules.get(i + 1).copied().unwrap_or(9);
    out.push(Feature::new(0).0);
    out.push(Feature::new(1).str(norm).0);
    for (k, at) in ends.iter().enumerate().take(5).skip(1) {
        if let (true, Some(at)) = (n > k, at) {
            out.push(Feature::new(2).num(k as u8).str(&norm[*at..]).0);
        }
    }
    out.push(
        Feature::new(3)
            .num(s)
            .num(n.min(6) as u8)
            .num(u8::from(t.is_cyrillic()))
            .0,
    );
    out.push(Feature::new(4).num(rule).0);
    out.push(Feature::new(5).num(rule_before).0);
    out.push(Feature::new(6).num(rule_after).0);
    out.push(Feature::new(7).num(rule).num(rule_before).num(rule_after).0);
    out.push(Feature::new(8).num(rule).num(s).0);
    let (prev_shape, next_shape) = (if i > 0 { shape(f, i - 1) } else { b'^' }, shape(f, i + 1));
    out.push(Feature::new(9).num(prev_shape).0);
    out.push(Feature::new(10).num(next_shape).0);
    out.push(
        Feature::new(11)
            .num(if i > 1 { shape(f, i - 2) } else { b'^' })
            .num(prev_shape)
            .num(s)
            .0,
    );
    out.push(
        Feature::new(12)
            .num(s)
            .num(next_shape)
            .num(shape(f, i + 2))
            .0,
    );
    if i > 0 && f.tokens[i - 1].is_word() {
        out.push(Feature::new(13).str(f.norm(i - 1)).0);
    }
    if f.tokens.get(i + 1).is_some_and(|t| t.is_word()) {
        out.push(Feature::new(14).str(f.norm(i + 1)).0);
    }
    let mut lex = 0u8;
    let flags = [
        f.sentence_start(i),
        t.after_newline,
        f.lex.given.contains_key(norm),
        f.given_at(i).is_some_and(|g| g.2),
        f.known_surname(i),
        f.lexicon_surname(i),
        f.is_place(i),
        patronymic(norm).is_some(),
        surname_shaped(norm),
        adjective_shaped(norm),
        f.is_initial(i),
        f.street_name(i),
        f.document_genre(i),
        f.quoted(i),
        f.lex.common_forms.contains(norm),
        dict::PERSON_TITLES.contains(&f.norm(i.wrapping_sub(1))),
    ];
    for (k, &on) in flags.iter().enumerate() {
        if on {
            out.push(Feature::new(15).num(k as u8).0);
            out.push(Feature::new(16).num(k as u8).num(rule).0);
            lex = lex.wrapping_mul(3).wrapping_add(k as u8 + 1);
        }
    }
    out.push(Feature::new(17).num(lex).num(s).0);
    if let (true, Some(at)) = (n > 3, ends[3]) {
        out.push(Feature::new(18).str(&norm[at..]).num(prev_shape).0);
    }
    if let Some((name, female)) = f.lex.given.get(f.norm(i + 1)) {
        let common = f.lex.common_given.contains(&name.to_lowercase());
        out.push(
            Feature::new(19)
                .num(u8::from(*female))
                .num(u8::from(common))
                .0,
        );
    }
    if i > 0 && f.lex.given.contains_key(f.norm(i - 1)) {
        out.push(Feature::new(20).num(s).0);
    }
    if patronymic(f.norm(i + 1)).is_some() {
        out.push(Feature::new(21).0);
    }
    if n >= 3 && cx.stems.contains(case_stem(norm)) {
        out.push(Feature::new(22).num(rule).0);
    }
    let words = cx.person_words[i];
    if words > 0 {
        out.push(Feature::new(26).num(words).num(rule).0);
        out.push(
            Feature::new(27)
                .num(words)
                .num(rule)
                .num(prev_shape)
                .num(next_shape)
                .0,
        );
    }
    if cx.lower.contains(norm) {
        out.push(Feature::new(24).num(u8::from(f.sentence_start(i))).0);
    }
    if f.sentence_start(i) && cx.capitalised.contains(norm) {
        out.push(Feature::new(25).num(rule).0);
    }
    if i > 1 && f.tokens[i - 2].is_word() {
        out.push(Feature::new(23).str(f.norm(i - 2)).0);
    }
}

/// The features that depend on the label given to the token before.
fn label_features(prev: usize, rules: &[u8], f: &Finder, i: usize, out: &mut Vec<u64>) {
    let p = prev as u8;
    out.push(Feature::new(40).num(p).0);
    out.push(Feature::new(41).num(p).num(rules[i]).0);
    out.push(Feature::new(42).num(p).num(shape(f, i)).0);
    out.push(
        Feature::new(43)
            .num(p)
            .num(u8::from(f.is_initial(i)))
            .num(shape(f, i + 1))
            .0,
    );
}

impl PersonTagger {
    fn scores(&self, features: &[u64]) -> [f32; 3] {
        let mut s = [0f32; 3];
        for k in features {
            if let Some(w) = self.weights.get(k) {
                for c in 0..3 {
                    s[c] += w[c];
                }
            }
        }
        s
    }

    /// The best label, never a later word right after no name.
    fn best(scores: [f32; 3], prev: usize) -> usize {
        let mut best = O;
        for c in [B, I] {
            if c == I && prev == O {
                continue;
            }
            if scores[c] > scores[best] {
                best = c;
            }
        }
        best
    }

    /// Labels the tokens of a finder the rules have run over.
    pub(crate) fn labels(&self, f: &Finder) -> Vec<usize> {
        let cx = Context::of(f);
        let mut labels = vec![O; f.tokens.len()];
        let mut features = Vec::with_capacity(64);
        let mut prev = O;
        for (i, label) in labels.iter_mut().enumerate() {
            if !scored(f, i) {
                prev = O;
                continue;
            }
            static_features(f, &cx, i, &mut features);
            label_features(prev, &cx.rules, f, i, &mut features);
            prev = Self::best(self.scores(&features), prev);
            *label = prev;
        }
        labels
    }

    /// Trains on texts with the character spans of the persons in them, `epochs` passes
    /// in a fixed shuffled order, so that the same data gives the same model.
    pub fn train(examples: &[(&str, Vec<(usize, usize)>)], epochs: usize) -> Self {
        // Per document: the scored tokens' static features, rule labels and gold labels.
        struct Doc {
            finder: Finder,
            rules: Vec<u8>,
            gold: Vec<usize>,
            features: Vec<Option<Vec<u64>>>,
        }
        let docs: Vec<Doc> = examples
            .iter()
            .map(|(text, spans)| {
                let (finder, _) = crate::find(text);
                let cx = Context::of(&finder);
                let rules = cx.rules.clone();
                let mut gold = vec![O; finder.tokens.len()];
                for &(a, b) in spans {
                    let mut first = true;
                    for (k, t) in finder.tokens.iter().enumerate() {
                        if t.start >= a && t.end <= b {
                            gold[k] = if first { B } else { I };
                            first = false;
                        }
                    }
                }
                let features = (0..finder.tokens.len())
                    .map(|i| {
                        scored(&finder, i).then(|| {
                            let mut v = Vec::new();
                            static_features(&finder, &cx, i, &mut v);
                            v
                        })
                    })
                    .collect();
                Doc {
                    finder,
                    rules,
                    gold,
                    features,
                }
            })
            .collect();
        // Averaged perceptron with lazy averaging: each weight remembers when it last
        // changed and the running sum of its past values.
        let mut w: HashMap<u64, [f32; 3]> = HashMap::new();
        let mut total: HashMap<u64, [f64; 3]> = HashMap::new();
        let mut stamp: HashMap<u64, [u64; 3]> = HashMap::new();
        let mut clock: u64 = 0;
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut buf = Vec::new();
        for _ in 0..epochs {
            for k in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(k, (seed % (k as u64 + 1)) as usize);
            }
            for &d in &order {
                let doc = &docs[d];
                let mut prev = O;
                for i in 0..doc.finder.tokens.len() {
                    let Some(stat) = &doc.features[i] else {
                        prev = O;
                        continue;
                    };
                    clock += 1;
                    buf.clear();
                    buf.extend_from_slice(stat);
                    label_features(prev, &doc.rules, &doc.finder, i, &mut buf);
                    let mut s = [0f32; 3];
                    for k in &buf {
                        if let Some(v) = w.get(k) {
                            for c in 0..3 {
                                s[c] += v[c];
                            }
                        }
                    }
                    let guess = Self::best(s, prev);
                    let truth = doc.gold[i];
                    if guess != truth {
                        for &k in &buf {
                            let weights = w.entry(k).or_insert([0.0; 3]);
                            let sums = total.entry(k).or_insert([0.0; 3]);
                            let stamps = stamp.entry(k).or_insert([0; 3]);
                            for (c, delta) in [(truth, 1.0f32), (guess, -1.0)] {
                                sums[c] += f64::from(weights[c]) * (clock - stamps[c]) as f64;
                                stamps[c] = clock;
                                weights[c] += delta;
                            }
                        }
                    }
                    prev = guess;
                }
            }
        }
        let mut weights = HashMap::new();
        for (k, v) in &w {
            let (sums, stamps) = (total[k], stamp[k]);
            let mut avg = [0f32; 3];
            for c in 0..3 {
                let sum = sums[c] + f64::from(v[c]) * (clock - stamps[c]) as f64;
                avg[c] = (sum / clock.max(1) as f64) as f32;
            }
            if avg.iter().any(|x| x.abs() > 1e-4) {
                weights.insert(*k, avg);
            }
        }
        PersonTagger { weights }
    }

    /// The model as bytes: magic, a scale, the number of entries, then each feature's hash
    /// and its three weights as 16-bit integers, in hash order.
    pub fn to_bytes(&self) -> Vec<u8> {
        let max = self
            .weights
            .values()
            .flat_map(|w| w.iter())
            .fold(0f32, |m, x| m.max(x.abs()))
            .max(1e-9);
        let scale = max / f32::from(i16::MAX);
        let mut keys: Vec<&u64> = self.weights.keys().collect();
        keys.sort();
        let mut out = Vec::with_capacity(16 + keys.len() * 14);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&scale.to_le_bytes());
        out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        for k in keys {
            out.extend_from_slice(&k.to_le_bytes());
            for x in self.weights[k] {
                out.extend_from_slice(&((x / scale).round() as i16).to_le_bytes());
            }
        }
        out
    }

    /// Reads a model written by [`PersonTagger::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or(ModelError::Magic)?;
        let header = rest.get(..8).ok_or(ModelError::Truncated(0))?;
        let scale = f32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let count = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let table = &rest[8..];
        if table.len() < count as usize * 14 {
            return Err(ModelError::Truncated(count));
        }
        let weights = table
            .chunks_exact(14)
            .take(count as usize)
            .map(|e| {
                let mut key = [0u8; 8];
                key.copy_from_slice(&e[..8]);
                let w =
                    |k: usize| f32::from(i16::from_le_bytes([e[8 + 2 * k], e[9 + 2 * k]])) * scale;
                (u64::from_le_bytes(key), [w(0), w(1), w(2)])
            })
            .collect();
        Ok(PersonTagger { weights })
    }

    /// How many features the model weighs.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether it weighs nothing (an untrained model).
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

impl Finder {
    /// Replaces the rules' persons in Cyrillic with the tagger's: a rule's mention the
    /// tagger marks exactly is kept as it is, one it does not mark is dropped, and a name
    /// only the tagger sees is added with its words in the nominative.
    pub(crate) fn second_opinion(&mut self, tagger: &PersonTagger, chars: &[char]) {
        let labels = tagger.labels(self);
        let mut spans = Vec::new();
        let mut k = 0;
        while k < labels.len() {
            if labels[k] == B {
                let mut end = k + 1;
                while end < labels.len() && labels[end] == I {
                    end += 1;
                }
                // A trailing full stop belongs to the sentence, not the name.
                while end > k + 1 && !self.tokens[end - 1].is_word() && !self.is_initial(end - 2) {
                    end -= 1;
                }
                spans.push((k, end));
                k = end;
            } else {
                k += 1;
            }
        }
        let cyrillic =
            |f: &Finder, from: usize, to: usize| (from..to).any(|j| f.tokens[j].is_cyrillic());
        // The rules' surest shapes stand whatever the tagger says: a name with initials or
        // a patronymic, or of three words or more. Archive files write "Кузьмин А. П." and
        // "Соколова Вера Андреевна" far more than the news the tagger learnt from.
        // So do names the trade's cues point at: right after a role ("резидентом Морозовым")
        // or in brackets after a cover name ("агента «ХОЛА» (Жданова)").
        let role_ends = self.role_ends();
        let cover_ends: HashSet<usize> = self
            .mentions
            .iter()
            .filter(|(m, _, _)| m.kind == MentionKind::CoverName)
            .map(|(_, _, to)| *to)
            .collect();
        let cued = |f: &Finder, from: usize| {
            role_ends.contains(&from)
                || (from > 0
                    && f.text_at(from - 1) == "("
                    && (cover_ends.contains(&(from - 1))
                        || (from > 1 && cover_ends.contains(&(from - 2)))))
        };
        let sure = |f: &Finder, from: usize, to: usize| {
            to - from >= 3
                || cued(f, from)
                || (from..to).any(|j| f.is_initial(j) || patronymic(f.norm(j)).is_some())
        };
        let before = std::mem::take(&mut self.mentions);
        let mut kept = Vec::with_capacity(before.len());
        let mut persons_at: HashSet<(usize, usize)> = HashSet::new();
        let mut held = vec![false; self.tokens.len()];
        for (m, from, to) in &before {
            if m.kind == MentionKind::Person && sure(self, *from, *to) {
                held[*from..*to].iter_mut().for_each(|h| *h = true);
            }
        }
        let tagged: HashSet<(usize, usize)> = spans
            .iter()
            .copied()
            .filter(|&(a, b)| cyrillic(self, a, b) && !held[a..b].iter().any(|&h| h))
            .collect();
        for (m, from, to) in before {
            let person = m.kind == MentionKind::Person;
            if person
                && cyrillic(self, from, to)
                && !sure(self, from, to)
                && !tagged.contains(&(from, to))
            {
                self.used[from..to].iter_mut().for_each(|u| *u = false);
                continue;
            }
            if person {
                persons_at.insert((from, to));
            }
            kept.push((m, from, to));
        }
        self.mentions = kept;
        for (from, to) in spans {
            if persons_at.contains(&(from, to))
                || !tagged.contains(&(from, to))
                || !self.free(from, to)
            {
                continue;
            }
            let sex = self.sex_around(from, to, &role_ends);
            let words: Vec<String> = (from..to)
                .filter(|&j| self.tokens[j].is_word())
                .map(|j| {
                    if self.is_initial(j) {
                        format!("{}.", self.text_at(j))
                    } else if let Some((p, _)) = patronymic(self.norm(j)) {
                        title(&p)
                    } else if let Some((g, _, _)) = self.given_at(j) {
                        g
                    } else {
                        surname_lemma(self.text_at(j), sex)
                    }
                })
                .collect();
            self.add(MentionKind::Person, from, to, words.join(" "), None, chars);
        }
    }
}
