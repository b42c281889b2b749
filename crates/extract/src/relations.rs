//! Relations a sentence states between the mentions in it, as a table of cue words and
//! the kinds of mention each joins.

use crate::*;
use kartoteka_model::{MentionKind, RelationKind};

impl Finder {
    pub(crate) fn sentences(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for i in 0..self.tokens.len() {
            let t = self.text_at(i);
            let end_mark = matches!(t, "." | "!" | "?" | ";");
            let abbreviation = i > 0
                && ((self.tokens[i - 1].text.chars().count() == 1
                    && self.tokens[i - 1].text.chars().all(char::is_alphabetic))
                    || matches!(
                        self.norm(i - 1),
                        "г" | "гг"
                            | "тов"
                            | "mr"
                            | "mrs"
                            | "dr"
                            | "st"
                            | "no"
                            | "ф"
                            | "оп"
                            | "д"
                            | "л"
                            | "лл"
                            | "им"
                            | "gen"
                            | "col"
                    ));
            let next_starts = self
                .tokens
                .get(i + 1)
                .is_none_or(|n| n.is_capitalized() || !n.is_word());
            if end_mark && !abbreviation && next_starts {
                out.push((start, i + 1));
                start = i + 1;
            }
        }
        if start < self.tokens.len() {
            out.push((start, self.tokens.len()));
        }
        out
    }

