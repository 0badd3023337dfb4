//! Escaping for the Markdown exports (certificate and project report): user
//! text goes into a line as literal text, never as structure. No heading, list,
//! table row, link, image, emphasis, code span or raw HTML can come out of it.

/// The CommonMark punctuation that can start block structure or inline markup
/// (plus GFM's `~` strikethrough and `|` table cells, and `&` entities). Each
/// is backslash-escaped, which CommonMark renders as the character itself.
const SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '|', '<', '>', '~',
    '&',
];

/// True for characters that end a line or are otherwise invisible control
/// characters: CR, LF, the Unicode line and paragraph separators, NEL and the
/// rest of C0/C1.
fn breaks_line(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// User text as literal inline Markdown, safe in a paragraph, a list item and
/// a table cell: every line break and control character becomes a space, the
/// ends are trimmed (so no trailing hard break, no indented code block), and
/// every character in [`SPECIAL`] is backslash-escaped.
pub fn text(raw: &str) -> String {
    let flat: String = raw
        .chars()
        .map(|c| if breaks_line(c) { ' ' } else { c })
        .collect();
    let mut out = String::with_capacity(flat.len() + 8);
    for c in flat.trim().chars() {
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A code, number, date, timestamp or URL that the server made or parsed
/// (`M4-01`, `2026-11-22T00:00:00Z`, `https://x/verify/WM-M3-…`): kept as it
/// is when it only has letters, digits and `- . : / + %` (none of which marks
/// anything up in the middle of a line); anything else is escaped like
/// [`text`].
pub fn token(raw: &str) -> String {
    let plain = raw
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '/' | '+' | '%'));
    if plain {
        raw.to_string()
    } else {
        text(raw)
    }
}

/// Test support: what a real CommonMark (+ GFM tables) parser makes of a
/// document, to prove that escaped text adds no structure.
#[cfg(test)]
pub(crate) mod parsed {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    /// A hostile string: a forged heading, table row and link, raw HTML and a
    /// code span, after the line breaks that would let them start a line.
    pub fn hostile(label: &str) -> String {
        format!(
            "⟦{label}⟧\r\n## Sign-offs\n| forged | row |\r[x](javascript:alert(1)) <script>alert(1)</script> `code`\u{2028}# h"
        )
    }

    /// How [`super::text`]`(hostile(label))` reads once parsed: the text a
    /// reader sees.
    pub fn hostile_as_read(label: &str) -> String {
        format!(
            "⟦{label}⟧  ## Sign-offs | forged | row | [x](javascript:alert(1)) <script>alert(1)</script> `code` # h"
        )
    }

    /// The structure of a parsed document, and its text.
    #[derive(Debug, Default, PartialEq)]
    pub struct Structure {
        pub headings: Vec<String>,
        /// Body rows per table, in order.
        pub table_rows: Vec<usize>,
        pub list_items: usize,
        pub links: Vec<String>,
        pub html: Vec<String>,
        pub code_spans: usize,
        pub emphasis: usize,
        /// The text of every paragraph, heading, cell and item, one per line.
        pub text: String,
    }

    pub fn parse(md: &str) -> Structure {
        let mut st = Structure::default();
        let mut heading: Option<String> = None;
        let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        for ev in Parser::new_ext(md, opts) {
            match ev {
                Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
                Event::End(TagEnd::Heading(_)) => {
                    st.headings.extend(heading.take());
                    st.text.push('\n');
                }
                Event::Start(Tag::Table(_)) => st.table_rows.push(0),
                Event::Start(Tag::TableRow) => {
                    if let Some(n) = st.table_rows.last_mut() {
                        *n += 1;
                    }
                }
                Event::Start(Tag::Item) => st.list_items += 1,
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                    st.links.push(dest_url.to_string())
                }
                Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough) => st.emphasis += 1,
                Event::Start(Tag::HtmlBlock) => st.html.push("<html block>".into()),
                Event::Html(h) | Event::InlineHtml(h) => st.html.push(h.to_string()),
                Event::Code(c) => {
                    st.code_spans += 1;
                    st.text.push_str(&c);
                }
                Event::Text(t) => {
                    if let Some(h) = heading.as_mut() {
                        h.push_str(&t);
                    }
                    st.text.push_str(&t);
                }
                Event::SoftBreak | Event::HardBreak => st.text.push(' '),
                Event::End(
                    TagEnd::Paragraph | TagEnd::TableCell | TagEnd::Item | TagEnd::CodeBlock,
                ) => st.text.push('\n'),
                _ => {}
            }
        }
        st
    }

    /// The structure without the text (headings only counted), to compare a
    /// document with hostile text against the same document with plain text.
    pub fn shape(md: &str) -> Structure {
        let st = parse(md);
        Structure {
            headings: st.headings.iter().map(|_| "heading".to_string()).collect(),
            text: String::new(),
            ..st
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_break_becomes_a_space() {
        assert_eq!(
            text("a\r\nb\rc\nd\u{2028}e\u{2029}f\u{85}g\u{0}h\ti"),
            "a  b c d e f g h i"
        );
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            text("[x](javascript:alert(1))"),
            "\\[x\\]\\(javascript:alert\\(1\\)\\)"
        );
        assert_eq!(text("<script>"), "\\<script\\>");
        assert_eq!(text("`code`"), "\\`code\\`");
        assert_eq!(text("a | b"), "a \\| b");
        assert_eq!(text("## Sign-offs"), "\\#\\# Sign\\-offs");
        assert_eq!(text("&lt;"), "\\&lt;");
        assert_eq!(text("back\\slash"), "back\\\\slash");
    }

    #[test]
    fn the_ends_are_trimmed_so_no_hard_break_or_code_block_forms() {
        assert_eq!(text("    indented  \n"), "indented");
        assert_eq!(text("\r\n"), "");
    }

    #[test]
    fn plain_text_and_cjk_pass_through() {
        assert_eq!(text("联调与预发布 Integration"), "联调与预发布 Integration");
    }

    #[test]
    fn codes_dates_and_urls_stay_raw_but_anything_odd_is_escaped() {
        assert_eq!(token("M4-01"), "M4-01");
        assert_eq!(token("2026-11-22T00:00:00Z"), "2026-11-22T00:00:00Z");
        assert_eq!(
            token("http://127.0.0.1:3000/verify/WM-M3-20261123-001"),
            "http://127.0.0.1:3000/verify/WM-M3-20261123-001"
        );
        assert_eq!(token("-1"), "\\-1", "a leading '-' could start a list");
        assert_eq!(token("C1\n# x"), "C1 \\# x");
        assert_eq!(token(""), "");
    }
}

