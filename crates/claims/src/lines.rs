//! A line of running text → its claims: figures with their subjects and
//! targets, zero counts from negations, a task marked done, a sign-off
//! (crate README, "Rules" and "Subjects"). Also the collector the table and
//! line readers push into.
//!
//! Size: one reader per line shape (labelled, figure in prose, task, sign-off)
//! sharing the subject and context rules; each shape is a short function
//! and the crate's rule tests (tests/rules.rs) name them.

use crate::lexicon;
use crate::markdown::{Doc, LineIn};
use crate::text::{self, clean, clean_flat, clean_words, is_symbol, join};
use crate::values::{self, Class, Token};
use crate::{suggest, Claim, ClaimKind, Cmp, Unit, Value, MAX_CLAIMS, MAX_TEXT_CHARS};
use std::rc::Rc;

/// How far (in characters) the words around a figure are looked for.
const WINDOW: usize = 64;
/// The longest label a `label: value` line may have, in characters.
const MAX_LABEL: usize = 40;

struct Who {
    group: u32,
    who: String,
    label: String,
    line: usize,
    section: Option<Rc<str>>,
}

/// Collects claims in document order; attaches who signed at the end.
pub struct Collector<'d> {
    doc: &'d Doc<'d>,
    claims: Vec<Claim>,
    /// The block of each sign-off claim (index into `claims`).
    signoffs: Vec<(usize, u32)>,
    whos: Vec<Who>,
}