    pub(crate) fn relations(
        &self,
        mentions: &[Mention],
        token_of: &[(usize, usize)],
    ) -> Vec<Relation> {
        let mut out = Vec::new();
        let mut said: HashSet<(RelationKind, usize, usize)> = HashSet::new();
        // Roles that recruit and handle: a case officer or a resident recruits, a source or
        // an agent is recruited ("Source ДУНАЙ ... was recruited").
        let officer_ends: HashSet<usize> = mentions
            .iter()
            .zip(token_of)
            .filter(|(m, _)| {
                m.kind == MentionKind::Role
                    && !matches!(
                        m.code.as_deref().unwrap_or(m.lemma.as_str()),
                        "source" | "agent" | "target" | "defector" | "confidential_contact"
                    )
            })
            .map(|(_, t)| t.1)
            .collect();
        // Mentions are in text order: each sentence's are a run found by binary search, so
        // a long text costs no more per sentence than a short one.
        // The last person of the sentence before, with where that sentence starts.
        let mut previous_person: Option<(usize, usize)> = None;
        // Relations whose evidence spans two sentences.
        let mut carried: Vec<Relation> = Vec::new();
        // The last person of the sentence before, whatever it told.
        let mut last_any: Option<(usize, usize)> = None;
        for (s, e) in self.sentences() {
            let sentence_start = self.tokens[s].start;
            // The one recruited, not the recruiter: "мною, оперработником Кузьминым А. П.,
            // завербована Соколова", "SOKOLOVA ... was recruited by Arnold KUZMIN".
            let last_person = (token_of.partition_point(|t| t.0 < s)
                ..token_of.partition_point(|t| t.0 < e))
                .rfind(|&m| {
                    let at = token_of[m].0;
                    mentions[m].kind == MentionKind::Person
                        && !(at > 0
                            && (matches!(self.norm(at - 1), "by") || officer_ends.contains(&at)))
                });
            let before = previous_person.take();
            // Only a sentence that tells of a recruitment hands its last person on as the
            // one a following "Источнику присвоен псевдоним" names: after "связь прервана
            // из-за болезни Кузьмина" the agent given a new name is not Кузьмин.
            let recruitment = (s..e).any(|i| {
                dict::RECRUITED
                    .iter()
                    .any(|st| self.norm(i).starts_with(st))
            });
            previous_person = last_person
                .filter(|_| recruitment)
                .map(|m| (m, sentence_start));
            let previous_person = before;
            let first = token_of.partition_point(|t| t.0 < s);
            let last = token_of.partition_point(|t| t.0 < e);
            let inside: Vec<usize> = (first..last).filter(|&m| token_of[m].1 <= e).collect();
            let previous_any = last_any;
            if let Some(m) = inside
                .iter()
                .copied()
                .rfind(|&m| mentions[m].kind == MentionKind::Person)
            {
                last_any = Some((m, sentence_start));
            }
            if inside.is_empty() {
                continue;
            }
            let span = (self.tokens[s].start, self.tokens[e - 1].end);
            let has = |stems: &[&str]| {
                (s..e).find(|&i| stems.iter().any(|st| self.norm(i).starts_with(st)))
            };
            let of_kind = |k: &[MentionKind]| {
                inside
                    .iter()
                    .copied()
                    .filter(|&m| k.contains(&mentions[m].kind))
                    .collect::<Vec<_>>()
            };
            let agents = of_kind(&[MentionKind::Person, MentionKind::CoverName]);
            let persons = of_kind(&[MentionKind::Person]);
            let covers = of_kind(&[MentionKind::CoverName]);
            let mut push = |kind: RelationKind, from: usize, to: usize| {
                // Known relations in a set: a long text gives hundreds of thousands.
                if from != to && said.insert((kind, from, to)) {
                    out.push(Relation {
                        kind,
                        from,
                        to,
                        start: span.0,
                        end: span.1,
                    });
                }
            };
            // Code names. Only what the sentence says ties a person to a cover name: the
            // person in brackets beside it ("агент «ХОЛА» (Жданов)", "Жданов («ХОЛА»)"), or
            // after a dash ("«МОРЯК» — Орлов Е. К."), or, for the cover name a cue word
            // introduces ("псевдоним «ХОЛА»", "code-named HOLA", "known as LIRA"), the one
            // it passes to ("передан Жданову", "reissued to Pyotr ZHDANOV"), else the person
            // before the cue, else the one the sentence before recruited ("Источнику
            // присвоен псевдоним «ХОЛА»"). A second cover name in the sentence ("после
            // переименования агента «ЛИРА»") names its own holder, not this one.
            for &c in &covers {
                let (c_from, c_to) = token_of[c];
                let person_at = |from: usize, to: usize| {
                    persons
                        .iter()
                        .copied()
                        .find(|&p| token_of[p].0 >= from && token_of[p].1 <= to)
                };
                let closing = |i: usize| matches!(self.text_at(i), "»" | "\"" | "“" | "”");
                let after = if closing(c_to) { c_to + 1 } else { c_to };
                let before = if c_from > 0
                    && matches!(self.text_at(c_from - 1), "«" | "\"" | "„" | "“")
                {
                    c_from - 1
                } else {
                    c_from
                };
                // The person whose mention starts at token i, or ends just before it.
                let starting_at = |i: usize| persons.iter().copied().find(|&p| token_of[p].0 == i);
                let ending_before =
                    |i: usize| persons.iter().copied().find(|&p| token_of[p].1 + 1 == i);
                // (X) right after; X (Y) right before; — X after.
                let bracketed = (self.text_at(after) == "(")
                    .then(|| starting_at(after + 1))
                    .flatten()
                    .filter(|&p| matches!(self.text_at(token_of[p].1), ")" | "," | ";"));
                let bracketing =
                    (before > 0 && self.text_at(before - 1) == "(" && self.text_at(after) == ")")
                        .then(|| ending_before(before))
                        .flatten();
                let dashed = matches!(self.text_at(after), "—" | "–" | "-" | "=")
                    .then(|| starting_at(after + 1))
                    .flatten();
                // "L'agent HOLA, Vera Sokolova, fut recrutée": after a role, between commas.
                let after_role = of_kind(&[MentionKind::Role])
                    .iter()
                    .any(|&r| token_of[r].1 == before || token_of[r].1 + 1 == before);
                let apposed = (after_role && self.text_at(after) == ",")
                    .then(|| starting_at(after + 1))
                    .flatten()
                    .filter(|&p| matches!(self.text_at(token_of[p].1), "," | "." | ")" | ""));
                if let Some(p) = bracketed.or(bracketing).or(dashed).or(apposed) {
                    push(RelationKind::CodeNamed, p, c);
                    continue;
                }
                let Some(cue) = (before.saturating_sub(3)..before)
                    .rev()
                    .find(|&i| self.code_name_cue(i))
                else {
                    continue;
                };
                // The first cover name after the cue is the one it introduces.
                if covers
                    .iter()
                    .any(|&o| o != c && token_of[o].0 > cue && token_of[o].0 < c_from)
                {
                    continue;
                }
                let transfer = (after..e).find(|&i| {
                    dict::COVER_TRANSFERS
                        .iter()
                        .any(|st| self.norm(i).starts_with(st))
                });
                let next_cover = covers
                    .iter()
                    .map(|&o| token_of[o].0)
                    .find(|&o| o > c_from)
                    .unwrap_or(e);
                let receiver = transfer.and_then(|t| person_at(t + 1, next_cover.max(t + 1)));
                let subject = persons.iter().copied().rfind(|&p| {
                    let (ps, pe) = token_of[p];
                    pe <= cue
                        && !(ps > 0
                            && (matches!(self.norm(ps - 1), "by") || officer_ends.contains(&ps)))
                });
                match (receiver, subject) {
                    (Some(p), _) | (None, Some(p)) => push(RelationKind::CodeNamed, p, c),
                    (None, None) => {
                        if let Some(&(p, from)) = previous_person.as_ref() {
                            // The evidence spans both sentences.
                            carried.push(Relation {
                                kind: RelationKind::CodeNamed,
                                from: p,
                                to: c,
                                start: from,
                                end: span.1,
                            });
                        }
                    }
                }
            }
            // Born: the person before the cue, at the date and in the place beside it.
            if let Some(cue) = self.birth_cue(s, e) {
                let person = persons
                    .iter()
                    .copied()
                    .rfind(|&p| token_of[p].1 <= cue + 1)
                    .or_else(|| persons.first().copied());
                let near = |k: MentionKind| {
                    of_kind(&[k])
                        .into_iter()
                        .filter(|&m| token_of[m].0.abs_diff(cue) <= 6)
                        .min_by_key(|&m| token_of[m].0.abs_diff(cue))
                };
                let found = [near(MentionKind::Date), near(MentionKind::Place)];
                if let Some(p) = person {
                    for m in found.into_iter().flatten() {
                        push(RelationKind::Born, p, m);
                    }
                } else if let Some((p, from)) = previous_any {
                    // A form: "Фамилия, имя, отчество: ... . Год рождения: 1911."
                    for m in found.into_iter().flatten() {
                        carried.push(Relation {
                            kind: RelationKind::Born,
                            from: p,
                            to: m,
                            start: from,
                            end: span.1,
                        });
                    }
                }
            }
            // Recruited by: the one after a role word or "by" recruited the other.
            if let Some(verb) = has(dict::RECRUITED) {
                let recruiter = agents.iter().copied().find(|&m| {
                    let before = token_of[m].0;
                    before > 0
                        && (matches!(self.norm(before - 1), "by") || officer_ends.contains(&before))
                });
                if let Some(r) = recruiter {
                    // The recruit: a cover name, else the one nearest the verb.
                    let recruit = agents.iter().copied().filter(|&a| a != r).min_by_key(|&a| {
                        (
                            mentions[a].kind != MentionKind::CoverName,
                            token_of[a].0.abs_diff(verb),
                        )
                    });
                    if let Some(a) = recruit {
                        push(RelationKind::RecruitedBy, a, r);
                    }
                }
            }
            // Handled by.
            if let Some(t) = has(&["куратор", "на связи", "связь", "handler", "handled", "case"])
            {
                let handler = agents
                    .iter()
                    .copied()
                    .find(|&m| token_of[m].0 > t && mentions[m].kind == MentionKind::Person);
                if let (Some(h), Some(&a)) = (
                    handler,
                    agents.iter().find(|&&a| {
                        token_of[a].0 < t || mentions[a].kind == MentionKind::CoverName
                    }),
                ) {
                    push(RelationKind::HandledBy, a, h);
                }
            }
            // Met with.
            if let Some(t) = has(&["встрет", "встреч", "met"]) {
                let before = agents.iter().copied().rfind(|&m| token_of[m].1 <= t);
                let after = agents.iter().copied().find(|&m| token_of[m].0 > t);
                if let (Some(a), Some(b)) = (before, after) {
                    push(RelationKind::MetWith, a, b);
                }
            }
            // Reported on.
            if let Some(t) = has(&["сообщил", "доложил", "донес", "reported", "informed"])
            {
                let before = agents.iter().copied().rfind(|&m| token_of[m].1 <= t);
                let after = persons.iter().copied().find(|&m| token_of[m].0 > t);
                if let (Some(a), Some(b)) = (before, after) {
                    push(RelationKind::ReportedOn, a, b);
                }
            }
            // Worked at a service; operated in a place.
            for &o in &of_kind(&[MentionKind::Org]) {
                if has(&[
                    "работ",
                    "служ",
                    "сотрудник",
                    "worked",
                    "officer",
                    "employee",
                ])
                .is_some()
                {
                    if let Some(&p) = persons.first() {
                        push(RelationKind::WorkedAt, p, o);
                    }
                }
            }
            for &pl in &of_kind(&[MentionKind::Place]) {
                let before = token_of[pl].0;
                let born_here = (before.saturating_sub(4)..before)
                    .any(|i| matches!(self.norm(i), "born" | "рождения" | "родился" | "родилась"));
                if before > 0 && matches!(self.norm(before - 1), "в" | "во" | "in") && !born_here
                {
                    if let Some(&a) = agents.iter().find(|&&a| token_of[a].0 < before) {
                        push(RelationKind::OperatedIn, a, pl);
                    }
                }
            }
            // Roles next to who holds them.
            // Agents are in text order: the one starting where the role ends (or after its
            // opening quote) is found by binary search, so a sentence of a thousand roles
            // and agents (a table OCR gave without full stops) stays linear.
            let starting_at = |token: usize| {
                let i = agents.partition_point(|&a| token_of[a].0 < token);
                agents.get(i).copied().filter(|&a| token_of[a].0 == token)
            };
            for &r in &of_kind(&[MentionKind::Role]) {
                let end = token_of[r].1;
                let next = starting_at(end).or_else(|| {
                    matches!(self.text_at(end), "«" | "\"" | "„")
                        .then(|| starting_at(end + 1))
                        .flatten()
                });
                if let Some(a) = next {
                    push(RelationKind::HasRole, a, r);
                }
            }
        }
        out.extend(carried);
        out
    }
}
