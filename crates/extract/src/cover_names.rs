//! Cover names: KGB style in guillemets or quotes after a cue word, in capitals after
//! one, with the holder in brackets, and Western cryptonyms in capitals.

use crate::*;
use kartoteka_model::MentionKind;

impl Finder {
    /// A word that introduces a cover name: "псевдоним", "кличка", "code-named",
    /// "cryptonym", "known as".
    pub(crate) fn code_name_cue(&self, i: usize) -> bool {
        let n = self.norm(i);
        [
            "псевдоним",
            "кличк",
            "code-named",
            "codename",
            "cryptonym",
            "alias",
            "pseudonym",
            "deckname",
            "kryptonim",
            "pseudonim",
        ]
        .iter()
        .any(|st| n.starts_with(st))
            || (n == "as"
                && i > 0
                && matches!(self.norm(i - 1), "known" | "renamed" | "designated"))
            || (matches!(n, "named" | "called") && i > 0 && self.norm(i - 1) == "code")
    }

    pub(crate) fn quoted_cover_names(&mut self, chars: &[char]) {
        let opens = ["«", "„", "\"", "“"];
        // Where the last quoted cover name closed: «ВАЙЗЕ», затем «ГОМЕР».
        let mut last_cover: Option<usize> = None;
        let mut i = 0;
        while i < self.tokens.len() {
            if !opens.contains(&self.text_at(i)) {
                i += 1;
                continue;
            }
            let close = (i + 1..(i + 6).min(self.tokens.len()))
                .find(|&j| matches!(self.text_at(j), "»" | "“" | "”" | "\""));
            let Some(close) = close else {
                i += 1;
                continue;
            };
            let inner = i + 1..close;
            if inner.is_empty()
                || !inner
                    .clone()
                    .all(|j| self.tokens[j].is_word() || self.text_at(j) == "-")
                || !self.tokens[i + 1].is_capitalized()
            {
                i = close + 1;
                continue;
            }
            let before: Vec<usize> = (i.saturating_sub(4)..i)
                .rev()
                .filter(|&j| self.tokens[j].is_word())
                .take(3)
                .collect();
            // "газета «Правда»" is a newspaper; but "дело на «КАРЛА»" is a file on a person.
            let on_person = i > 0 && matches!(self.norm(i - 1), "на" | "on");
            let trapped = !on_person
                && !self.as_known(i)
                && before
                    .iter()
                    .take(2)
                    .any(|&j| self.stem_matches(j, dict::COVER_TRAPS));
            // "«ТУ-104»", "«Москвич-412»": a name with a number is a model, not a person.
            let numbered = inner
                .clone()
                .any(|j| self.text_at(j).chars().any(|c| c.is_ascii_digit()));
            let triggered = before.iter().any(|&j| {
                self.stem_matches(j, dict::COVER_TRIGGERS) && !self.stem_matches(j, &["агентств"])
            }) || before.iter().any(|&j| {
                self.norm(j) == "name" && j > 0 && matches!(self.norm(j - 1), "cover" | "code")
            }) || self.as_known(i)
                || last_cover.is_some_and(|end| self.linked(end, i));
            let caps = inner.clone().all(|j| {
                !self.tokens[j].is_word()
                    || self.tokens[j].is_all_caps()
                    || self.text_at(j).chars().count() == 1
            });
            if !trapped && (triggered || (caps && !numbered)) && self.free(i + 1, close) {
                let name: String =
                    span_text(chars, self.tokens[i + 1].start, self.tokens[close - 1].end);
                self.add(MentionKind::CoverName, i + 1, close, name, None, chars);
                last_cover = Some(close);
            }
            i = close + 1;
        }
    }

    /// "проходил как «ОСА»", "известна как «СОНЯ»", "значился как «АНТОН»": a quoted name
    /// after "как" that follows a verb of being listed or known.
    fn as_known(&self, open: usize) -> bool {
        open >= 2
            && self.norm(open - 1) == "как"
            && (open.saturating_sub(6)..open - 1).any(|j| {
                self.stem_matches(
                    j,
                    &[
                        "проход",
                        "известн",
                        "значил",
                        "числил",
                        "фигурир",
                        "именова",
                        "назыв",
                        "записан",
                    ],
                )
            })
    }

