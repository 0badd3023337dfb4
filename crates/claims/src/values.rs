//! Finding figures in a line of text: what is masked first (dates, times,
//! URLs, versions, ordinals, inline code), then numbers with their bound,
//! unit and shape (crate README, "Rules" 1, 4 and 5). Every search is a
//! `regex` (linear time) and the scan moves forward only.
//!
//! Size: the masks (dates, versions, URLs…) and the figure shapes are
//! one list of regexes each, applied in one forward scan; split, the scan's
//! order would live in two places.

use crate::lexicon;
use crate::text::is_cjk;
use crate::{Cmp, Unit, Value};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// Replaces masked characters in the text given to the figure search.
pub const MASK: char = '\u{1}';

static MASKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        # dates, with an optional time: 2025-11-02 18:00, 2025/11/2, 2025年11月2日, 2026-01-27+
        \d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}(?:[T\x20]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\+?
        | \d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?(?:\s*\d{1,2}:\d{2})?
        | \d{4}\s*年
        | \d{1,2}\s*月\s*\d{1,2}\s*[日号]
        # times and time windows: 18:00, 2:00-4:00
        | \d{1,2}:\d{2}(?::\d{2})?(?:\s*[-–~～]\s*\d{1,2}:\d{2}(?::\d{2})?)?
        # English dates: Nov 2, 2025 / 2 November 2025
        | (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s*\d{4})?
        | \d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?:,?\s*\d{4})?
        # URLs and e-mail addresses
        | (?i:https?|ftp)://[^\s<>)\]）]+
        | www\.[^\s<>)\]）]+
        | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
        # ordinals and numbered references: 第1阶段, #12, No. 3
        | 第\s*\d+
        | \#\d+
        | (?i:no\.)\s*\d+
        # versions and addresses: 3.0.3, 10.0.0.1
        | \d+(?:\.\d+){2,}
        ",
    )
    .expect("mask pattern")
});

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<pre>
            (?: <= | >= | ≤ | ≥ | ＜ | ＞ | < | > | ~ | ～ | ≈
              | 不低于 | 不少于 | 不超过 | 大约 | 超过 | 高于 | 大于 | 多于 | 至少 | 低于 | 小于 | 少于 | 不足
              | 最多 | 最少 | 最长 | 最短 | 至多 | 最高 | 最低 | 约
              | (?i: up\x20to | at\x20least | at\x20most | more\x20than | less\x20than | fewer\x20than
                  | approximately | approx\.? | about | around | nearly | over | under | above | below )
            ) \s*
        )?
        (?P<sign>[+\-−])?
        (?P<num>\d{1,3}(?:,\d{3}){1,6}(?:\.\d{1,15})?|\d{1,18}(?:\.\d{1,15})?)
        (?P<plus>\+)?
        (?: (?:\s*/\s*|\x20of\x20) (?P<den>\d+(?:\.\d+)?)(?P<fen>\s*分)? )?
        (?P<unit>
            \s*(?: %|％|µs|μs|微秒|毫秒|秒钟|秒|分钟|个小时|小时|个工作日|工作日|天|个星期|星期|周|个月|倍
                 |次/秒|/秒|字节|行|字|页|个|项|次|份
                 | (?i: us|microseconds?|msec|ms|milliseconds?|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?
                     | req/s|requests/s|/sec|/s|rps|qps|tps|bytes?|kib|mib|gib|tib|kb|mb|gb|tb|lines?|words?|pages?|loc|percent|s|h) )
          | (?: 条|名|位|件|处|台|张|篇|例|套|种|人|遍|轮|批|×|x )
        )?
        (?P<post>\+|或以上|以上|以内|之内|内|以下|左右)?
        ",
    )
    .expect("token pattern")
});

static RANGE_NEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[-–—~～至]\s*[<>≤≥]?\s*\d").expect("range pattern"));

static DATETIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*[日号])?
            (?:[T\x20]+(?P<hh>\d{1,2}):(?P<mm>\d{2}))?
        | (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s*(?P<y2>\d{4})
        ",
    )
    .expect("datetime pattern")
});

