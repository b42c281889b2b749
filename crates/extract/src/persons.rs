//! Persons: given name, patronymic and surname in any order and case, initials, runs of
//! names, a surname alone where the text makes it one, names in brackets, and names
//! repeated after their first full mention.

use crate::*;
use kartoteka_model::{MentionKind, Sex};

impl Finder {
    pub(crate) fn is_initial(&self, i: usize) -> bool {
        let t = self.text_at(i);
        t.chars().count() == 1 && t.chars().all(|c| c.is_uppercase()) && self.text_at(i + 1) == "."
    }

    /// Initials at i: their end and text ("А. П.").
    pub(crate) fn initials(&self, i: usize) -> Option<(usize, String)> {
        if !self.is_initial(i) {
            return None;
        }
        let mut end = i + 2;
        let mut text = format!("{}.", self.text_at(i));
        if self.is_initial(end) {
            text.push_str(&format!(" {}.", self.text_at(end)));
            end += 2;
        }
        Some((end, text))
    }

    /// Next to "ул.", "пер.", "проспект": a street's name, not a person's ("ул. Почтовая",
    /// "Померанцев пер.").
    pub(crate) fn street_name(&self, i: usize) -> bool {
        self.streets.get(i).copied().unwrap_or(false)
    }

    /// Per token, whether it is next to a street word: within three tokens, with nothing
    /// but words and full stops between ("ул. Большая Полянка", "Почтовая Б. ул.").
    pub(crate) fn street_names(tokens: &[Token]) -> Vec<bool> {
        let street: Vec<bool> = tokens
            .iter()
            .map(|t| t.is_word() && dict::STREET_WORDS.contains(&t.norm.as_str()))
            .collect();
        let joined =
            |a: usize, b: usize| (a + 1..b).all(|k| tokens[k].is_word() || tokens[k].text == ".");
        (0..tokens.len())
            .map(|i| {
                tokens[i].is_capitalized()
                    && ((i.saturating_sub(3)..i).any(|k| street[k] && joined(k, i))
                        || (i + 1..(i + 4).min(tokens.len())).any(|k| street[k] && joined(i, k)))
            })
            .collect()
    }

    pub(crate) fn name_word(&self, i: usize) -> bool {
        let Some(t) = self.tokens.get(i) else {
            return false;
        };
        !self.used[i]
            && !self.street_name(i)
            && t.is_word()
            && t.is_capitalized()
            && !t.is_all_caps()
            && t.text.chars().count() >= 2
            && t.is_name_shaped()
    }

    /// A known given name at token i: its nominative, whether it is a woman's, and whether
    /// the same spelling is an ordinary word.
    pub(crate) fn given_at(&self, i: usize) -> Option<(String, bool, bool)> {
        let Some((name, female)) = self.lex.given.get(self.norm(i)).cloned() else {
            let t = self.tokens.get(i)?;
            // "Deckname OTTO", "Codename KARL": a cue, not a given name.
            if t.is_cyrillic() || t.text.chars().count() < 3 || self.code_name_cue(i) {
                return None;
            }
            // Opening a sentence ("Eine Kopie ging an"), only before a surname in capitals
            // or a patronymic.
            let next = self.norm(i + 1);
            let patronymic = ["vich", "vna", "itch", "witsch", "wna", "wicz", "vitch"]
                .iter()
                .any(|e| next.ends_with(e));
            if self.sentence_start(i) && !self.capitals_surname(i + 1) && !patronymic {
                return None;
            }
            let female = kartoteka_text::translit::keys_latin(self.norm(i))
                .iter()
                .find_map(|k| self.lex.romanised_given.get(k).copied())?;
            return Some((t.text.clone(), female, false));
        };
        let common = self.lex.common_given.contains(&name.to_lowercase());
        Some((name, female, common))
    }

    /// Whether the word at i is a surname the dictionary knows (in any case form), and
    /// not also an ordinary word or a place.
    pub(crate) fn known_surname(&self, i: usize) -> bool {
        self.looked_up.get(i).is_some_and(|l| l.1)
    }