    /// Only link words between the end of one cover name and the start of the next:
    /// "«ВАЙЗЕ», затем «ГОМЕР»", "„Wolf“, später „Falke“".
    fn linked(&self, end: usize, next: usize) -> bool {
        next > end
            && next - end <= 5
            && (end + 1..next).all(|j| {
                matches!(
                    self.norm(j),
                    "," | "затем"
                        | "позднее"
                        | "позже"
                        | "потом"
                        | "а"
                        | "и"
                        | "как"
                        | "later"
                        | "then"
                        | "and"
                        | "as"
                        | "später"
                        | "dann"
                        | "und"
                        | "als"
                )
            })
            && (end + 1..next).any(|j| self.norm(j) != ",")
    }

    /// A Cyrillic cover name in a Western text, unquoted, after a cue word ("Source ДУНАЙ
    /// (Dmitrij Gorskev)"): four letters at least and no service's name. Found before
    /// places, since cover names are often rivers and cities ("ДУНАЙ").
    pub(crate) fn cued_cyrillic_cover_names(&mut self, chars: &[char]) {
        for i in 1..self.tokens.len() {
            let t = &self.tokens[i];
            if self.used[i] || !t.is_cyrillic() || !t.is_all_caps() {
                continue;
            }
            let letters: String = t.text.chars().take_while(|c| c.is_alphabetic()).collect();
            let lower = letters.to_lowercase();
            if letters.chars().count() < 4 || dict::ORGS.iter().any(|(o, _)| *o == lower) {
                continue;
            }
            if self.stem_matches(i - 1, dict::CRYPTONYM_CUES) {
                let lemma = t.text.clone();
                self.add(MentionKind::CoverName, i, i + 1, lemma, None, chars);
                self.bracketed_holder(i + 1, chars);
            }
        }
    }

    /// The true name in brackets right after a cover name in a Western text: two or three
    /// capitalised Latin words, "(Dmitrij Gorskev)", a romanised name the lexicons need
    /// not know.
    pub(crate) fn bracketed_holder(&mut self, open: usize, chars: &[char]) {
        if self.text_at(open) != "(" {
            return;
        }
        let words = (open + 1..self.tokens.len().min(open + 5))
            .take_while(|&j| {
                let t = &self.tokens[j];
                t.is_name_shaped() && t.is_capitalized() && !t.is_all_caps() && !t.is_cyrillic()
            })
            .count();
        let close = open + 1 + words;
        if (2..=3).contains(&words) && self.text_at(close) == ")" && self.free(open + 1, close) {
            let lemma: Vec<&str> = (open + 1..close).map(|j| self.text_at(j)).collect();
            self.add(
                MentionKind::Person,
                open + 1,
                close,
                lemma.join(" "),
                None,
                chars,
            );
        }
    }

