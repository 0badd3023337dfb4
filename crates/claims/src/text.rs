//! Text helpers: which characters are decoration (emoji, box drawing,
//! progress bars), cleaning a subject, and normalising text for matching.

use crate::lexicon;

/// Emoji, pictographs, dingbats, arrows, box drawing, block elements and
/// their joiners: decoration, never part of a subject.
pub fn is_symbol(c: char) -> bool {
    matches!(c as u32,
        0x2190..=0x21FF      // arrows
        | 0x2300..=0x23FF    // misc technical (⏱ ⏳)
        | 0x2460..=0x24FF    // enclosed alphanumerics
        | 0x2500..=0x25FF    // box drawing, blocks (█), geometric shapes (▶ ■)
        | 0x2600..=0x27BF    // misc symbols (⚠ ⚡), dingbats (✅ ✔)
        | 0x2B00..=0x2BFF    // ⭐ ⬆
        | 0x1F000..=0x1FAFF  // emoji
        | 0xFE00..=0xFE0F    // variation selectors
        | 0x200B..=0x200D    // zero-width space, joiners
        | 0x20E3             // keycap
        | 0xFFFD             // replacement character (NULs and bad bytes)
    ) || (c.is_control() && c != '\n' && c != '\t')
}

/// Box drawing and block elements: drawn boxes and progress bars, replaced by
/// spaces before a line is read.
pub fn is_drawing(c: char) -> bool {
    matches!(c as u32, 0x2500..=0x259F)
}

fn is_edge_punct(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ':' | '：'
                | ','
                | '，'
                | ';'
                | '；'
                | '。'
                | '.'
                | '!'
                | '！'
                | '?'
                | '？'
                | '、'
                | '-'
                | '–'
                | '—'
                | '='
                | '|'
                | '<'
                | '>'
                | '~'
                | '～'
                | '"'
                | '\''
                | '“'
                | '”'
                | '‘'
                | '’'
                | '…'
                | '*'
                | '#'
                | '+'
                | '/'
                | '\\'
                | '_'
                | '·'
                | '•'
        )
}

fn closing_of(open: char) -> Option<char> {
    Some(match open {
        '(' => ')',
        '（' => '）',
        '[' => ']',
        '【' => '】',
        '《' => '》',
        '{' => '}',
        '「' => '」',
        _ => return None,
    })
}

fn opening_of(close: char) -> Option<char> {
    Some(match close {
        ')' => '(',
        '）' => '（',
        ']' => '[',
        '】' => '【',
        '》' => '《',
        '}' => '{',
        '」' => '「',
        _ => return None,
    })
}

const BRACKETS: [(char, char); 7] = [
    ('(', ')'),
    ('（', '）'),
    ('[', ']'),
    ('【', '】'),
    ('《', '》'),
    ('{', '}'),
    ('「', '」'),
];

/// Trims punctuation and blanks from both ends; a bracket stays when its
/// partner is inside the text ("测试 (60+验证点)" keeps its ")"). Linear: the
/// brackets inside are counted once and recounted as the ends move.
pub fn trim_edges(s: &str) -> &str {
    let idx: Vec<(usize, char)> = s.char_indices().collect();
    let (mut i, mut j) = (0, idx.len());
    let mut opens = [0usize; BRACKETS.len()];
    let mut closes = [0usize; BRACKETS.len()];
    for &(_, c) in &idx {
        if let Some(k) = BRACKETS.iter().position(|b| b.0 == c) {
            opens[k] += 1;
        } else if let Some(k) = BRACKETS.iter().position(|b| b.1 == c) {
            closes[k] += 1;
        }
    }
    loop {
        let mut changed = false;
        if i < j {
            let c = idx[i].1;
            let drop = if let Some(k) = BRACKETS.iter().position(|b| b.0 == c) {
                let drop = closes[k] == 0;
                if drop {
                    opens[k] -= 1;
                }
                drop
            } else if let Some(k) = BRACKETS.iter().position(|b| b.1 == c) {
                closes[k] -= 1;
                true
            } else if c == '.'
                && idx
                    .get(i + 1)
                    .is_some_and(|n| i + 1 < j && n.1.is_alphanumeric())
            {
                // a dotfile: .env.example
                false
            } else {
                is_edge_punct(c)
            };
            if drop {
                i += 1;
                changed = true;
            }
        }
        if i < j {
            let c = idx[j - 1].1;
            let drop = if let Some(k) = BRACKETS.iter().position(|b| b.1 == c) {
                let drop = opens[k] == 0;
                if drop {
                    closes[k] -= 1;
                }
                drop
            } else if let Some(k) = BRACKETS.iter().position(|b| b.0 == c) {
                opens[k] -= 1;
                true
            } else {
                is_edge_punct(c)
            };
            if drop {
                j -= 1;
                changed = true;
            }
        }
        if !changed || i >= j {
            break;
        }
    }
    if i >= j {
        return "";
    }
    let from = idx[i].0;
    let to = idx.get(j).map_or(s.len(), |(b, _)| *b);
    &s[from..to]
}

