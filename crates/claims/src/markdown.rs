//! Markdown → the lines and tables claims are read from (pulldown-cmark),
//! each with its context: the section it is in, whether it sits under a plan
//! or a to-do, whether the section is a sign-off section, and which block it
//! belongs to. Headings, tagged code, HTML and images give no lines.

use crate::lexicon;
use crate::text::{self, clean};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;
use std::rc::Rc;

/// Where a line or table sits.
#[derive(Clone, Debug, Default)]
pub struct Ctx {
    /// The nearest heading, cleaned.
    pub section: Option<Rc<str>>,
    /// Under a heading or lead-in announcing a plan, a suggestion, a procedure
    /// or pending work (rule 3).
    pub plan: bool,
    /// Under an unchecked item or a pending marker (rule 2).
    pub todo: bool,
    /// In a sign-off section.
    pub signoff: bool,
    /// The block (paragraph, list, blank-line group of a code block) the line
    /// is in: who signed applies within one.
    pub group: u32,
}

/// One logical line: a paragraph line, a list item's text, a line of an
/// untagged code block.
#[derive(Debug)]
pub struct LineIn {
    pub line: usize,
    pub text: String,
    /// Byte ranges of `text` that are inline code.
    pub masks: Vec<Range<usize>>,
    /// The task-list marker of the item this text leads, if any.
    pub checked: Option<bool>,
    /// From an untagged code block (raw text: bullets and boxes not parsed).
    pub from_code: bool,
    pub ctx: Ctx,
}

#[derive(Debug, Default, Clone)]
pub struct Cell {
    pub text: String,
    pub masks: Vec<Range<usize>>,
}

#[derive(Debug)]
pub struct RowIn {
    pub line: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug)]
pub struct TableIn {
    pub header: Vec<Cell>,
    pub rows: Vec<RowIn>,
    pub ctx: Ctx,
}

#[derive(Debug)]
pub enum Block {
    Line(LineIn),
    Table(TableIn),
}

/// A read document: its blocks, and the source for the claims' text.
pub struct Doc<'a> {
    pub source: &'a str,
    line_starts: Vec<usize>,
    pub blocks: Vec<Block>,
}

impl Doc<'_> {
    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|s| *s <= offset).max(1)
    }

    /// Line `n` (1-based) of the source, trimmed.
    pub fn source_line(&self, n: usize) -> &str {
        let Some(&start) = self.line_starts.get(n.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(n)
            .copied()
            .unwrap_or(self.source.len());
        self.source.get(start..end).unwrap_or("").trim()
    }
}

struct Heading {
    level: u8,
    text: Rc<str>,
    plan: bool,
    signoff: bool,
}

struct Item {
    checked: Option<bool>,
    todo: bool,
    /// The item's own first text has been emitted (the marker applies to it).
    led: bool,
}

#[derive(Default)]
struct Buf {
    text: String,
    masks: Vec<Range<usize>>,
    start: Option<usize>,
}

struct TableBuild {
    header: Vec<Cell>,
    rows: Vec<RowIn>,
    row: Vec<Cell>,
    row_line: usize,
    cell: Cell,
    ctx: Ctx,
}

struct Walker<'a> {
    doc: Doc<'a>,
    headings: Vec<Heading>,
    heading: Option<(u8, Buf)>,
    items: Vec<Item>,
    /// Plan flags of the open lists (from their lead-ins).
    lists: Vec<bool>,
    lead_in_plan: Option<bool>,
    buf: Buf,
    table: Option<TableBuild>,
    code: Option<bool>,
    image: u32,
    group: u32,
    block_depth: u32,
}

/// Reads `source` into lines and tables with their context.
pub fn read(source: &str) -> Doc<'_> {
    let mut line_starts = vec![0];
    line_starts.extend(
        source
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1),
    );
    let mut w = Walker {
        doc: Doc {
            source,
            line_starts,
            blocks: Vec::new(),
        },
        headings: Vec::new(),
        heading: None,
        items: Vec::new(),
        lists: Vec::new(),
        lead_in_plan: None,
        buf: Buf::default(),
        table: None,
        code: None,
        image: 0,
        group: 0,
        block_depth: 0,
    };
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
        w.event(event, range);
    }
    w.flush();
    w.doc
}