/// What a found figure is, as far as the rules go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A figure with a unit or counter: a candidate claim.
    Measure,
    /// A bare number: a claim only where rule 5 allows one.
    Bare,
    /// A size of an artefact (行, 字, KB, lines): never a claim.
    Size,
    /// One end of a range (5-10分钟): never a claim.
    Range,
    /// A behaviour limit (最多10次, up to 5): never a claim.
    Limit,
}

/// A figure found in a line.
#[derive(Clone, Debug)]
pub struct Token {
    /// Byte range of the whole figure, bound words and unit included.
    pub start: usize,
    pub end: usize,
    pub value: Value,
    pub class: Class,
    /// Followed by a change word (→, 提升到): the old side of a change.
    pub before: bool,
}

/// The text with dates, times, URLs, versions, ordinals and the given
/// ranges (inline code) replaced by `MASK` characters, byte for byte.
pub fn mask(text: &str, extra: &[Range<usize>]) -> String {
    let mut ranges: Vec<Range<usize>> = MASKS.find_iter(text).map(|m| m.range()).collect();
    ranges.extend(extra.iter().cloned());
    if ranges.is_empty() {
        return text.to_string();
    }
    let mut hidden = vec![false; text.len()];
    for r in ranges {
        let end = r.end.min(text.len());
        for h in &mut hidden[r.start.min(end)..end] {
            *h = true;
        }
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if hidden[i] {
            for _ in 0..c.len_utf8() {
                out.push(MASK);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn blocks_before(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '\\' | '$' | '@' | MASK)
}

/// The last `n` characters of `s` (bounded work however long `s` is).
pub fn tail(s: &str, n: usize) -> &str {
    match s.char_indices().rev().nth(n) {
        Some((i, c)) => &s[i + c.len_utf8()..],
        None => s,
    }
}

fn prev_char(s: &str, i: usize) -> Option<char> {
    s[..i].chars().next_back()
}

fn next_char(s: &str, i: usize) -> Option<char> {
    s[i..].chars().next()
}

/// All figures of `text`, found in `masked` (the same text after `mask`).
pub fn scan(text: &str, masked: &str) -> Vec<Token> {
    debug_assert_eq!(text.len(), masked.len());
    let mut out: Vec<Token> = Vec::new();
    let mut pos = 0;
    let mut range_next = false;
    while pos < masked.len() {
        let Some(caps) = TOKEN.captures_at(masked, pos) else {
            break;
        };
        let num = caps.name("num").expect("num is not optional");
        let next_pos = num.end();
        match read_token(text, masked, &caps) {
            Some(mut tok) => {
                if range_next {
                    tok.class = Class::Range;
                    range_next = false;
                }
                if RANGE_NEXT.is_match(&masked[tok.end..]) {
                    tok.class = Class::Range;
                    range_next = true;
                }
                pos = tok.end.max(next_pos);
                out.push(tok);
            }
            None => {
                range_next = false;
                pos = next_pos;
            }
        }
    }
    out
}

fn read_token(text: &str, masked: &str, caps: &regex::Captures<'_>) -> Option<Token> {
    let num = caps.name("num")?;
    if num.as_str().chars().filter(char::is_ascii_digit).count() > 18 {
        return None;
    }
    // The bound word before the number, if it may be one here.
    let pre = caps.name("pre").filter(|p| {
        let word = p.as_str().trim();
        let before = prev_char(masked, p.start());
        if word.starts_with(|c: char| c.is_ascii_alphabetic()) {
            before.is_none_or(|c| !c.is_ascii_alphanumeric())
        } else if word == "约" {
            // 节约 2% is a saving, not an approximation
            before.is_none_or(|c| !is_cjk(c) && !c.is_alphanumeric())
        } else {
            true
        }
    });
    let mut sign = caps.name("sign");
    if let (None, Some(s)) = (pre, sign) {
        if prev_char(masked, s.start()).is_some_and(|c| blocks_before(c) || c == '-') {
            sign = None;
        }
    }
    if pre.is_none() && sign.is_none() {
        if let Some(c) = prev_char(masked, num.start()) {
            if blocks_before(c) {
                return None;
            }
            if c == '-' || c == '−' || c == '+' {
                // M4-01: an identifier, not a negative number
                let cc = prev_char(masked, num.start() - c.len_utf8());
                if cc.is_some_and(|cc| cc.is_alphanumeric() || cc == MASK) {
                    return None;
                }
            }
        }
    }
    let start = pre
        .map(|p| p.start())
        .or(sign.map(|s| s.start()))
        .unwrap_or(num.start());

    // The unit, unless an ASCII unit runs on into a word (5 sites, 7x24).
    let mut unit_m = caps.name("unit");
    if let Some(u) = unit_m {
        let word = u.as_str().trim_start();
        if word.ends_with(|c: char| c.is_ascii_alphabetic())
            && next_char(masked, u.end()).is_some_and(|c| c.is_ascii_alphanumeric())
        {
            unit_m = None;
        }
    }
    let den = caps.name("den");
    let fen = caps.name("fen");
    let plus = caps.name("plus");
    let mut end = unit_m
        .map(|u| u.end())
        .or(fen.map(|f| f.end()))
        .or(den.map(|d| d.end()))
        .or(plus.map(|p| p.end()))
        .unwrap_or(num.end());
    let post = caps.name("post").filter(|p| p.start() == end);
    if let Some(p) = post {
        end = p.end();
    }

    // What follows must not continue the number (v1.2.3, 7x24, 5sites).
    if let Some(c) = next_char(masked, end) {
        if c == MASK || c.is_ascii_digit() {
            return None;
        }
        if c == '.' && next_char(masked, end + 1).is_some_and(|d| d.is_ascii_digit()) {
            return None;
        }
        if unit_m.is_none() && c.is_ascii_alphabetic() {
            return None;
        }
    }

    let number_text: String = num.as_str().chars().filter(|c| *c != ',').collect();
    let mut number: f64 = number_text.parse().ok()?;
    if !number.is_finite() {
        return None;
    }
    if sign.is_some_and(|s| s.as_str() != "+") {
        number = -number;
    }
    let decimals = number_text
        .split_once('.')
        .map_or(0, |(_, d)| d.len().min(15) as u8);

    let pre_word = pre.map(|p| p.as_str().trim().to_lowercase());
    let mut class = Class::Measure;
    let mut cmp = match pre_word.as_deref() {
        None => Cmp::Eq,
        Some(
            "<" | "＜" | "低于" | "小于" | "少于" | "不足" | "less than" | "fewer than" | "under"
            | "below",
        ) => Cmp::Lt,
        Some("<=" | "≤" | "不超过") => Cmp::Le,
        Some(">" | "＞" | "超过" | "高于" | "大于" | "多于" | "more than" | "over" | "above") => {
            Cmp::Gt
        }
        Some(">=" | "≥" | "不低于" | "不少于" | "至少" | "at least") => Cmp::Ge,
        Some(
            "~" | "～" | "≈" | "约" | "大约" | "approximately" | "approx" | "approx." | "about"
            | "around" | "nearly",
        ) => Cmp::Approx,
        Some(_) => {
            class = Class::Limit;
            Cmp::Le
        }
    };
    if plus.is_some() {
        cmp = Cmp::Ge;
    }
    match post.map(|p| p.as_str()) {
        Some("+" | "以上" | "或以上") => cmp = Cmp::Ge,
        Some("以内" | "之内" | "内" | "以下") => cmp = Cmp::Le,
        Some("左右") => cmp = Cmp::Approx,
        _ => {}
    }

    let unit = if let Some(d) = den {
        if d.as_str().contains('.') {
            return None;
        }
        let out_of: u32 = d.as_str().parse().ok().filter(|n| *n > 0)?;
        Some(Unit::Score { out_of })
    } else if let Some(u) = unit_m {
        match unit_of(u.as_str().trim()) {
            UnitWord::Unit(u) => Some(u),
            UnitWord::Size => {
                class = Class::Size;
                Some(Unit::Count)
            }
        }
    } else {
        None
    };
    let unit = match unit {
        Some(u) => u,
        None => {
            let rest = &masked[end..];
            let next = rest.chars().next();
            if num.as_str() == "0" && sign.is_none() && next.is_some_and(is_cjk) {
                // 0严重缺陷, 0报错: zero of a thing
                Unit::Count
            } else if english_count(masked, start, end, num.as_str()) {
                Unit::Count
            } else {
                if class == Class::Measure {
                    class = Class::Bare;
                }
                Unit::Plain
            }
        }
    };

    let before = {
        let rest = masked[end..].trim_start();
        let head = tail(&masked[..start], 12).trim_end().to_lowercase();
        let from = head.ends_with('从')
            || head.ends_with('由')
            || head.ends_with(" from")
            || head == "from";
        lexicon::CHANGE_WORDS.iter().any(|w| rest.starts_with(w))
            || (from
                && (rest.starts_with("到") || rest.starts_with("至") || rest.starts_with("to ")))
    };
    Some(Token {
        start,
        end,
        value: Value {
            number,
            unit,
            decimals,
            cmp,
            raw: text[start..end].trim().to_string(),
        },
        class,
        before,
    })
}

enum UnitWord {
    Unit(Unit),
    Size,
}

fn unit_of(word: &str) -> UnitWord {
    let lower = word.to_ascii_lowercase();
    UnitWord::Unit(match lower.as_str() {
        "%" | "％" | "percent" => Unit::Percent,
        "µs" | "μs" | "微秒" | "us" | "microsecond" | "microseconds" => Unit::Micros,
        "毫秒" | "ms" | "msec" | "millisecond" | "milliseconds" => Unit::Millis,
        "秒钟" | "秒" | "s" | "sec" | "secs" | "second" | "seconds" => Unit::Seconds,
        "分钟" | "min" | "mins" | "minute" | "minutes" => Unit::Minutes,
        "个小时" | "小时" | "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Hours,
        "个工作日" | "工作日" | "天" | "day" | "days" => Unit::Days,
        "个星期" | "星期" | "周" | "week" | "weeks" | "wk" | "wks" => Unit::Weeks,
        "个月" | "month" | "months" => Unit::Months,
        "次/秒" | "/秒" | "/s" | "/sec" | "req/s" | "requests/s" | "rps" | "qps" | "tps" => {
            Unit::PerSecond
        }
        "倍" | "×" | "x" => Unit::Times,
        "字节" | "行" | "字" | "页" | "byte" | "bytes" | "kb" | "mb" | "gb" | "tb" | "kib"
        | "mib" | "gib" | "tib" | "line" | "lines" | "word" | "words" | "page" | "pages"
        | "loc" => return UnitWord::Size,
        _ => Unit::Count,
    })
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// `12 issues`: an integer, one blank, then an English word that is not a
/// linking word or a month — unless the number follows a capitalised name in
/// mid-clause (`Upgraded Vue 3 components`).
fn english_count(masked: &str, start: usize, end: usize, num: &str) -> bool {
    if num.contains('.') {
        return false;
    }
    let rest = &masked[end..];
    let Some(after) = rest.strip_prefix(' ') else {
        return false;
    };
    let word: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if word.len() < 2
        || lexicon::EN_EDGE_WORDS.contains(&word.as_str())
        || matches!(
            word.as_str(),
            "or" | "and" | "from" | "than" | "per" | "out"
        )
        || MONTHS.iter().any(|m| word.starts_with(m))
    {
        return false;
    }
    // the word before the number
    let head = masked[..start].trim_end_matches(' ');
    if head.len() == masked[..start].len() && !head.is_empty() {
        // glued to something other than a blank: the boundary checks decided already
        return true;
    }
    let prev_word: String = head
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if prev_word.starts_with(|c: char| c.is_ascii_uppercase()) {
        let before_word = head[..head.len() - prev_word.len()].trim_end();
        let initial = before_word.is_empty()
            || before_word.ends_with(|c: char| {
                matches!(
                    c,
                    ':' | '：' | ',' | '，' | ';' | '.' | '(' | '（' | '-' | '*' | '|'
                ) || crate::text::is_symbol(c)
            });
        return initial;
    }
    true
}

/// The first date (and time) written in `text`, normalised to `YYYY-MM-DD`
/// or `YYYY-MM-DDTHH:MM`; None when there is none or it is not a real date.
pub fn first_datetime(text: &str) -> Option<String> {
    for caps in DATETIME.captures_iter(text) {
        let (y, m, d) = if let Some(y) = caps.name("y") {
            (
                y.as_str().parse::<u32>().ok()?,
                caps.name("m")?.as_str().parse::<u32>().ok()?,
                caps.name("d")?.as_str().parse::<u32>().ok()?,
            )
        } else {
            let mon = caps.name("mon")?.as_str().to_ascii_lowercase();
            let m = MONTHS.iter().position(|x| mon.starts_with(x))? as u32 + 1;
            (
                caps.name("y2")?.as_str().parse::<u32>().ok()?,
                m,
                caps.name("d2")?.as_str().parse::<u32>().ok()?,
            )
        };
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            continue;
        }
        let mut out = format!("{y:04}-{m:02}-{d:02}");
        if let (Some(hh), Some(mm)) = (caps.name("hh"), caps.name("mm")) {
            let (hh, mm): (u32, u32) = (hh.as_str().parse().ok()?, mm.as_str().parse().ok()?);
            if hh < 24 && mm < 60 {
                out.push_str(&format!("T{hh:02}:{mm:02}"));
            }
        }
        return Some(out);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(text: &str) -> Vec<(String, Class, Unit, Cmp, f64, u8)> {
        let masked = mask(text, &[]);
        scan(text, &masked)
            .into_iter()
            .map(|t| {
                (
                    t.value.raw,
                    t.class,
                    t.value.unit,
                    t.value.cmp,
                    t.value.number,
                    t.value.decimals,
                )
            })
            .collect()
    }

    fn one(text: &str) -> (Class, Unit, Cmp, f64, u8) {
        let f = figures(text);
        assert_eq!(f.len(), 1, "{text:?} gave {f:?}");
        let (_, class, unit, cmp, n, d) = f[0].clone();
        (class, unit, cmp, n, d)
    }

    #[test]
    fn units_are_read_in_both_languages() {
        use Class::Measure as M;
        assert_eq!(one("覆盖率 90.4%"), (M, Unit::Percent, Cmp::Eq, 90.4, 1));
        assert_eq!(one("P99=201ms"), (M, Unit::Millis, Cmp::Eq, 201.0, 0));
        assert_eq!(one("耗时 1.80秒"), (M, Unit::Seconds, Cmp::Eq, 1.8, 2));
        assert_eq!(one("< 15分钟"), (M, Unit::Minutes, Cmp::Lt, 15.0, 0));
        assert_eq!(one("总耗时: 3小时"), (M, Unit::Hours, Cmp::Eq, 3.0, 0));
        assert_eq!(one("18 天内"), (M, Unit::Days, Cmp::Le, 18.0, 0));
        assert_eq!(one("1000+/s"), (M, Unit::PerSecond, Cmp::Ge, 1000.0, 0));
        assert_eq!(one("99.9%+"), (M, Unit::Percent, Cmp::Ge, 99.9, 1));
        assert_eq!(one("40×优于目标"), (M, Unit::Times, Cmp::Eq, 40.0, 0));
        assert_eq!(
            one("7.7/10"),
            (M, Unit::Score { out_of: 10 }, Cmp::Eq, 7.7, 1)
        );
        assert_eq!(
            one("96/100分"),
            (M, Unit::Score { out_of: 100 }, Cmp::Eq, 96.0, 0)
        );
        assert_eq!(one("0 个高危漏洞"), (M, Unit::Count, Cmp::Eq, 0.0, 0));
        assert_eq!(one("11,100+次"), (M, Unit::Count, Cmp::Ge, 11100.0, 0));
        assert_eq!(one("0严重缺陷"), (M, Unit::Count, Cmp::Eq, 0.0, 0));
        assert_eq!(
            one("p95 latency 180 ms"),
            (M, Unit::Millis, Cmp::Eq, 180.0, 0)
        );
        assert_eq!(one("took 2.5 hours"), (M, Unit::Hours, Cmp::Eq, 2.5, 1));
        assert_eq!(one("derive 439 µs"), (M, Unit::Micros, Cmp::Eq, 439.0, 0));
        assert_eq!(one("25.9 MiB at start").0, Class::Size);
        assert_eq!(
            one("0 high vulnerabilities"),
            (M, Unit::Count, Cmp::Eq, 0.0, 0)
        );
        assert_eq!(one("more than 95%"), (M, Unit::Percent, Cmp::Gt, 95.0, 0));
        assert_eq!(one("超过 90%"), (M, Unit::Percent, Cmp::Gt, 90.0, 0));
        assert_eq!(one("~11秒"), (M, Unit::Seconds, Cmp::Approx, 11.0, 0));
        assert_eq!(one("(-62%)"), (M, Unit::Percent, Cmp::Eq, -62.0, 0));
    }

    #[test]
    fn a_saving_is_not_an_approximation() {
        assert_eq!(one("节约 2%").2, Cmp::Eq);
        assert_eq!(one("，约8,000 个").2, Cmp::Approx);
    }

    #[test]
    fn sizes_ranges_and_limits_are_marked() {
        assert_eq!(one("319行").0, Class::Size);
        assert_eq!(one("12,456 字").0, Class::Size);
        assert_eq!(one("最多10次").0, Class::Limit);
        for text in ["5-10分钟", "预计时间: 2-3天", "1 ~ 2 周"] {
            let f = figures(text);
            assert!(
                !f.is_empty() && f.iter().all(|t| t.1 == Class::Range),
                "{text:?} gave {f:?}"
            );
        }
    }

    #[test]
    fn identifiers_dates_and_versions_are_not_figures() {
        for text in [
            "v1.0",
            "3.0.3",
            "M4-01",
            "WM-M4-20251102-001",
            "2025-11-02 18:00",
            "2025年11月2日",
            "10月15日",
            "周末凌晨 2:00-4:00",
            "e2e-test.sh",
            "HTTP/2",
            "7x24小时",
            "第1阶段",
            "https://example.com/v2/100%",
            "Nov 2, 2025",
            "x86",
        ] {
            let f: Vec<_> = figures(text)
                .into_iter()
                .filter(|t| t.1 != Class::Bare)
                .collect();
            assert!(f.is_empty(), "{text:?} gave {f:?}");
        }
    }

    #[test]
    fn a_product_name_with_a_number_is_not_a_count() {
        assert_eq!(one("Upgraded Vue 3 components").0, Class::Bare);
        assert_eq!(one("Vue 3 组件库搭建").0, Class::Bare);
        assert_eq!(one("Fixed 12 issues").1, Unit::Count);
        assert_eq!(one("5 sites").1, Unit::Count);
    }

    #[test]
    fn the_old_side_of_a_change_is_marked() {
        let masked = mask("5.0/10 → 10.0/10", &[]);
        let t = scan("5.0/10 → 10.0/10", &masked);
        assert!(t[0].before && !t[1].before);
        for text in [
            "从5.0/10提升到10.0/10",
            "rose from 84.1% to 88.2%",
            "从 3 次到 50 次",
        ] {
            let t = scan(text, &mask(text, &[]));
            assert!(t[0].before && !t[1].before, "{text:?}");
        }
    }

    #[test]
    fn dates_normalise_with_their_time() {
        assert_eq!(
            first_datetime("| 2025-11-02 14:30 |").as_deref(),
            Some("2025-11-02T14:30")
        );
        assert_eq!(
            first_datetime("部署时间: 2026-01-19 (实时完成)").as_deref(),
            Some("2026-01-19")
        );
        assert_eq!(
            first_datetime("2025年11月2日").as_deref(),
            Some("2025-11-02")
        );
        assert_eq!(
            first_datetime("done Nov 3, 2025").as_deref(),
            Some("2025-11-03")
        );
        assert_eq!(first_datetime("2025-13-40"), None);
    }
}