impl<'d> Collector<'d> {
    pub fn new(doc: &'d Doc<'d>) -> Self {
        Collector {
            doc,
            claims: Vec::new(),
            signoffs: Vec::new(),
            whos: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.claims.len()
    }

    /// Past the claim limit: the caller refuses the report, so stop reading.
    pub fn full(&self) -> bool {
        self.claims.len() > MAX_CLAIMS
    }

    /// Adds a claim; returns its index.
    pub fn push(
        &mut self,
        line: usize,
        subject: String,
        section: &Option<Rc<str>>,
        kind: ClaimKind,
    ) -> usize {
        let text = text::cut(self.doc.source_line(line), MAX_TEXT_CHARS);
        self.claims.push(Claim {
            line,
            text,
            subject: text::cut(&subject, MAX_TEXT_CHARS),
            section: section.as_deref().map(str::to_string),
            kind,
        });
        self.claims.len() - 1
    }

    fn claim_mut(&mut self, i: usize) -> &mut Claim {
        &mut self.claims[i]
    }

    /// The claims, with each "验收人: X" line's X given to the sign-offs of
    /// its block (or, alone, as a sign-off of its own).
    pub fn finish(mut self) -> Vec<Claim> {
        let whos = std::mem::take(&mut self.whos);
        for w in whos {
            let mut used = false;
            for &(i, group) in &self.signoffs {
                if group != w.group {
                    continue;
                }
                if let ClaimKind::SignOff { who, .. } = &mut self.claims[i].kind {
                    if who.is_none() {
                        *who = Some(w.who.clone());
                        used = true;
                    }
                }
            }
            if !used {
                let kind = ClaimKind::SignOff {
                    role: None,
                    who: Some(w.who.clone()),
                    verdict: w.label.clone(),
                };
                self.push(w.line, w.who, &w.section, kind);
            }
        }
        self.claims.sort_by_key(|c| c.line);
        self.claims
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    None,
    Done,
    Pending,
}

/// The line's leading marker and where its words start: bullets (in code
/// blocks), `[x]`, ✅, ⚠️ and other decoration are stepped over.
fn leading(text: &str, from_code: bool) -> (Status, usize) {
    let mut i = text.len() - text.trim_start().len();
    if from_code {
        let rest = &text[i..];
        let bullet = rest
            .strip_prefix("- ")
            .or_else(|| rest.strip_prefix("* "))
            .or_else(|| rest.strip_prefix("+ "))
            .map(|r| rest.len() - r.len())
            .or_else(|| {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                (digits > 0 && digits < 4 && rest[digits..].starts_with(". ")).then_some(digits + 2)
            });
        if let Some(b) = bullet {
            i += b;
        }
    }
    let mut status = Status::None;
    loop {
        let rest = &text[i..];
        let trimmed = rest.trim_start();
        i += rest.len() - trimmed.len();
        if let Some(m) = lexicon::DONE_MARKS
            .iter()
            .find(|m| trimmed.starts_with(**m))
        {
            if status == Status::None {
                status = Status::Done;
            }
            i += m.len();
            continue;
        }
        if let Some(m) = lexicon::PENDING_MARKS
            .iter()
            .find(|m| trimmed.starts_with(**m))
        {
            status = Status::Pending;
            i += m.len();
            continue;
        }
        match trimmed.chars().next() {
            Some(c) if is_symbol(c) || c == '*' => i += c.len_utf8(),
            _ => return (status, i),
        }
    }
}

struct Label {
    /// The label, cleaned.
    text: String,
    /// Where the value starts.
    value_start: usize,
}

/// `label: value`: the first `:`/`：` outside brackets, with a label of at
/// most `MAX_LABEL` characters and a value that is not blank.
fn find_label(text: &str, masked: &str, from: usize) -> Option<Label> {
    let mut depth = 0i32;
    for (i, c) in masked[from..].char_indices() {
        let at = from + i;
        match c {
            '(' | '（' | '[' | '【' | '《' => depth += 1,
            ')' | '）' | ']' | '】' | '》' => depth -= 1,
            // host:port and 3:1 are not labels
            ':' if masked[at + 1..].starts_with(|d: char| d.is_ascii_digit()) => {}
            ':' | '：' if depth <= 0 => {
                let raw = &text[from..at];
                if raw.chars().nth(4 * MAX_LABEL).is_some() {
                    return None;
                }
                let label = clean(raw);
                let value_start = at + c.len_utf8();
                let value_blank = text[value_start..]
                    .chars()
                    .all(|c| !c.is_alphanumeric() || is_symbol(c));
                let n = label.chars().count();
                if n == 0
                    || n > MAX_LABEL
                    || !label.chars().any(char::is_alphanumeric)
                    || value_blank
                {
                    return None;
                }
                return Some(Label {
                    text: label,
                    value_start,
                });
            }
            _ => {}
        }
    }
    None
}

/// Ends a clause: Chinese and ASCII punctuation, brackets, bars, arrows; a
/// full stop only when a blank follows it (a sentence end, not 90.4).
fn is_separator(c: char, next: Option<char>) -> bool {
    (c == '.' && next.is_none_or(char::is_whitespace))
        || matches!(
            c,
            '，' | ','
                | ';'
                | '；'
                | '。'
                | '、'
                | '('
                | ')'
                | '（'
                | '）'
                | '|'
                | '×'
                | '→'
                | '!'
                | '！'
                | '?'
                | '？'
                | ':'
                | '：'
                | '['
                | ']'
                | '【'
                | '】'
        )
}

/// The clause around `start..end`: from just after the separator before it
/// (not before `floor`) to the separator after it, within `WINDOW` characters.
/// Also returns the separator that opened the clause, if any.
fn clause(text: &str, floor: usize, start: usize, end: usize) -> (usize, usize, Option<char>) {
    let mut cs = floor;
    let mut opener = None;
    for (n, (i, c)) in text[floor..start].char_indices().rev().enumerate() {
        if n >= WINDOW {
            cs = floor + i + c.len_utf8();
            break;
        }
        if is_separator(c, text[floor + i + c.len_utf8()..].chars().next()) {
            cs = floor + i + c.len_utf8();
            opener = Some(c);
            break;
        }
    }
    let mut ce = text.len();
    for (n, (i, c)) in text[end..].char_indices().enumerate() {
        if n >= WINDOW || is_separator(c, text[end + i + c.len_utf8()..].chars().next()) {
            ce = end + i;
            break;
        }
    }
    (cs, ce, opener)
}

/// The text of `from..to` with the figures in it blanked.
fn without_figures(text: &str, from: usize, to: usize, tokens: &[Token]) -> String {
    let mut out = String::new();
    let mut at = from;
    // tokens are in order and do not overlap: start at the first that may reach `from`
    let first = tokens.partition_point(|t| t.end <= from);
    for t in &tokens[first..] {
        if t.start >= to {
            break;
        }
        if t.end <= at {
            continue;
        }
        if t.start > at {
            out.push_str(&text[at..t.start]);
        }
        out.push(' ');
        at = t.end.min(to);
    }
    if at < to {
        out.push_str(&text[at..to]);
    }
    out
}

/// The subject of figure `i` (crate README, "Subjects").
fn subject_of(text: &str, floor: usize, tokens: &[Token], i: usize, label: Option<&str>) -> String {
    let tok = &tokens[i];
    let (cs, ce, opener) = clause(text, floor, tok.start, tok.end);
    // the old side of a change belongs to the words of its new side
    let prev_end = tokens[..i]
        .iter()
        .rev()
        .take_while(|t| t.end > cs)
        .find(|t| !t.before && t.end <= tok.start)
        .map_or(cs, |t| t.end.max(cs));
    let next_start = tokens[i + 1..]
        .iter()
        .map(|t| t.start)
        .find(|s| *s >= tok.end)
        .unwrap_or(text.len())
        .min(ce);
    let before = clean_words(&without_figures(text, prev_end, tok.start, tokens));
    let after = clean_words(&text[tok.end..next_start.max(tok.end)]);
    let parent = match opener {
        Some('(' | '（') => {
            let open = cs - opener.map_or(0, char::len_utf8);
            let (ps, _, _) = clause(text, floor, open, open);
            clean_words(&without_figures(text, ps, open, tokens))
        }
        _ => String::new(),
    };
    let s = join(&[label.unwrap_or(""), &parent, &before, &after]);
    if !s.is_empty() {
        return s;
    }
    // nothing around it: the line's text before the figure (its last
    // `WINDOW` non-blank characters: blanked progress bars don't count)
    let mut from = floor;
    let mut seen = 0;
    for (i, c) in text[floor..tok.start].char_indices().rev() {
        if !c.is_whitespace() {
            seen += 1;
            if seen > WINDOW {
                from = floor + i + c.len_utf8();
                break;
            }
        }
    }
    clean_flat(&text[from..tok.start])
}

/// True when the words before a figure make it a target ("目标 85%", "target: 90%").
fn is_target(text: &str, floor: usize, start: usize) -> bool {
    let head = values::tail(&text[floor..start], 16);
    let head = head
        .trim_end()
        .trim_end_matches([':', '：'])
        .trim_end()
        .to_lowercase();
    ["目标值", "目标", "target", "goal", "slo"]
        .iter()
        .any(|w| head.ends_with(w))
}

/// Rule 6: a duration is a claim when named as a measured time or followed by
/// a completion word.
fn duration_named(words: &str, after: &str) -> bool {
    let lower = words.to_lowercase();
    if lexicon::TIME_WORDS_ZH.iter().any(|w| lower.contains(w))
        || lexicon::has_en_word(&lower, lexicon::TIME_WORDS_EN)
        || has_percentile(&lower)
    {
        return true;
    }
    let after = after.trim_start();
    let after = after.strip_prefix("成功").unwrap_or(after);
    lexicon::COMPLETION_WORDS
        .iter()
        .any(|w| after.starts_with(w))
}

/// "p95", "P99", "tp99": a latency percentile.
fn has_percentile(lower: &str) -> bool {
    let b = lower.as_bytes();
    b.windows(3).enumerate().any(|(i, w)| {
        w[0] == b'p'
            && w[1].is_ascii_digit()
            && w[2].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphabetic() || b[i - 1] == b't')
    })
}

/// Only blanks, decoration, markdown and change words between two points.
fn only_filler(s: &str) -> bool {
    let mut s = s.to_string();
    for w in lexicon::CHANGE_WORDS.iter().chain(lexicon::FROM_WORDS) {
        s = s.replace(w, " ");
    }
    s.chars()
        .all(|c| c.is_whitespace() || is_symbol(c) || c == '*' || c == '_')
}

/// The claims of one line.
pub fn analyse(line: &LineIn, out: &mut Collector<'_>) {
    let ctx = &line.ctx;
    if ctx.plan || ctx.todo || line.checked == Some(false) {
        return;
    }
    // drawn boxes and progress bars become blanks (byte for byte)
    let mut text = String::with_capacity(line.text.len());
    for c in line.text.chars() {
        if text::is_drawing(c) {
            text.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            text.push(c);
        }
    }
    let masked = values::mask(&text, &line.masks);
    let (mut status, body) = leading(&text, line.from_code);
    if line.checked == Some(true) && status == Status::None {
        status = Status::Done;
    }
    if status == Status::Pending {
        return;
    }
    let label = find_label(&text, &masked, body);
    let section = &ctx.section;

    if ctx.signoff {
        if let Some(l) = &label {
            if signoff(&text, l, line, out) {
                return;
            }
        }
    }

    let floor = label.as_ref().map_or(body, |l| l.value_start);
    let tokens: Vec<Token> = values::scan(&text, &masked)
        .into_iter()
        .filter(|t| t.start >= floor)
        .collect();
    let label_text = label.as_ref().map(|l| l.text.as_str());
    let estimate = label_text.is_some_and(|l| {
        lexicon::has_word(l, lexicon::ESTIMATE_WORDS_ZH, lexicon::ESTIMATE_WORDS_EN)
    });

    let mut first: Option<usize> = None;
    let mut emitted = 0;
    let mut at_start = label.is_some();
    let mut last_end = floor;
    for (i, tok) in tokens.iter().enumerate() {
        if out.full() {
            return;
        }
        let lead_ok = at_start && only_filler(&text[last_end..tok.start]);
        last_end = tok.end;
        if tok.before && lead_ok {
            // the old side of a change keeps the new side at the start
            continue;
        }
        at_start = false;
        if tok.before || matches!(tok.class, Class::Range | Class::Size | Class::Limit) {
            continue;
        }
        if is_target(&text, floor, tok.start) {
            if let Some(idx) = first {
                let c = out.claim_mut(idx);
                let actual = c.kind.value().cloned();
                if let Some(actual) = actual {
                    c.kind = ClaimKind::Metric {
                        target: Some(tok.value.clone()),
                        actual,
                    };
                }
            }
            continue;
        }
        if tok.class == Class::Bare && !(label.is_some() && lead_ok) {
            continue;
        }
        if estimate {
            continue;
        }
        let subject = subject_of(&text, floor, &tokens, i, label_text);
        if tok.value.unit.is_duration() {
            let (cs, ce, _) = clause(&text, floor, tok.start, tok.end);
            let words = format!("{} {}", label_text.unwrap_or(""), &text[cs..ce]);
            if !duration_named(&words, &text[tok.end..]) {
                continue;
            }
        }
        let kind = if label.is_some() {
            ClaimKind::Metric {
                target: None,
                actual: tok.value.clone(),
            }
        } else {
            ClaimKind::for_figure(tok.value.clone())
        };
        let idx = out.push(line.line, subject, section, kind);
        first.get_or_insert(idx);
        emitted += 1;
    }

    emitted += negations(&text, floor, label_text, line, out);

    if emitted == 0 {
        let value_done = label.as_ref().is_some_and(|l| {
            let v =
                text[l.value_start..].trim_start_matches(|c: char| c.is_whitespace() || c == '*');
            lexicon::DONE_MARKS.iter().any(|m| v.starts_with(m))
                || lexicon::DONE_WORDS
                    .iter()
                    .any(|w| v.to_lowercase().starts_with(w))
        });
        if status == Status::Done || value_done {
            let subject = match &label {
                Some(l) => l.text.clone(),
                None => clean(&text[body..]),
            };
            if !subject.is_empty() {
                let at = values::first_datetime(&text);
                out.push(line.line, subject, section, ClaimKind::TaskDone { at });
            }
        }
    }
}

/// Rule 7: 无/零/no/zero before a phrase naming a counted metric is the count 0.
fn negations(
    text: &str,
    floor: usize,
    label: Option<&str>,
    line: &LineIn,
    out: &mut Collector<'_>,
) -> usize {
    let region = &text[floor..];
    let lower = region.to_lowercase();
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for w in lexicon::NEGATIONS_ZH {
        hits.extend(region.match_indices(w).map(|(i, m)| (i, i + m.len())));
    }
    if lower.len() == region.len() {
        for w in lexicon::NEGATIONS_EN {
            for (i, m) in lower.match_indices(w) {
                let before = lower[..i].chars().next_back();
                let after = lower[i + m.len()..].chars().next();
                if before.is_none_or(|c| !c.is_ascii_alphanumeric()) && after == Some(' ') {
                    hits.push((i, i + m.len()));
                }
            }
        }
    }
    hits.sort_unstable();
    let mut n = 0;
    let mut last = 0;
    for (s, e) in hits {
        if s < last {
            continue;
        }
        let (_, ce, _) = clause(text, floor, floor + e, floor + e);
        let phrase = &text[floor + e..ce.max(floor + e)];
        last = ce - floor;
        if phrase.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let words = clean_words(phrase);
        if words.is_empty() {
            continue;
        }
        let subject = join(&[label.unwrap_or(""), &words]);
        let Some(metric) = suggest::metric_for(&subject, Unit::Count) else {
            continue;
        };
        if !suggest::ZERO_MEANINGFUL.contains(&metric) {
            continue;
        }
        let raw = text[floor + s..ce.max(floor + e)].trim().to_string();
        let value = Value {
            number: 0.0,
            unit: Unit::Count,
            decimals: 0,
            cmp: Cmp::Eq,
            raw,
        };
        out.push(
            line.line,
            subject,
            &line.ctx.section,
            ClaimKind::Count { value },
        );
        n += 1;
    }
    n
}

/// A sign-off line (`role: ✅ verdict`, `role: APPROVED`) or a who-line
/// (`验收人: X`) in a sign-off section. True when the line was one.
fn signoff(text: &str, label: &Label, line: &LineIn, out: &mut Collector<'_>) -> bool {
    let lower_label = label.text.to_lowercase();
    let value =
        text[label.value_start..].trim_start_matches(|c: char| c.is_whitespace() || c == '*');
    if lexicon::WHO_LABELS
        .iter()
        .any(|w| lower_label == *w || lower_label.ends_with(w))
    {
        let who = clean(value);
        let placeholder = who.starts_with('[') && who.ends_with(']');
        if !who.is_empty() && !placeholder {
            out.whos.push(Who {
                group: line.ctx.group,
                who,
                label: label.text.clone(),
                line: line.line,
                section: line.ctx.section.clone(),
            });
        }
        return true;
    }
    let verdict = if let Some(m) = lexicon::DONE_MARKS.iter().find(|m| value.starts_with(**m)) {
        clean(&value[m.len()..])
    } else {
        let upper = value.to_uppercase();
        if lexicon::VERDICTS.iter().any(|v| upper.starts_with(v)) {
            clean(value)
        } else {
            return false;
        }
    };
    if verdict.is_empty() {
        return false;
    }
    let (role, who) = role_and_who(&label.text);
    let subject = role
        .clone()
        .or_else(|| who.clone())
        .unwrap_or_else(|| verdict.clone());
    let idx = out.push(
        line.line,
        subject,
        &line.ctx.section,
        ClaimKind::SignOff { role, who, verdict },
    );
    out.signoffs.push((idx, line.ctx.group));
    true
}

/// "QA lead (Jane Doe)" → role "QA lead", who "Jane Doe"; "部署负责人验收" →
/// role "部署负责人".
fn role_and_who(label: &str) -> (Option<String>, Option<String>) {
    let mut role = label.trim().to_string();
    let mut who = None;
    for (open, close) in [('(', ')'), ('（', '）')] {
        if role.ends_with(close) {
            if let Some(i) = role.rfind(open) {
                let name = clean(&role[i + open.len_utf8()..role.len() - close.len_utf8()]);
                if !name.is_empty() {
                    who = Some(name);
                }
                role.truncate(i);
            }
        }
    }
    let mut role = clean(&role);
    for s in lexicon::ROLE_SUFFIXES {
        let lower = role.to_lowercase();
        if lower.ends_with(s) && lower.len() > s.len() {
            role.truncate(role.len() - s.len());
            role = clean(&role);
        }
    }
    ((!role.is_empty()).then_some(role), who)
}