    /// Whether the word at i is a surname the dictionary knows, even one that is also an
    /// ordinary word ("Путин", "путин" the genitive plural of "путина"): a person when
    /// capitalised in mid-sentence.
    pub(crate) fn lexicon_surname(&self, i: usize) -> bool {
        self.looked_up.get(i).is_some_and(|l| l.2)
    }

    /// Whether the word at i names a place (in any case form) and not also a person.
    pub(crate) fn is_place(&self, i: usize) -> bool {
        self.looked_up.get(i).is_some_and(|l| l.0)
    }

    /// A lower-case particle inside a name ("бин", "фон", "де") or a hyphenated one before
    /// its name ("аль-Хадж", "эль-Масри").
    pub(crate) fn particle(&self, i: usize) -> (bool, bool) {
        let t = self.text_at(i);
        let joined = t.split_once('-').is_some_and(|(p, rest)| {
            NAME_PARTICLES.contains(&p) && rest.chars().next().is_some_and(char::is_uppercase)
        });
        (NAME_PARTICLES.contains(&t), joined)
    }

    /// The word at i stands alone in quotation marks.
    pub(crate) fn quoted(&self, i: usize) -> bool {
        i > 0
            && matches!(self.text_at(i - 1), "«" | "\"" | "„" | "“")
            && matches!(self.text_at(i + 1), "»" | "\"" | "“" | "”")
    }

    /// The word at i names a kind of record ("Рапорт", "Справка"), not a person.
    pub(crate) fn document_genre(&self, i: usize) -> bool {
        dict::DOCUMENT_GENRES.iter().any(|g| {
            self.norm(i)
                .strip_prefix(g)
                .is_some_and(|rest| NOUN_ENDINGS.contains(&rest))
        })
    }