/// The most characters `clean` reads: subjects are short, and a 1 MB line
/// must not cost more than a short one.
const CLEAN_MAX: usize = 1_000;

/// Removes decoration and markdown marks, collapses blanks, trims the edges.
pub fn clean(s: &str) -> String {
    let s = match s.char_indices().nth(CLEAN_MAX) {
        Some((i, _)) => &s[..i],
        None => s,
    };
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for c in s.chars() {
        if c == '*' || c == '`' {
            continue;
        }
        // decoration separates words: "HTTP→HTTPS" is two
        if c.is_whitespace() || is_symbol(c) {
            blank = true;
            continue;
        }
        if blank && !out.is_empty() {
            out.push(' ');
        }
        blank = false;
        out.push(c);
    }
    trim_edges(&out).to_string()
}

/// `clean`, with brackets turned into blanks: "M0 (基座就绪)" → "M0 基座就绪".
pub fn clean_flat(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| {
            if closing_of(c).is_some() || opening_of(c).is_some() {
                ' '
            } else {
                c
            }
        })
        .collect();
    clean(&flat)
}

/// The words around a figure, cleaned: `clean`, then change words and
/// particles dropped from the edges ("的系统可用性" → "系统可用性").
pub fn clean_words(s: &str) -> String {
    let mut s = clean(s);
    loop {
        let before = s.len();
        for w in lexicon::CHANGE_WORDS.iter().chain(lexicon::FROM_WORDS) {
            if let Some(rest) = s.strip_prefix(w) {
                s = rest.to_string();
            }
            if let Some(rest) = s.strip_suffix(w) {
                s = rest.to_string();
            }
        }
        for p in lexicon::LEADING_PARTICLES {
            if let Some(rest) = s.strip_prefix(p) {
                s = rest.to_string();
            }
        }
        for p in lexicon::TRAILING_PARTICLES {
            if let Some(rest) = s.strip_suffix(p) {
                s = rest.to_string();
            }
        }
        strip_en_edge_words(&mut s);
        s = trim_edges(&s).to_string();
        if s.len() == before {
            return s;
        }
    }
}

fn strip_en_edge_words(s: &mut String) {
    let lower = s.to_ascii_lowercase();
    if lexicon::EN_EDGE_WORDS.contains(&lower.as_str()) || lower == "from" {
        s.clear();
        return;
    }
    for w in lexicon::EN_EDGE_WORDS.iter().chain(&["from"]) {
        let lower = s.to_ascii_lowercase();
        if lower.starts_with(w) && lower[w.len()..].starts_with(' ') {
            *s = s[w.len() + 1..].to_string();
        }
        let lower = s.to_ascii_lowercase();
        if lower.ends_with(w)
            && lower.len() > w.len()
            && lower[..lower.len() - w.len()].ends_with(' ')
        {
            *s = s[..s.len() - w.len() - 1].to_string();
        }
    }
}

/// Joins the non-empty parts with single blanks.
pub fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text for matching: full-width folded, lower case, only letters, digits and
/// CJK kept ("API 测试覆盖率！" → "api测试覆盖率").
pub fn normalise(s: &str) -> String {
    s.chars()
        .map(fold_width)
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric() && !is_symbol(*c))
        .collect()
}

/// Like `normalise`, but keeps single blanks between words (for English
/// fragments such as "line coverage").
pub fn normalise_spaced(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for c in s.chars().map(fold_width).flat_map(char::to_lowercase) {
        if c.is_alphanumeric() && !is_symbol(c) {
            if blank && !out.is_empty() {
                out.push(' ');
            }
            blank = false;
            out.push(c);
        } else {
            blank = true;
        }
    }
    out
}

/// Full-width ASCII (Ａ, ％, ０) and the ideographic space folded to ASCII.
pub fn fold_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// True for a CJK ideograph.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// At most `max` characters of `s`, cut on a character boundary.
pub fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_drops_emoji_and_markdown_but_keeps_balanced_brackets() {
        assert_eq!(clean("**📅 按时交付率**"), "按时交付率");
        assert_eq!(
            clean("✅ 完整的4阶段测试 (60+验证点)"),
            "完整的4阶段测试 (60+验证点)"
        );
        assert_eq!(clean("（目标"), "目标");
        assert_eq!(clean_flat("M0 (基座就绪) ████ "), "M0 基座就绪");
        assert_eq!(clean("HTTP→HTTPS自动跳转"), "HTTP HTTPS自动跳转");
        assert_eq!(clean("✅ `.env.example`"), ".env.example");
    }

    #[test]
    fn words_lose_particles_and_change_words_at_their_edges() {
        assert_eq!(clean_words("的系统可用性"), "系统可用性");
        assert_eq!(clean_words("的开发周期中"), "开发周期");
        assert_eq!(clean_words("提升到"), "");
        assert_eq!(clean_words("p95 latency of"), "p95 latency");
    }

    #[test]
    fn normalising_folds_width_case_and_punctuation() {
        assert_eq!(normalise("ＡＰＩ 测试覆盖率！"), "api测试覆盖率");
        assert_eq!(normalise_spaced("Line-Coverage (%)"), "line coverage");
    }
}