impl Walker<'_> {
    fn ctx(&self) -> Ctx {
        let item_todo = self.items.iter().any(|i| i.todo);
        let item_plan = self.lists.iter().any(|p| *p);
        Ctx {
            section: self.headings.last().map(|h| h.text.clone()),
            plan: self.headings.iter().any(|h| h.plan) || item_plan,
            todo: item_todo,
            signoff: self.headings.iter().any(|h| h.signoff),
            group: self.group,
        }
    }

    fn new_group_if_top(&mut self) {
        if self.items.is_empty() && self.block_depth == 0 {
            self.group += 1;
        }
    }

    /// Emits the pending line of running text, if any.
    fn flush(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        let Some(start) = buf.start else {
            return;
        };
        if buf.text.trim().is_empty() {
            return;
        }
        let checked = match self.items.last_mut() {
            Some(item) if !item.led => {
                item.led = true;
                item.checked
            }
            _ => None,
        };
        let line = self.doc.line_of(start);
        let ctx = self.ctx();
        // a line ending in ':' leads in the list that follows it (rule 3)
        let t = buf.text.trim_end();
        self.lead_in_plan = (t.ends_with(':') || t.ends_with('：')).then(|| is_plan(t));
        self.doc.blocks.push(Block::Line(LineIn {
            line,
            text: buf.text,
            masks: buf.masks,
            checked,
            from_code: false,
            ctx,
        }));
    }

    fn push_text(&mut self, t: &str, range: &Range<usize>, code: bool) {
        if self.image > 0 {
            return;
        }
        if let Some((_, buf)) = &mut self.heading {
            buf.text.push_str(t);
            return;
        }
        if let Some(table) = &mut self.table {
            let cell = &mut table.cell;
            let s = cell.text.len();
            cell.text.push_str(t);
            if code {
                cell.masks.push(s..cell.text.len());
            }
            return;
        }
        if self.buf.start.is_none() {
            self.buf.start = Some(range.start);
        }
        let s = self.buf.text.len();
        self.buf.text.push_str(t);
        if code {
            self.buf.masks.push(s..self.buf.text.len());
        }
    }

    fn code_text(&mut self, t: &str, range: &Range<usize>) {
        let first = self.doc.line_of(range.start);
        for (i, raw) in t.split('\n').enumerate() {
            let raw = raw.trim_end_matches('\r');
            if raw.trim().is_empty() {
                self.group += 1;
                continue;
            }
            let ctx = self.ctx();
            self.doc.blocks.push(Block::Line(LineIn {
                line: first + i,
                text: raw.to_string(),
                masks: Vec::new(),
                checked: None,
                from_code: true,
                ctx,
            }));
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => {
                if let Some(tagged) = self.code {
                    if !tagged && self.table.is_none() {
                        self.code_text(&t, &range);
                    }
                } else {
                    self.push_text(&t, &range, false);
                }
            }
            Event::Code(t) => self.push_text(&t, &range, true),
            Event::SoftBreak | Event::HardBreak => {
                if self.heading.is_some() || self.table.is_some() {
                    self.push_text(" ", &range, false);
                } else {
                    self.flush();
                }
            }
            Event::TaskListMarker(checked) => {
                if let Some(item) = self.items.last_mut() {
                    item.checked = Some(checked);
                    if !checked {
                        item.todo = true;
                    }
                }
            }
            Event::Rule => {
                self.flush();
                self.lead_in_plan = None;
            }
            // HTML, math and footnote references say nothing we read.
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush();
                self.lead_in_plan = None;
                self.heading = Some((level as u8, Buf::default()));
            }
            Tag::Paragraph => {
                self.flush();
                self.lead_in_plan = None;
                self.new_group_if_top();
            }
            Tag::List(_) => {
                self.flush();
                let plan = self.lead_in_plan.take().unwrap_or(false);
                self.new_group_if_top();
                self.lists.push(plan);
            }
            Tag::Item => {
                self.flush();
                let parent_todo = self.items.last().is_some_and(|i| i.todo);
                self.items.push(Item {
                    checked: None,
                    todo: parent_todo,
                    led: false,
                });
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                self.lead_in_plan = None;
                self.new_group_if_top();
                let tagged = match kind {
                    CodeBlockKind::Fenced(info) => !info.trim().is_empty(),
                    CodeBlockKind::Indented => true,
                };
                self.code = Some(tagged);
            }
            Tag::Table(_) => {
                self.flush();
                self.lead_in_plan = None;
                self.new_group_if_top();
                let ctx = self.ctx();
                self.table = Some(TableBuild {
                    header: Vec::new(),
                    rows: Vec::new(),
                    row: Vec::new(),
                    row_line: self.doc.line_of(range.start),
                    cell: Cell::default(),
                    ctx,
                });
            }
            Tag::TableHead | Tag::TableRow => {
                let line = self.doc.line_of(range.start);
                if let Some(t) = &mut self.table {
                    t.row.clear();
                    t.row_line = line;
                }
            }
            Tag::TableCell => {
                if let Some(t) = &mut self.table {
                    t.cell = Cell::default();
                }
            }
            Tag::Image { .. } => self.image += 1,
            Tag::BlockQuote(_)
            | Tag::HtmlBlock
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList => {
                self.flush();
                self.lead_in_plan = None;
                self.new_group_if_top();
                self.block_depth += 1;
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                if let Some((level, buf)) = self.heading.take() {
                    let title = clean(&buf.text);
                    let title = text::cut(&title, 120);
                    self.headings.retain(|h| h.level < level);
                    self.headings.push(Heading {
                        level,
                        plan: is_plan(&title),
                        signoff: lexicon::has_word(
                            &title,
                            lexicon::SIGNOFF_WORDS_ZH,
                            lexicon::SIGNOFF_WORDS_EN,
                        ),
                        text: Rc::from(title),
                    });
                }
            }
            TagEnd::Paragraph => self.flush(),
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                self.lead_in_plan = None;
            }
            TagEnd::Item => {
                self.flush();
                self.items.pop();
            }
            TagEnd::CodeBlock => {
                self.code = None;
                self.group += 1;
            }
            TagEnd::TableCell => {
                if let Some(t) = &mut self.table {
                    let cell = std::mem::take(&mut t.cell);
                    t.row.push(cell);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.header = std::mem::take(&mut t.row);
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    let cells = std::mem::take(&mut t.row);
                    t.rows.push(RowIn {
                        line: t.row_line,
                        cells,
                    });
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.doc.blocks.push(Block::Table(TableIn {
                        header: t.header,
                        rows: t.rows,
                        ctx: t.ctx,
                    }));
                }
            }
            TagEnd::Image => self.image = self.image.saturating_sub(1),
            TagEnd::BlockQuote(_)
            | TagEnd::HtmlBlock
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList => {
                self.flush();
                self.block_depth = self.block_depth.saturating_sub(1);
            }
            _ => {}
        }
    }
}

/// True when a heading or lead-in announces a plan, a suggestion, a
/// procedure or pending work (rule 3).
pub fn is_plan(title: &str) -> bool {
    lexicon::has_word(title, lexicon::PLAN_WORDS_ZH, lexicon::PLAN_WORDS_EN)
}