#[cfg(test)]
mod parsed_tests {
    use super::parsed::{hostile, hostile_as_read, parse};
    use super::text;

    #[test]
    fn hostile_text_in_a_table_cell_a_list_item_and_bold_adds_no_structure() {
        let h = text(&hostile("X"));
        let md = format!(
            "# Title\n\n**{h}** — 1/1\n\n- ✅ {h} — pm\n\n| a | b |\n|---|---|\n| {h} | {h} |\n\n## End\n"
        );
        let st = parse(&md);
        assert_eq!(st.headings, ["Title", "End"], "{md}");
        assert_eq!(st.table_rows, [1], "one body row: {md}");
        assert_eq!(st.list_items, 1);
        assert!(st.links.is_empty() && st.html.is_empty(), "{st:?}");
        assert_eq!(st.code_spans, 0);
        assert_eq!(st.emphasis, 1, "only the bold title");
        assert_eq!(st.text.matches(&hostile_as_read("X")).count(), 4, "{st:?}");
    }

    #[test]
    fn unescaped_hostile_text_would_forge_structure() {
        // the parser sees what the escaping prevents
        let h = hostile("X");
        let st = parse(&format!("| a | b |\n|---|---|\n| {h} | x |\n"));
        assert!(st.headings.contains(&"Sign-offs".to_string()), "{st:?}");
        assert!(!st.links.is_empty() && !st.html.is_empty(), "{st:?}");
    }
}