    /// A surname set in capitals, as Western transcripts write it ("Arnold KUZMIN",
    /// "Vera Andreyevna SOKOLOVA"): taken only right after a given name.
    pub(crate) fn capitals_surname(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| {
            !self.used[i]
                && t.is_word()
                && t.is_all_caps()
                && !t.is_cyrillic()
                && !t.after_newline
                && t.text.chars().count() >= 3
                && t.text.chars().all(|c| c.is_alphabetic() || c == '-')
                && !dict::NOT_CRYPTONYMS.contains(&t.text.as_str())
        })
    }

    /// The word at i may be part of a person's name in a run of capitalised words.
    pub(crate) fn run_word(&self, i: usize) -> bool {
        (self.name_word(i)
            && self.tokens[i].is_cyrillic()
            && !self.is_place(i)
            && !self.document_genre(i)
            && (!adjective_shaped(self.norm(i)) || self.known_surname(i)))
            || (!self.used.get(i).copied().unwrap_or(true) && self.particle(i).1)
    }

    /// The sex the words around a name with initials say, when its surname alone cannot
    /// ("Кузьмина А. П." is a woman in the nominative or a man in the genitive): a
    /// preposition, a masculine noun or adjective in the genitive before it ("приказ
    /// оперработника Кузьмина А. П.", "старшего лейтенанта"), or an infinitive right after
    /// it ("Кузьмина А. П. наградить") make it a man's oblique case; a verb in the feminine
    /// past tense beside it ("составила Кузьмина А. П.") a woman's nominative.
    pub(crate) fn sex_around(
        &self,
        from: usize,
        to: usize,
        role_ends: &HashSet<usize>,
    ) -> Option<Sex> {
        const PREPOSITIONS: &[&str] = &[
            "от",
            "у",
            "для",
            "без",
            "до",
            "из",
            "на",
            "про",
            "через",
            "против",
            "около",
            "возле",
            "после",
            "кроме",
            "среди",
            "со",
            "вокруг",
            "мимо",
            "ради",
            "насчет",
        ];
        let word = |j: usize| {
            self.tokens
                .get(j)
                .filter(|t| t.is_word() && t.is_cyrillic())
                .map(|t| t.norm.as_str())
        };
        let before = from.checked_sub(1).and_then(word);
        let after = word(to);
        let feminine_past = |w: &str| w.chars().count() > 3 && w.ends_with("ла");
        // Nouns a name after them belongs to, so that it is in the genitive: "протокол
        // допроса Кузьмина А. П.", "из-за болезни Кузьмина", "рапорт Кузьмина".
        const OF_WHOM: &[&str] = &[
            "болезн",
            "арест",
            "смерт",
            "допрос",
            "показани",
            "жен",
            "муж",
            "брат",
            "сестр",
            "отц",
            "отец",
            "матер",
            "сын",
            "доч",
            "квартир",
            "письм",
            "подпис",
            "почерк",
            "отъезд",
            "приезд",
            "возвращени",
            "вербовк",
            "задержани",
            "дел",
            "рапорт",
            "протокол",
            "справк",
            "донесени",
            "заявлени",
            "объяснени",
            "характеристик",
            "фотографи",
            "адрес",
            "семь",
            "связ",
        ];
        if let Some(b) = before {
            if PREPOSITIONS.contains(&b) {
                return Some(Sex::Male);
            }
            let possessed = OF_WHOM.iter().any(|stem| b.starts_with(stem))
                || (from > 0 && self.document_genre(from - 1));
            if possessed {
                return Some(Sex::Male);
            }
            // A role or rank in the genitive: "оперработника", "лейтенанта", "агента".
            let role_genitive = role_ends.contains(&from)
                && (b.ends_with('а') || b.ends_with('я'))
                && !b.ends_with("ца");
            let adjective_genitive = b.ends_with("ого") || b.ends_with("его");
            if role_genitive || adjective_genitive {
                return Some(Sex::Male);
            }
            if feminine_past(b) {
                return Some(Sex::Female);
            }
        }
        if let Some(a) = after {
            let infinitive = a.chars().count() > 3
                && (a.ends_with("ть") || a.ends_with("ти") || a.ends_with("чь"));
            if infinitive {
                return Some(Sex::Male);
            }
            if feminine_past(a) {
                return Some(Sex::Female);
            }
        }
        None
    }

    /// Where each role found so far ends: a name right after a role is named by it.
    pub(crate) fn role_ends(&self) -> HashSet<usize> {
        self.mentions
            .iter()
            .filter(|(m, _, _)| m.kind == MentionKind::Role)
            .map(|(_, _, to)| *to)
            .collect()
    }

    pub(crate) fn persons(&mut self, chars: &[char]) {
        let role_ends = self.role_ends();
        let mut i = 0;
        while i < self.tokens.len() {
            // Surname И. О. / И. О. Surname
            if self.name_word(i) {
                if let Some((end, init)) = self.initials(i + 1) {
                    // "Robert F. Kennedy": a given name, a middle initial, a surname.
                    if self.lex.given.contains_key(self.norm(i)) && self.name_word(end) {
                        let lemma = format!("{} {init} {}", self.text_at(i), self.text_at(end));
                        self.add(MentionKind::Person, i, end + 1, lemma, None, chars);
                        i = end + 1;
                        continue;
                    }
                    let sex = self.sex_around(i, end, &role_ends);
                    let lemma = format!("{} {init}", surname_lemma(self.text_at(i), sex));
                    self.add(MentionKind::Person, i, end, lemma, None, chars);
                    i = end;
                    continue;
                }
            }
            if let Some((end, init)) = self.initials(i) {
                // "Б. Почтовая" is a street (Большая), not a person.
                if self.name_word(end)
                    && (!adjective_shaped(self.norm(end)) || self.known_surname(end))
                    && !self.is_place(end)
                {
                    let sex = self.sex_around(i, end + 1, &role_ends);
                    let lemma = format!("{init} {}", surname_lemma(self.text_at(end), sex));
                    self.add(MentionKind::Person, i, end + 1, lemma, None, chars);
                    i = end + 1;
                    continue;
                }
            }
            // Given [Patronymic] [Surname], or Surname Given Patronymic.
            if self.name_word(i) {
                if let Some((given, female, _)) = self.given_at(i) {
                    let mut end = i + 1;
                    let mut parts = vec![given];
                    let mut gender = Some(Sex::of_female(female));
                    if self.name_word(end) {
                        if let Some((p, f)) = patronymic(self.norm(end)) {
                            parts.push(title(&p));
                            gender = Some(f);
                            end += 1;
                        }
                    }
                    let capitals = !self.tokens[i].is_cyrillic() && self.capitals_surname(end);
                    if capitals {
                        parts.push(surname_lemma(&title(self.norm(end)), gender));
                        end += 1;
                    } else if self.name_word(end)
                        && !self.is_place(end)
                        && (!self.lex.given.contains_key(self.norm(end)) || self.known_surname(end))
                    {
                        parts.push(surname_lemma(self.text_at(end), gender));
                        end += 1;
                        // "Vera Andreyevna SOKOLOVA": the word before the capitals was a
                        // patronymic or a middle name.
                        if !self.tokens[i].is_cyrillic() && self.capitals_surname(end) {
                            parts.push(surname_lemma(&title(self.norm(end)), gender));
                            end += 1;
                        }
                        // Names of more parts: "Реджеп Тайип Эрдоган", "Марин Ле Пен",
                        // "Хуан Пабло Монтойя".
                        if parts.len() == 2 {
                            while parts.len() < 4 && end < self.tokens.len() {
                                let next_ok = self.tokens.get(end + 1).is_none_or(|t| {
                                    !t.is_word() || !t.is_capitalized() || self.run_word(end + 1)
                                });
                                if self.run_word(end)
                                    && self.name_word(end)
                                    && !self.tokens[end].after_newline
                                    && next_ok
                                {
                                    parts.push(self.text_at(end).to_string());
                                    end += 1;
                                } else {
                                    break;
                                }
                            }
                        }
                    } else if parts.len() == 2 && i > 0 && self.name_word(i - 1) {
                        // "Соколова Вера Андреевна"; "Арнольд Болеслав Константинович", where
                        // a word that could be a given name is the surname.
                        let lemma = format!(
                            "{} {}",
                            surname_lemma(self.text_at(i - 1), gender),
                            parts.join(" ")
                        );
                        self.add(MentionKind::Person, i - 1, end, lemma, None, chars);
                        i = end;
                        continue;
                    }
                    // A given name alone is weaker; it is taken below.
                    if end > i + 1 {
                        self.add(MentionKind::Person, i, end, parts.join(" "), None, chars);
                        i = end;
                        continue;
                    }
                }
            }
            // Title or office before a name: "генерал Судоплатов", "резидентом Морозовым",
            // "Mr. Oswald".
            if self.name_word(i) && i > 0 {
                let mut k = i - 1;
                let abbreviated = self.text_at(k) == "." && k > 0;
                if abbreviated {
                    k -= 1;
                }
                // After a full stop only an abbreviated title counts ("Mr.", "тов."):
                // "...полковник. Адрес:" ends one sentence and starts another.
                let titled = dict::PERSON_TITLES.contains(&self.norm(k))
                    && (!abbreviated || self.norm(k).chars().count() <= 4);
                // An office ("глава", "директор") is as often followed by what it heads,
                // in the genitive ("глава Роскосмоса", "лидер Меджлиса"), as by a name.
                let office = !abbreviated
                    && self.tokens[i].is_cyrillic()
                    && dict::POSITIONS.iter().any(|p| {
                        self.norm(k)
                            .strip_prefix(p)
                            .is_some_and(|rest| NOUN_ENDINGS.contains(&rest))
                    });
                // "резидентом Морозовым", on the same line (a heading word after a line
                // break is not a surname).
                let after_role = role_ends.contains(&i)
                    && self.tokens[i].is_cyrillic()
                    && !self.tokens[i].after_newline;
                let name_like = self.lex.given.contains_key(self.norm(i))
                    || self.known_surname(i)
                    || surname_shaped(self.norm(i));
                let genitive_head = !name_like && self.norm(i).ends_with(['а', 'я', 'и', 'ы']);
                if (titled || ((office || after_role) && !genitive_head))
                    && !adjective_shaped(self.norm(i))
                    && !self.is_place(i)
                {
                    let mut end = i + 1;
                    while end < i + 3 && self.name_word(end) && !adjective_shaped(self.norm(end)) {
                        end += 1;
                    }
                    let words: Vec<String> = (i..end)
                        .map(|j| surname_lemma(self.text_at(j), Some(Sex::Male)))
                        .collect();
                    self.add(MentionKind::Person, i, end, words.join(" "), None, chars);
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        self.name_runs(chars);
        self.lone_names(chars);
        self.names_in_brackets(chars);
        self.repeated_names(chars);
    }

    /// Runs of two to four capitalised Cyrillic words in mid-sentence, neither places nor
    /// services: Russian capitalises little else, so they are names ("Наото Кан", "Аун Сан
    /// Су Чжи", "Усамы бин Ладена").
    pub(crate) fn name_runs(&mut self, chars: &[char]) {
        let mut i = 0;
        while i + 1 < self.tokens.len() {
            if !self.name_word(i) || !self.run_word(i) {
                i += 1;
                continue;
            }
            // Up to four words on one line, with particles between them.
            let mut end = i + 1;
            let mut words = 1;
            while words < 4 && !self.tokens.get(end).is_none_or(|t| t.after_newline) {
                if self.run_word(end) {
                    end += 1;
                } else if self.particle(end).0 && self.run_word(end + 1) {
                    end += 2;
                } else {
                    break;
                }
                words += 1;
            }
            if words < 2 {
                i += 1;
                continue;
            }
            // A word before a known given name that is not a name itself belongs to what
            // comes before ("Роскосмоса Анатолий Перминов", "Смерть Егора").
            let mut from = i;
            let office = dict::PERSON_TITLES.contains(&self.norm(i))
                || dict::POSITIONS.iter().any(|p| {
                    self.norm(i)
                        .strip_prefix(p)
                        .is_some_and(|rest| NOUN_ENDINGS.contains(&rest))
                });
            if office {
                // "Президент Саркози": the office is not part of the name.
                from = i + 1;
            } else if !self.lex.given.contains_key(self.norm(i))
                && !self.known_surname(i)
                && self.given_at(i + 1).is_some_and(|g| !g.2)
            {
                from = i + 1;
            } else if end - i == 3
                && !self.lex.given.contains_key(self.norm(i))
                && !self.known_surname(i)
                && self.norm(i).ends_with(['а', 'я', 'и', 'ы'])
            {
                // "главы Химок Владимира": a first word in the genitive of a three-word run.
                from = i + 1;
            }
            // At a sentence start every word is capitalised: a run is taken there only when
            // it begins with a given name or ends with a surname.
            // "Позже Берия уехал": an adverb before a surname is not a given name.
            let last = end - 1;
            let surname_last = surname_shaped(self.norm(last)) || self.known_surname(last);
            let name_first = self.given_at(from).is_some_and(|g| !g.2)
                || (surname_last && (surname_shaped(self.norm(i)) || self.known_surname(i)));
            if self.sentence_start(i) && from == i && !name_first {
                i += 1;
                continue;
            }
            let next_capital = self
                .tokens
                .get(end)
                .is_some_and(|t| t.is_word() && t.is_capitalized());
            if end - from >= 2 && !next_capital && self.free(from, end) {
                let lemma = (from..end)
                    .map(|k| self.text_at(k))
                    .collect::<Vec<_>>()
                    .join(" ");
                self.add(MentionKind::Person, from, end, lemma, None, chars);
                i = end;
                continue;
            }
            i += 1;
        }
    }

    /// One word alone that is a person: a surname the dictionary knows, a word shaped like
    /// a Russian surname between words in lower case, a given name.
    pub(crate) fn lone_names(&mut self, chars: &[char]) {
        let role_ends = self.role_ends();
        for i in 0..self.tokens.len() {
            if !self.name_word(i) || !self.tokens[i].is_cyrillic() || self.is_place(i) {
                continue;
            }
            let next_capital = self
                .tokens
                .get(i + 1)
                .is_some_and(|t| t.is_word() && t.is_capitalized());
            // «Спартак», «Орион»: one word in quotes names a team, a ship, a firm.
            if next_capital || self.quoted(i) {
                continue;
            }
            let start = self.sentence_start(i);
            // Adjectives share the -ский endings, so only -ов/-ев/-ин surnames count by
            // shape, and only after a word in lower case or inside a list.
            let after_lower = i > 0
                && ((self.tokens[i - 1].is_word() && !self.tokens[i - 1].is_capitalized())
                    || matches!(self.text_at(i - 1), "(" | ","));
            let shaped = !start
                && after_lower
                && surname_shaped(self.norm(i))
                && !self.lex.given.contains_key(self.norm(i));
            if shaped || self.known_surname(i) || (!start && self.lexicon_surname(i)) {
                let lemma = surname_lemma(self.text_at(i), self.sex_around(i, i + 1, &role_ends));
                self.add(MentionKind::Person, i, i + 1, lemma, None, chars);
                continue;
            }
            if let Some((given, _, common)) = self.given_at(i) {
                let ordinary = common || self.lex.common_forms.contains(self.norm(i));
                if (!ordinary || !start) && self.text_at(i).chars().count() >= 3 {
                    self.add(MentionKind::Person, i, i + 1, given, None, chars);
                }
            }
        }
    }

    /// A name in Latin letters in brackets after a person's name in Cyrillic: "Джошуа
    /// Вольф (Joshua Wolf)".
    pub(crate) fn names_in_brackets(&mut self, chars: &[char]) {
        let ends: Vec<usize> = self
            .mentions
            .iter()
            .filter(|(m, _, _)| {
                m.kind == MentionKind::Person && m.text.chars().any(tokens::is_cyrillic)
            })
            .map(|(_, _, to)| *to)
            .collect();
        for e in ends {
            if self.text_at(e) != "(" {
                continue;
            }
            let mut k = e + 1;
            while k < e + 6
                && self.tokens.get(k).is_some_and(|t| {
                    !self.used[k]
                        && t.is_word()
                        && !t.is_cyrillic()
                        && (t.is_capitalized() || self.particle(k).0 || self.particle(k).1)
                })
            {
                k += 1;
            }
            // Words all in capitals in brackets after a name are its cover names ("Walter
            // Brandt (FALKE)"), not its spelling in another script.
            // Nor is a cue with one ("(Deckname OTTO)").
            let capitals = (e + 1..k).all(|j| self.tokens[j].is_all_caps())
                || (e + 1..k).any(|j| self.code_name_cue(j));
            if k > e + 1
                && !capitals
                && self.text_at(k) == ")"
                && self.tokens[e + 1].is_capitalized()
            {
                let lemma = (e + 1..k)
                    .map(|j| self.text_at(j))
                    .collect::<Vec<_>>()
                    .join(" ");
                self.add(MentionKind::Person, e + 1, k, lemma, None, chars);
            }
        }
    }

    /// A name met in a person's mention names the same person alone, in any case:
    /// "Марк Цукерберг ... Цукербергу", "Виктор Бут ... Виктором".
    pub(crate) fn repeated_names(&mut self, chars: &[char]) {
        // Only names with support spread: a mention with a known given name, a patronymic
        // or initials in it, or a surname the dictionary knows or whose shape is Russian. A
        // bare run of capitals ("Главка Наркомата") may be a mistake, and must not spread.
        let mut stems: HashSet<String> = HashSet::new();
        for (m, from, to) in &self.mentions {
            if m.kind != MentionKind::Person {
                continue;
            }
            let words = (*from..*to).filter(|&k| self.tokens[k].is_word()).count();
            let all_oblique = (*from..*to)
                .filter(|&k| self.tokens[k].is_word())
                .all(|k| self.norm(k).ends_with(['а', 'я', 'ы', 'и']));
            let supported = (words >= 2 && !all_oblique)
                || (*from..*to).any(|k| {
                    self.lex.given.contains_key(self.norm(k))
                        || patronymic(self.norm(k)).is_some()
                        || self.is_initial(k)
                });
            for k in *from..*to {
                let t = &self.tokens[k];
                let surname = self.known_surname(k) || surname_shaped(&t.norm);
                if t.is_capitalized() && t.text.chars().count() >= 3 && (supported || surname) {
                    stems.insert(case_stem(&t.norm).to_string());
                }
            }
        }
        for i in 0..self.tokens.len() {
            if self.name_word(i)
                && self.text_at(i).chars().count() >= 3
                && stems.contains(case_stem(self.norm(i)))
                && !self.is_place(i)
                && !self.quoted(i)
            {
                let lemma = match self.given_at(i) {
                    Some((given, _, _)) => given,
                    None => surname_lemma(self.text_at(i), None),
                };
                self.add(MentionKind::Person, i, i + 1, lemma, None, chars);
            }
        }
    }
}