    /// Cover names in capitals in Western prose (English or German). A word in capitals
    /// is a cover name on evidence, never on its shape alone, since FBI reports and Venona
    /// translations write true surnames in capitals too ("ROSENBERG met GOLD"):
    ///
    /// - a cue before it: "source HOMER", "cover name FROST", "Deckname PAUL", "the
    ///   courier GOOSE", "changed to LIBERAL"; or a CIA cryptonym's shape (AMLASH/1);
    /// - a weaker cue, for a word not shaped like a surname: "known as", "appears as",
    ///   "als", "calls her", "signed his cables", "was MLAD in the cables", "was DAN to
    ///   the KGB", "wurde ANTENNA genannt";
    /// - brackets: a person's name followed by its cover names ("Anna Berg (ROSA, later
    ///   SKIF)"), or a cover name followed by its holder ("KLIM (Pavel Orlov)");
    /// - a chain from a cover name already found: "GUS, later ARNO", "STARSHINA and
    ///   KORSIKANETS", "zuerst MÄDCHEN, später HICKS";
    /// - the same word found as a cover name elsewhere in the text.
    ///
    /// A word in capitals after a given name ("Julius ROSENBERG") is a surname, and so is
    /// every other bare use of it in the text.
    pub(crate) fn cryptonyms(&mut self, chars: &[char]) {
        // Lines set wholly in capitals are headings, not prose with cryptonyms in it.
        let mut line_caps: HashMap<usize, (usize, usize)> = HashMap::new();
        let mut line = 0;
        let mut line_of = vec![0; self.tokens.len()];
        for (i, t) in self.tokens.iter().enumerate() {
            if t.after_newline && i > 0 {
                line += 1;
            }
            line_of[i] = line;
            if t.is_word() && t.text.chars().any(|c| c.is_alphabetic()) {
                let e = line_caps.entry(line).or_default();
                e.1 += 1;
                if t.is_all_caps() {
                    e.0 += 1;
                }
            }
        }
        let n = self.tokens.len();
        // The candidates: Latin words in capitals, in prose, not acronyms we know.
        let mut candidate = vec![false; n];
        for (i, &line) in line_of.iter().enumerate() {
            let t = &self.tokens[i];
            if self.used[i] || !t.is_all_caps() || t.is_cyrillic() {
                continue;
            }
            let letters: String = t.text.chars().take_while(|c| c.is_alphabetic()).collect();
            if letters.chars().count() < 3 || dict::NOT_CRYPTONYMS.contains(&letters.as_str()) {
                continue;
            }
            let (caps, words) = line_caps.get(&line).copied().unwrap_or((0, 1));
            candidate[i] = caps * 2 < words || self.cued_strongly(i) || self.cued_by_role(i);
        }
        // Surnames: a word in capitals after a given name ("Arnold KUZMIN", "Donald
        // MACLEAN"), and every bare use of the same word.
        let surnames: HashSet<String> = (1..n)
            .filter(|&i| self.tokens[i].is_all_caps() && self.after_given_name(i))
            .map(|i| self.tokens[i].text.clone())
            .collect();
        let mut cover = vec![false; n];
        for i in 0..n {
            if !candidate[i] {
                continue;
            }
            let t = &self.tokens[i];
            let letters: String = t.text.chars().take_while(|c| c.is_alphabetic()).collect();
            let numbered =
                t.text.contains('/') && t.text.chars().last().is_some_and(|c| c.is_ascii_digit());
            let digraph = letters.chars().count() >= 5
                && dict::CIA_DIGRAPHS.iter().any(|d| letters.starts_with(d));
            let surname = surnames.contains(&t.text) || self.surname_in_capitals(i);
            cover[i] = self.cued_strongly(i)
                || (!surname
                    && (numbered
                        || self.cued_by_role(i)
                        || digraph
                        || self.cued_weakly(i)
                        || self.holder_in_brackets(i)
                        || self.covers_in_brackets(i)));
        }
        // Chains and repetitions, until nothing more is found (a few passes: each follows
        // every chain one link further, and real chains are short).
        for _ in 0..8 {
            let known: HashSet<&str> = (0..n)
                .filter(|&i| cover[i])
                .map(|i| self.tokens[i].text.as_str())
                .collect();
            let mut more = Vec::new();
            for i in 0..n {
                if !candidate[i] || cover[i] || surnames.contains(&self.tokens[i].text) {
                    continue;
                }
                let long = self.tokens[i].text.chars().count() >= 4;
                if (long && known.contains(self.tokens[i].text.as_str()))
                    || self.chained(i, &cover)
                    || (i + 2 < n && self.chained_before(i, &cover))
                {
                    more.push(i);
                }
            }
            if more.is_empty() {
                break;
            }
            for i in more {
                cover[i] = true;
            }
        }
        let mut i = 0;
        while i < n {
            if cover[i] && !self.used[i] {
                // Two words in capitals, the second no cover name by itself nor a surname,
                // are one cover name: "GOOD GIRL".
                let cued = self.cued_strongly(i) || self.cued_weakly(i);
                let two = cued
                    && i + 1 < n
                    && candidate[i + 1]
                    && !self.tokens.get(i + 2).is_some_and(|t| t.is_all_caps())
                    && !self.used[i + 1]
                    && !surnames.contains(&self.tokens[i + 1].text)
                    && !self.surname_in_capitals(i + 1)
                    && self.tokens[i + 1].start == self.tokens[i].end + 1;
                let end = if two { i + 2 } else { i + 1 };
                let lemma = span_text(chars, self.tokens[i].start, self.tokens[end - 1].end);
                self.add(MentionKind::CoverName, i, end, lemma, None, chars);
                self.bracketed_holder(end, chars);
                i = end;
                continue;
            }
            i += 1;
        }
    }

