//! Dates: days, months in the genitive, years with their cue words, seasons and ranges,
//! and the cues that make a date a birth date.

use crate::*;
use kartoteka_model::MentionKind;

impl Finder {
    pub(crate) fn year(&self, i: usize) -> Option<u32> {
        let t = self.text_at(i);
        (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
            .filter(|y| (1800..2100).contains(y))
    }

    /// Whether a birth cue stands just before token i: "born", "b.", "род.", "рождения:".
    pub(crate) fn birth_cue_before(&self, i: usize) -> bool {
        let mut k = i;
        while k > 0 && matches!(self.text_at(k - 1), "." | ":" | ",") {
            k -= 1;
        }
        k > 0
            && matches!(
                self.norm(k - 1),
                "born"
                    | "b"
                    | "род"
                    | "родился"
                    | "родилась"
                    | "рождения"
                    | "geboren"
                    | "geb"
                    | "né"
                    | "née"
                    | "urodzony"
                    | "urodzona"
                    | "ur"
            )
    }

    /// Where a birth is told in tokens s..e: "born", "род.", "рождения", "г.р.".
    pub(crate) fn birth_cue(&self, s: usize, e: usize) -> Option<usize> {
        (s..e).find(|&i| {
            matches!(
                self.norm(i),
                "born"
                    | "род"
                    | "родился"
                    | "родилась"
                    | "рождения"
                    | "geboren"
                    | "né"
                    | "née"
                    | "urodzony"
                    | "urodzona"
            ) || (self.norm(i) == "р"
                && i >= 2
                && self.norm(i - 2) == "г"
                && self.text_at(i - 1) == ".")
        })
    }

    /// Extends a date over a following "г." / "года" / "гг.".
    pub(crate) fn year_word(&self, i: usize) -> usize {
        match self.norm(i) {
            "г" | "гг" if self.text_at(i + 1) == "." => i + 2,
            "г" | "гг" | "года" | "году" | "год" | "годах" | "годы" => i + 1,
            _ => i,
        }
    }

    pub(crate) fn dates(&mut self, chars: &[char]) {
        let mut i = 0;
        while i < self.tokens.len() {
            let month = |n: &str| dict::MONTHS.iter().find(|(m, _)| *m == n).map(|(_, v)| *v);
            // 14 мая 1937 г. / 14 May 1937
            if let (Ok(day), Some(m)) = (self.text_at(i).parse::<u32>(), month(self.norm(i + 1))) {
                if (1..=31).contains(&day) {
                    if let Some(y) = self.year(i + 2) {
                        let end = self.year_word(i + 3);
                        self.add_date(i, end, format!("{y}-{m:02}-{day:02}"), chars);
                        i = end;
                        continue;
                    }
                }
            }
            // May 14, 1937 / мая 1937 года
            if let Some(m) = month(self.norm(i)) {
                if let (Ok(day), ",", Some(y)) = (
                    self.text_at(i + 1).parse::<u32>(),
                    self.text_at(i + 2),
                    self.year(i + 3),
                ) {
                    self.add_date(i, i + 4, format!("{y}-{m:02}-{day:02}"), chars);
                    i += 4;
                    continue;
                }
                if let Some(y) = self.year(i + 1) {
                    let end = self.year_word(i + 2);
                    self.add_date(i, end, format!("{y}-{m:02}"), chars);
                    i = end;
                    continue;
                }
            }
            // весной 1944 года / spring of 1944
            if let Some((_, a, b)) = dict::SEASONS.iter().find(|(s, _, _)| *s == self.norm(i)) {
                let at = if self.norm(i + 1) == "of" {
                    i + 2
                } else {
                    i + 1
                };
                if let Some(y) = self.year(at) {
                    let end = self.year_word(at + 1);
                    let (y1, y2) = if a > b { (y - 1, y) } else { (y, y) };
                    self.add_date(i, end, format!("{y1}-{a:02}..{y2}-{b:02}"), chars);
                    i = end;
                    continue;
                }
            }
            // 1944-1946 гг., 1940-х годах
            let t = self.text_at(i).to_string();
            if let Some((a, b)) = t.split_once('-') {
                let (ya, yb) = (a.parse::<u32>().ok(), b.parse::<u32>().ok());
                if let (Some(ya), Some(yb)) = (ya, yb) {
                    if a.len() == 4
                        && b.len() == 4
                        && (1800..2100).contains(&ya)
                        && ya < yb
                        && yb < 2100
                    {
                        let end = self.year_word(i + 1);
                        self.add_date(i, end, format!("{ya}..{yb}"), chars);
                        i = end;
                        continue;
                    }
                }
                if let (Some(ya), "х" | "e" | "х годах" | "s") = (ya, b) {
                    if a.len() == 4 && ya % 10 == 0 && (1800..2100).contains(&ya) {
                        let end = self.year_word(i + 1);
                        self.add_date(i, end, format!("{ya}..{}", ya + 9), chars);
                        i = end;
                        continue;
                    }
                }
            }
            // с 1944 по 1946
            if matches!(self.norm(i), "с" | "from") {
                if let (Some(ya), "по" | "to" | "until", Some(yb)) =
                    (self.year(i + 1), self.norm(i + 2), self.year(i + 3))
                {
                    let end = self.year_word(i + 4);
                    self.add_date(i, end, format!("{ya}..{yb}"), chars);
                    i = end;
                    continue;
                }
            }
            // 14.05.1937
            if let (Ok(d), ".", Ok(m), ".", Some(y)) = (
                self.text_at(i).parse::<u32>(),
                self.text_at(i + 1),
                self.text_at(i + 2).parse::<u32>(),
                self.text_at(i + 3),
                self.year(i + 4),
            ) {
                if (1..=31).contains(&d) && (1..=12).contains(&m) && self.text_at(i + 2).len() == 2
                {
                    self.add_date(i, i + 5, format!("{y}-{m:02}-{d:02}"), chars);
                    i += 5;
                    continue;
                }
            }
            // в 1937 г. / 1937 года / in 1937
            if let Some(y) = self.year(i) {
                let end = self.year_word(i + 1);
                let after_in = i > 0
                    && matches!(
                        self.norm(i - 1),
                        "в" | "во"
                            | "in"
                            | "since"
                            | "до"
                            | "после"
                            | "by"
                            | "until"
                            | "from"
                            | "seit"
                            | "im"
                            | "depuis"
                            | "en"
                            | "w"
                            | "od"
                    );
                // "born 1911", "род. 1911", "Год рождения: 1911".
                let birth = i > 0 && self.birth_cue_before(i);
                if end > i + 1 || after_in || birth {
                    self.add_date(i, end, y.to_string(), chars);
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
    }

    /// A date from token `from` to `to`; its lemma is its ISO 8601 form.
    pub(crate) fn add_date(&mut self, from: usize, to: usize, code: String, chars: &[char]) {
        self.add(MentionKind::Date, from, to, code.clone(), Some(code), chars);
    }
}