    /// A word in capitals right after a given name in ordinary case ("Arnold KUZMIN",
    /// "Raimundo ONGARO"): after a capitalised word that is neither a cue ("Agent
    /// LISZT") nor a little word that starts a sentence ("The", "Per").
    fn after_given_name(&self, i: usize) -> bool {
        const LITTLE: &[&str] = &[
            "the", "a", "an", "per", "in", "on", "at", "by", "from", "to", "for", "of", "and",
            "but", "when", "if", "as", "with", "der", "die", "das", "ein", "eine", "im", "mit",
            "und", "von", "see", "cf", "re", "subject", "mr", "mrs", "dr",
        ];
        if i == 0 || self.cued_strongly(i) || self.cued_by_role(i) {
            return false;
        }
        let before = &self.tokens[i - 1];
        before.is_name_shaped()
            && before.is_capitalized()
            && !before.is_all_caps()
            && before.text.chars().count() >= 2
            && !LITTLE.contains(&self.norm(i - 1))
    }

    /// A word in capitals shaped like a Slavic surname in Latin letters (SOKOLOV,
    /// IVANOVA, PETRENKO, KOVALCHUK, KOSYGIN), or known to the lexicon as one.
    fn surname_in_capitals(&self, i: usize) -> bool {
        let norm = self.norm(i);
        // German words, not Russian surnames in Latin letters: FÜCHSIN, KÄTHE.
        if norm.contains(['ä', 'ö', 'ü', 'ß']) {
            return false;
        }
        const ENDINGS: &[&str] = &[
            "ov", "ev", "yev", "ova", "eva", "yeva", "in", "ina", "yn", "yna", "sky", "ski",
            "skiy", "skaya", "enko", "chuk", "ovich", "evich", "vili", "dze", "yan",
        ];
        norm.chars().count() >= 5 && ENDINGS.iter().any(|e| norm.ends_with(e))
    }

    /// Cues that make any word in capitals after them a cover name.
    fn cued_strongly(&self, i: usize) -> bool {
        if i == 0 {
            return false;
        }
        let p = i - 1;
        let before = self.norm(p);
        // The cues added for notes by other hands count only in ordinary case: in a
        // heading set in capitals ("BY COURIER SERVICE") they cue nothing.
        let lower = !self.tokens[p].is_all_caps();
        (self.stem_matches(p, dict::CRYPTONYM_CUES) && !self.cued_by_role(i))
            || (self.code_name_cue(p) && before != "as")
            // "whose cover name was MALVA"
            || (lower
                && matches!(before, "was" | "is" | "became" | "war" | "lautete")
                && i >= 3
                && matches!(self.norm(i - 2), "name" | "deckname")
                && matches!(self.norm(i - 3), "cover" | "code"))
            // "cover name FROST", "under the name LUCY" (not "did not name KISLOV")
            || (matches!(before, "name" | "names" | "namen")
                && self.text_at(p).starts_with(char::is_lowercase)
                && i >= 2
                && matches!(
                    self.norm(i - 2),
                    "cover" | "code" | "the" | "a" | "his" | "her" | "new" | "assumed"
                        | "operational" | "dem" | "den" | "seinem" | "ihrem"
                ))
            // "was changed to LIBERAL", "umbenannt in ADLER"
            || lower && (before == "to" && i >= 2 && self.stem_matches(i - 2, &["changed", "renamed"]))
            || lower && (before == "in" && i >= 2 && self.stem_matches(i - 2, &["umbenannt", "geändert"]))
    }

    /// A role just before the word: "the courier GOOSE", "source HOMER", "die Quelle
    /// LÖWE". As good as a cue, except for a word shaped like a surname ("agent NOSENKO"
    /// is a man called Nosenko).
    fn cued_by_role(&self, i: usize) -> bool {
        i > 0 && {
            let before = self.norm(i - 1);
            let legacy = matches!(before, "agent" | "source");
            legacy || (!self.tokens[i - 1].is_all_caps() && dict::COVER_ROLES.contains(&before))
        }
    }

    /// Cues that make a word in capitals a cover name unless it is shaped like a surname.
    fn cued_weakly(&self, i: usize) -> bool {
        // Three letters are as often an abbreviation as a name; and the words around must
        // be in lower case as written ("woman aS VERA" is OCR, not "as").
        let short = self.tokens[i]
            .text
            .chars()
            .filter(|c| c.is_alphabetic())
            .count()
            < 4;
        let lower = |j: usize| {
            let t = self.text_at(j);
            !t.is_empty() && !t.chars().any(char::is_uppercase)
        };
        let before = |k: usize| {
            if i >= k && lower(i - k) {
                self.norm(i - k)
            } else {
                ""
            }
        };
        let after = |k: usize| if lower(i + k) { self.norm(i + k) } else { "" };
        // Three letters need the clearest of these: "known as OSA", "appears in the cables
        // as BEN", "was DAN to the KGB".
        let listed_as = before(1) == "as"
            && (2..=6).any(|k| {
                matches!(
                    before(k),
                    "known"
                        | "appears"
                        | "appear"
                        | "appeared"
                        | "identified"
                        | "designated"
                        | "listed"
                        | "referred"
                        | "recorded"
                        | "figures"
                        | "figured"
                )
            });
        let is_org = |w: &str| {
            dict::NOT_CRYPTONYMS
                .iter()
                .any(|a| a.eq_ignore_ascii_case(w))
        };
        // What an organisation or an operation is called is no cover name of a person:
        // "a group called CORU", "an operation known as CASINO".
        const THINGS: &[&str] = &[
            "group",
            "organization",
            "organisation",
            "operation",
            "project",
            "party",
            "movement",
            "front",
            "network",
            "plan",
            "program",
            "programme",
            "company",
            "firm",
            "newspaper",
            "magazine",
            "ship",
            "team",
            "unit",
            "committee",
            "gruppe",
            "operation",
            "organisation",
            "partei",
            "bewegung",
            "netz",
            "firma",
            "zeitung",
        ];
        if (1..=3).any(|k| THINGS.contains(&before(k))) {
            return false;
        }
        // "as PRAVDA Correspondent": a title goes on after it.
        let title_after = self
            .tokens
            .get(i + 1)
            .is_some_and(|t| t.is_capitalized() && !t.is_all_caps() && t.is_word());
        // "known as", "appears as", "identified as", "later as"; "als MARK geführt";
        // "known first as", "hieß zuerst".
        let org_after =
            matches!(after(1), "to" | "for") && (2..=3).any(|k| is_org(self.text_at(i + k)));
        if short {
            return (listed_as && !title_after)
                || (matches!(before(1), "was" | "is" | "were" | "war") && org_after);
        }
        (matches!(before(1), "as" | "als" | "hieß" | "hiess") && !title_after)
            || (matches!(before(1), "first" | "zuerst" | "erst") && matches!(before(2), "as" | "als" | "hieß" | "hiess"))
            // "called ALES", "calls her KÄTHE", "the files call him STANLEY"
            || matches!(before(1), "called" | "calls" | "call")
            || (matches!(before(1), "him" | "her") && before(2).starts_with("call"))
            // "signed his cables MAXIM", "unterzeichnete seine Funksprüche mit DORA"
            || (1..=4).any(|k| matches!(before(k), "signed" | "signing" | "unterzeichnete"))
                && !before(1).is_empty()
                && !matches!(before(1), "by" | "and")
            // "wurde ANTENNA genannt", "als HEINZE geführt"
            || matches!(after(1), "genannt")
            // "Burgess, MÄDCHEN in the early files, ...": where cover names are written.
            || (after(1) == "in" && (2..=6).any(|k| matches!(after(k), "cables" | "decrypts" | "traffic" | "files" | "telegrams" | "akten")))
            // "HOMER is Donald MACLEAN", "LIBERAL is identical with", "ALES has been
            // identified as": a statement of who the cover name is.
            || (matches!(after(1), "is" | "was" | "ist" | "war")
                && (after(2) == "identical" || after(2) == "identisch" || self.person_at(i + 2)))
            || (1..=3).any(|k| matches!(after(k), "identified" | "identifiziert"))
            // "PTITSA and DRUG are not the only Russian words used as cover names": a
            // sentence about cover names.
            || self.sentence_speaks_of_cover_names(i)
            // "Alexander Feklisov, who ran Rosenberg after 1943, was KALISTRAT.", "The
            // economist Victor Perlo was RAIDER": a person of the sentence *was* the word,
            // and the clause ends there.
            || (matches!(before(1), "was" | "war" | "became" | "wurde")
                && (matches!(self.text_at(i + 1), "." | ";" | "")
                    || (self.text_at(i + 1) == ","
                        && self.text_at(i + 2).starts_with(char::is_lowercase)))
                && self.person_earlier_in_sentence(i))
            // "named GRANT, the military attache Zabotin": the word glossed by a role and
            // the person's name.
            || self.glossed_by_person(i)
            // "was MLAD in the cables", "was TÜRKIS in the Stasi's files", "was DAN to the
            // KGB", "war die Quelle GISELA" is a cue word already.
            || (matches!(before(1), "was" | "is" | "were" | "became" | "war" | "wurde")
                && matches!(after(1), "in" | "to" | "im" | "für" | "for")
                && (2..=6).any(|k| {
                    matches!(
                        after(k),
                        "cables" | "decrypts" | "traffic" | "files" | "file" | "messages"
                            | "telegrams" | "material" | "papers" | "venona" | "moscow"
                            | "akten" | "kgb" | "nkvd" | "gru" | "hva" | "mgb" | "stasi" | "service"
                            | "controllers" | "handlers" | "centre" | "center" | "residency"
                    ) || is_org(self.text_at(i + k))
                }))
    }

    /// A person's name found by the persons pass ends before token `i` in its sentence.
    fn person_earlier_in_sentence(&self, i: usize) -> bool {
        let ends = |j: usize| matches!(self.text_at(j), "." | "!" | "?" | ";");
        let start = (i.saturating_sub(40)..i)
            .rev()
            .find(|&j| ends(j))
            .map_or(i.saturating_sub(40), |j| j + 1);
        self.mentions
            .iter()
            .any(|(m, from, to)| m.kind == MentionKind::Person && *from >= start && *to <= i)
    }

    /// "GRANT, the military attache Zabotin": the word, a comma, "the" and a few words in
    /// lower case, then a person's name found by the persons pass.
    fn glossed_by_person(&self, i: usize) -> bool {
        if self.text_at(i + 1) != "," || !matches!(self.norm(i + 2), "the" | "der" | "die") {
            return false;
        }
        (i + 3..i + 6).any(|j| {
            self.person_at(j)
                && (i + 3..j).all(|k| {
                    let t = &self.tokens[k];
                    t.is_word() && !t.is_capitalized()
                })
                && j > i + 3
        })
    }

    /// A person's name found by the persons pass begins at token `j`.
    fn person_at(&self, j: usize) -> bool {
        self.mentions
            .iter()
            .any(|(m, from, _)| m.kind == MentionKind::Person && *from == j)
    }

    /// The sentence around token `i` speaks of cover names ("cover name", "code name",
    /// "cryptonym", "Deckname"), so its words in capitals are the names it speaks of.
    fn sentence_speaks_of_cover_names(&self, i: usize) -> bool {
        // Forty words either way at most: OCR text may run for pages without a full stop.
        let ends = |j: usize| matches!(self.text_at(j), "." | "!" | "?" | ";");
        let lo = i.saturating_sub(40);
        let hi = (i + 40).min(self.tokens.len());
        let start = (lo..i).rev().find(|&j| ends(j)).map_or(lo, |j| j + 1);
        let end = (i..hi).find(|&j| ends(j)).unwrap_or(hi);
        (start..end).any(|j| {
            let n = self.norm(j);
            let lower = self.text_at(j).starts_with(char::is_lowercase);
            lower
                && (matches!(n, "codename" | "codenames" | "cryptonym" | "cryptonyms")
                    || n.starts_with("deckname")
                    || (matches!(n, "name" | "names")
                        && j > 0
                        && matches!(self.norm(j - 1), "cover" | "code")))
        })
    }

    /// "KLIM (Pavel Orlov)", "STANLEY (Philby)": a word in capitals followed by a name in
    /// brackets.
    fn holder_in_brackets(&self, i: usize) -> bool {
        if self.text_at(i + 1) != "(" {
            return false;
        }
        let words = (i + 2..self.tokens.len().min(i + 6))
            .take_while(|&j| {
                let t = &self.tokens[j];
                t.is_name_shaped() && t.is_capitalized() && !t.is_all_caps()
            })
            .count();
        // A name, not a phrase: "(When Filled In)", "(See Attached)".
        const NOT_NAMES: &[&str] = &[
            "when", "in", "the", "of", "for", "and", "see", "filled", "attached", "if", "not",
            "to", "from", "with", "by", "on", "at", "a", "an", "or", "is", "was", "per", "no",
            "page", "part", "der", "die", "das", "und", "mit",
        ];
        (1..=3).contains(&words)
            && self.text_at(i + 2 + words) == ")"
            && (i + 2..i + 2 + words).all(|j| self.text_at(j).chars().count() >= 2)
            && (i + 2..i + 2 + words).all(|j| !NOT_NAMES.contains(&self.norm(j)))
    }

    /// "Anna Berg (ROSA, later SKIF)", "Heinz Felfe (Deckname PAUL)", "Lona (LESLEY)": the
    /// first word in capitals in brackets right after a person's name.
    fn covers_in_brackets(&self, i: usize) -> bool {
        // The opening bracket, with at most a cue word between it and the word.
        let open = if self.text_at(i.wrapping_sub(1)) == "(" {
            i - 1
        } else if i >= 2
            && self.text_at(i - 2) == "("
            && (self.code_name_cue(i - 1) || matches!(self.norm(i - 1), "deckname" | "cover"))
        {
            i - 2
        } else {
            return false;
        };
        // Right after a person's name found by the persons pass ("Anna Berg", "Lona"), not
        // after an organisation's ("Bolivian Communist Party (PCB)").
        let after_person = open > 0
            && self
                .mentions
                .iter()
                .any(|(m, _, to)| m.kind == MentionKind::Person && *to == open);
        // Or after a given name and a surname the persons pass did not take ("Harro
        // Schulze-Boysen (STARSCHINA)", "Joel Barr (METER)"), for one word of four letters
        // or more: not after the name of a body ("Security Service (SAVAK)").
        let after_name = open > 0
            && self.text_at(i + 1) == ")"
            && self.tokens[i].text.chars().count() >= 4
            && self.name_before(open);
        if !after_person && !after_name {
            return false;
        }
        // Not the initials of the words before it ("Hauptverwaltung Aufklärung (HVA)").
        let initials: String = (open.saturating_sub(6)..open)
            .filter(|&j| self.tokens[j].is_capitalized())
            .filter_map(|j| self.tokens[j].text.chars().next())
            .collect();
        let word = &self.tokens[i].text;
        if word.len() <= initials.len() && initials.ends_with(word.as_str()) {
            return false;
        }
        // "Mr. Yarmolinsky (OSD)", "General Carroll (DIA)": three letters alone in brackets
        // after a name are an office, as often as not.
        if word.chars().count() < 4 && self.text_at(i + 1) == ")" {
            return false;
        }
        // The brackets hold only cover names and the words that link them: "(ROSA, later
        // SKIF)", not "(CHARLES BRYANT)" nor "(DDCI)"-like titles mixed with other words.
        let close = (i + 1..self.tokens.len().min(i + 10)).find(|&j| self.text_at(j) == ")");
        let Some(close) = close else { return false };
        (i..close).all(|j| {
            let t = &self.tokens[j];
            (t.is_all_caps()
                && !t.is_cyrillic()
                && !dict::NOT_CRYPTONYMS.contains(&t.text.as_str()))
                || matches!(
                    self.norm(j),
                    "," | "later"
                        | "then"
                        | "subsequently"
                        | "and"
                        | "or"
                        | "später"
                        | "dann"
                        | "und"
                        | "oder"
                        | "also"
                        | ";"
                )
        }) && (i..close)
            .filter(|&j| self.tokens[j].is_all_caps())
            .all(|j| {
                // Neighbouring capitals without a link are one name, not two cover names.
                !self.tokens.get(j + 1).is_some_and(|t| t.is_all_caps())
            })
    }

    /// Two or three words shaped like a person's name end just before token `open`: a
    /// given name first, in ordinary case, none a place or a word for a body, the word
    /// before them not capitalised.
    fn name_before(&self, open: usize) -> bool {
        const BODIES: &[&str] = &[
            "service",
            "party",
            "committee",
            "agency",
            "office",
            "ministry",
            "department",
            "bureau",
            "directorate",
            "council",
            "union",
            "army",
            "force",
            "forces",
            "command",
            "company",
            "corporation",
            "group",
            "front",
            "movement",
            "organization",
            "organisation",
            "institute",
            "university",
            "bank",
            "station",
            "section",
            "division",
            "branch",
            "staff",
            "police",
            "government",
            "embassy",
            "consulate",
            "mission",
            "administration",
            "board",
            "commission",
            "agreement",
            "treaty",
            "dienst",
            "partei",
            "ministerium",
            "amt",
            "verwaltung",
            "abteilung",
            "botschaft",
            "regierung",
            "kommission",
            "gruppe",
            "bewegung",
            "zeitung",
            "times",
            "post",
        ];
        let words = (open.saturating_sub(3)..open)
            .rev()
            .take_while(|&j| {
                let t = &self.tokens[j];
                t.is_word()
                    && t.is_name_shaped()
                    && t.is_capitalized()
                    && !t.is_all_caps()
                    && !t.is_cyrillic()
                    && t.text.chars().count() >= 2
                    && !self.is_place(j)
            })
            .count();
        if words < 2 || BODIES.contains(&self.norm(open - 1)) {
            return false;
        }
        let first = open - words;
        // A given name first ("Joel Barr", "Harro Schulze-Boysen"): an acronym in brackets
        // after the name of a body ("Freedom of Information-Privacy Acts (FOIPA)") is the
        // body's.
        let given = kartoteka_text::translit::keys_latin(self.norm(first))
            .iter()
            .any(|k| self.lex.romanised_given.contains_key(k));
        if !given {
            return false;
        }
        (first..open).all(|j| !BODIES.contains(&self.norm(j)))
            && (first == 0
                || !self.tokens[first - 1].is_capitalized()
                || self.sentence_start(first))
    }

    /// A word in capitals after a cover name and a link: "GUS, later ARNO", "WAISE, später
    /// HOMER", "STARSHINA and KORSIKANETS", "MOLIERE and later as LISZT".
    fn chained(&self, i: usize, cover: &[bool]) -> bool {
        let mut j = i;
        let mut linked = false;
        for _ in 0..4 {
            if j == 0 {
                return false;
            }
            j -= 1;
            let w = self.norm(j);
            if cover[j] {
                return linked;
            }
            // Skip a holder's name in brackets after the cover name: "HICKS (Burgess) and".
            if w == ")" {
                let open = (j.saturating_sub(5)..j)
                    .rev()
                    .find(|&k| self.text_at(k) == "(");
                return linked && open.is_some_and(|o| o > 0 && cover[o - 1]);
            }
            if matches!(
                w,
                "," | "later"
                    | "then"
                    | "subsequently"
                    | "and"
                    | "or"
                    | "as"
                    | "später"
                    | "dann"
                    | "und"
                    | "oder"
                    | "zuletzt"
                    | "also"
            ) {
                linked |= w != ",";
                continue;
            }
            return false;
        }
        false
    }

    /// A word in capitals before "and" and a cover name: "STARSHINA and KORSIKANETS" when
    /// only the second was cued.
    fn chained_before(&self, i: usize, cover: &[bool]) -> bool {
        matches!(self.norm(i + 1), "and" | "und" | "or" | "oder") && cover[i + 2]
    }

    /// Cover names in an oblique case take the nominative met elsewhere in the text.
    pub(crate) fn cover_lemmas(&mut self) {
        let nominatives: HashSet<String> = self
            .mentions
            .iter()
            .filter(|(m, _, _)| m.kind == MentionKind::CoverName)
            .map(|(m, _, _)| m.lemma.clone())
            .collect();
        for (m, _, _) in &mut self.mentions {
            if m.kind != MentionKind::CoverName || m.lemma.contains(' ') {
                continue;
            }
            if let Some(n) = cover_nominative(&m.lemma, &nominatives) {
                m.lemma = n;
            }
        }
    }
}
