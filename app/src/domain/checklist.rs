//! Checklist input: sections of items (which may nest: a parent is ticked
//! when its children are), the plain-text form PMs type (`# Section`
//! headings, one item per line, `[evidence]` to require a file), and a
//! checklist template's body with its Markdown form ([`render`]; read back
//! by `ssr::templates::markdown::import`).

use super::criterion::Op;
use super::markdown;
use super::views::ItemView;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How deep items may nest (a parent, its children, theirs).
pub const MAX_DEPTH: usize = 3;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewChecklist {
    pub title: String,
    #[serde(default)]
    pub sections: Vec<NewSection>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewSection {
    #[serde(default)]
    pub title: String,
    pub items: Vec<NewItem>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewItem {
    pub text: String,
    #[serde(default)]
    pub requires_evidence: bool,
    /// Items under this one: it is then ticked when they all are, never by
    /// hand, and `requires_evidence` applies to them, not to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ssr", schema(no_recursion))]
    pub children: Vec<NewItem>,
}

/// One item of a [`NewChecklist`] in the order it is stored: depth first,
/// with the index of its parent in the same list.
#[derive(Clone, Debug, PartialEq)]
pub struct FlatItem<'a> {
    pub section: &'a str,
    pub text: &'a str,
    pub requires_evidence: bool,
    pub parent: Option<usize>,
    pub depth: usize,
}

impl NewChecklist {
    /// Every item, parents before their children.
    pub fn flatten(&self) -> Vec<FlatItem<'_>> {
        fn walk<'a>(
            out: &mut Vec<FlatItem<'a>>,
            section: &'a str,
            items: &'a [NewItem],
            parent: Option<usize>,
            depth: usize,
        ) {
            for item in items {
                let at = out.len();
                out.push(FlatItem {
                    section,
                    text: &item.text,
                    requires_evidence: item.requires_evidence && item.children.is_empty(),
                    parent,
                    depth,
                });
                walk(out, section, &item.children, Some(at), depth + 1);
            }
        }
        let mut out = Vec::new();
        for s in &self.sections {
            walk(&mut out, &s.title, &s.items, None, 1);
        }
        out
    }

    /// The text of the first item nested deeper than [`MAX_DEPTH`].
    pub fn too_deep(&self) -> Option<&str> {
        self.flatten()
            .into_iter()
            .find(|i| i.depth > MAX_DEPTH)
            .map(|i| i.text)
    }
}

/// A default criterion of a template: copied into a milestone (with the
/// next free code) when the template is applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateCriterion {
    pub title: String,
    pub metric: String,
    pub op: Op,
    pub target: f64,
}

/// What a checklist template holds: the checklist it copies into a
/// milestone and its default criteria.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateBody {
    pub checklist: NewChecklist,
    #[serde(default)]
    pub criteria: Vec<TemplateCriterion>,
}

/// A checklist template as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateSummary {
    pub slug: String,
    /// `project` (the project's own) or `library` (the installation's)
    pub scope: String,
    pub title: String,
    pub lang: String,
    pub builtin: bool,
    /// the newest version
    pub version: i64,
    pub items: u32,
    pub criteria: u32,
    pub updated_at: String,
    pub updated_by: Option<String>,
}

/// A template's version with what it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateView {
    pub summary: TemplateSummary,
    /// the version `body` is (the newest unless asked for another)
    pub version: i64,
    pub body: TemplateBody,
}

/// The templates page of a project: its own templates and the library's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplatesPage {
    pub project: super::views::ProjectHead,
    pub rights: super::views::Rights,
    pub templates: Vec<TemplateSummary>,
}

/// The heading [`render`] puts over the criteria, per template language.
pub fn criteria_heading(lang: &str) -> &'static str {
    if lang.starts_with("zh") {
        "验收标准"
    } else {
        "Acceptance criteria"
    }
}

/// A template as Markdown in the playbooks' shape: `#` title, `###`
/// sections, `- [ ]` items indented under their parent (parents in bold),
/// `[evidence]` on items that need a file, the criteria as
/// `` - `metric op target` title `` under [`criteria_heading`].
pub fn render(body: &TemplateBody, lang: &str) -> String {
    fn items(out: &mut String, list: &[NewItem], depth: usize) {
        for i in list {
            let text = markdown::text(&i.text);
            out.push_str(&"  ".repeat(depth));
            if i.children.is_empty() {
                out.push_str(&format!("- [ ] {text}"));
                if i.requires_evidence {
                    out.push_str(" [evidence]");
                }
            } else {
                out.push_str(&format!("- [ ] **{text}**"));
            }
            out.push('\n');
            items(out, &i.children, depth + 1);
        }
    }
    let mut out = format!("# {}\n", markdown::text(&body.checklist.title));
    for s in &body.checklist.sections {
        out.push('\n');
        if !s.title.is_empty() {
            out.push_str(&format!("### {}\n\n", markdown::text(&s.title)));
        }
        items(&mut out, &s.items, 0);
    }
    if !body.criteria.is_empty() {
        out.push_str(&format!("\n## {}\n\n", criteria_heading(lang)));
        for c in &body.criteria {
            out.push_str(&format!(
                "- `{} {} {}` {}\n",
                c.metric,
                c.op.as_str(),
                c.target,
                markdown::text(&c.title)
            ));
        }
    }
    out
}

/// Derives the ticks of items that have children, in place: such an item
/// is ticked exactly when every item under it is (deepest first, so a
/// grandparent follows its children's derived state); its `ticked_at` is
/// then the latest of theirs, `ticked_by` stays empty (nobody ticked it),
/// and an untick underneath unticks it again. `children` is counted here.
/// Items arrive parents before children (their stored order).
pub fn derive_parents(items: &mut [ItemView]) {
    let at: HashMap<i64, usize> = items.iter().enumerate().map(|(n, i)| (i.id, n)).collect();
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (n, i) in items.iter().enumerate() {
        if let Some(&p) = i.parent.and_then(|p| at.get(&p)) {
            kids[p].push(n);
        }
    }
    // stored order puts children after their parent, so one backward walk
    // settles every child before the parent that reads it; the walk is
    // repeated once per level anyway, so no order of rows can leave a
    // parent reading a child not yet settled
    for n in (0..items.len()).rev().cycle().take(items.len() * MAX_DEPTH) {
        if kids[n].is_empty() {
            continue;
        }
        let all = kids[n].iter().all(|&k| items[k].ticked_at.is_some());
        let last = kids[n]
            .iter()
            .filter_map(|&k| items[k].ticked_at.clone())
            .max();
        let item = &mut items[n];
        item.children = kids[n].len() as u32;
        item.ticked_by = None;
        item.ticked_at = if all { last } else { None };
    }
}

/// The order of a checklist's items (`(id, parent, section)` in stored
/// order: each parent followed by all of its descendants) after moving
/// item `index` one place up or down among its siblings — same parent, same
/// section — each taking its whole subtree along. Also returns the index of
/// the sibling it swapped with. `None` when there is no sibling that way.
pub fn move_among_siblings(
    rows: &[(i64, Option<i64>, &str)],
    index: usize,
    up: bool,
) -> Option<(Vec<i64>, usize)> {
    let parent: HashMap<i64, Option<i64>> = rows.iter().map(|r| (r.0, r.1)).collect();
    let under = |item: i64, ancestor: i64| {
        let mut at = parent.get(&item).copied().flatten();
        for _ in 0..=MAX_DEPTH {
            match at {
                Some(a) if a == ancestor => return true,
                Some(a) => at = parent.get(&a).copied().flatten(),
                None => return false,
            }
        }
        false
    };
    // the block [start, end) a subtree takes
    let end_of = |start: usize| {
        (start + 1..rows.len())
            .find(|&j| !under(rows[j].0, rows[start].0))
            .unwrap_or(rows.len())
    };
    let sibling = |j: usize| rows[j].1 == rows[index].1 && rows[j].2 == rows[index].2;
    let (first, second) = if up {
        let other = (0..index)
            .rev()
            .find(|&j| sibling(j) && end_of(j) == index)?;
        (other, index)
    } else {
        let next = end_of(index);
        (next < rows.len() && sibling(next)).then_some(())?;
        (index, next)
    };
    let (mid, last) = (end_of(first), end_of(second));
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut order = ids[..first].to_vec();
    order.extend_from_slice(&ids[second..last]);
    order.extend_from_slice(&ids[first..mid]);
    order.extend_from_slice(&ids[last..]);
    Some((order, if up { first } else { second }))
}

/// Reads the text form into sections. Blank lines are ignored; items before
/// the first heading go into an untitled section.
pub fn parse_checklist_text(text: &str) -> Vec<NewSection> {
    let mut sections: Vec<NewSection> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(heading) = line.strip_prefix('#') {
            sections.push(NewSection {
                title: heading.trim_start_matches('#').trim().to_string(),
                items: Vec::new(),
            });
            continue;
        }
        let line = line.trim_start_matches(['-', '*']).trim();
        let (text, requires_evidence) = match line.strip_suffix("[evidence]") {
            Some(rest) => (rest.trim(), true),
            None => (line, false),
        };
        if sections.is_empty() {
            sections.push(NewSection::default());
        }
        if let Some(s) = sections.last_mut() {
            s.items.push(NewItem {
                text: text.to_string(),
                requires_evidence,
                children: Vec::new(),
            });
        }
    }
    sections.retain(|s| !s.items.is_empty());
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_start_sections_and_evidence_marks_items() {
        let s = parse_checklist_text("Release notes\n\n# Database\n- Backup verified [evidence]\n* Migrations reviewed\n# Empty\n");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].title, "");
        assert_eq!(s[0].items[0].text, "Release notes");
        assert_eq!(s[1].title, "Database");
        assert_eq!(
            s[1].items[0],
            NewItem {
                text: "Backup verified".into(),
                requires_evidence: true,
                children: vec![],
            }
        );
        assert_eq!(
            s[1].items[1],
            NewItem {
                text: "Migrations reviewed".into(),
                requires_evidence: false,
                children: vec![],
            }
        );
    }

    fn item(id: i64, parent: Option<i64>, at: Option<&str>) -> ItemView {
        ItemView {
            id,
            section: String::new(),
            text: format!("item {id}"),
            requires_evidence: false,
            evidence_count: 0,
            ticked_by: at.map(|_| "eng".into()),
            ticked_at: at.map(Into::into),
            version: 1,
            parent,
            children: 0,
        }
    }

    #[test]
    fn a_parent_is_ticked_exactly_when_all_its_children_are() {
        // 1 ─ 2 ─ 3, 4 ; 5 (alone)
        let mut items = vec![
            item(1, None, None),
            item(2, Some(1), None),
            item(3, Some(2), Some("2026-01-02T00:00:00Z")),
            item(4, Some(2), Some("2026-01-03T00:00:00Z")),
            item(5, None, Some("2026-01-01T00:00:00Z")),
        ];
        derive_parents(&mut items);
        assert_eq!(items[1].ticked_at.as_deref(), Some("2026-01-03T00:00:00Z"));
        assert_eq!(items[1].ticked_by, None);
        assert_eq!(items[1].children, 2);
        // the grandparent follows its child's derived tick
        assert_eq!(items[0].ticked_at.as_deref(), Some("2026-01-03T00:00:00Z"));
        assert_eq!(items[0].children, 1);
        assert_eq!(items[4].ticked_by.as_deref(), Some("eng"));
        // one child unticked: both ancestors are unticked again
        items[3].ticked_at = None;
        derive_parents(&mut items);
        assert_eq!(items[1].ticked_at, None);
        assert_eq!(items[0].ticked_at, None);
    }

    #[test]
    fn the_order_of_the_rows_does_not_change_the_result() {
        let mut items = vec![
            item(3, Some(2), Some("2026-01-02T00:00:00Z")),
            item(2, Some(1), None),
            item(1, None, None),
        ];
        derive_parents(&mut items);
        assert_eq!(items[2].ticked_at.as_deref(), Some("2026-01-02T00:00:00Z"));
    }

    #[test]
    fn a_stray_tick_stored_on_a_parent_does_not_count() {
        let mut items = vec![
            item(1, None, Some("2026-01-01T00:00:00Z")),
            item(2, Some(1), None),
        ];
        derive_parents(&mut items);
        assert_eq!(items[0].ticked_at, None);
        assert_eq!(items[0].ticked_by, None);
    }

    #[test]
    fn flatten_puts_parents_before_children_and_evidence_only_on_leaves() {
        let c = NewChecklist {
            title: "t".into(),
            sections: vec![NewSection {
                title: "S".into(),
                items: vec![NewItem {
                    text: "parent".into(),
                    requires_evidence: true,
                    children: vec![
                        NewItem {
                            text: "a".into(),
                            requires_evidence: true,
                            children: vec![],
                        },
                        NewItem {
                            text: "b".into(),
                            requires_evidence: false,
                            children: vec![],
                        },
                    ],
                }],
            }],
        };
        let f = c.flatten();
        assert_eq!(
            f.iter()
                .map(|i| (i.text, i.parent, i.depth, i.requires_evidence))
                .collect::<Vec<_>>(),
            vec![
                ("parent", None, 1, false),
                ("a", Some(0), 2, true),
                ("b", Some(0), 2, false)
            ]
        );
        assert_eq!(c.too_deep(), None);
    }

    #[test]
    fn an_item_moves_past_its_sibling_with_its_whole_subtree() {
        // a(1) [b(2), c(3) [d(4)]], e(5) ; f(6) in another section
        let rows = [
            (1, None, "S"),
            (2, Some(1), "S"),
            (3, Some(1), "S"),
            (4, Some(3), "S"),
            (5, None, "S"),
            (6, None, "T"),
        ];
        // c (with d) up past b
        assert_eq!(
            move_among_siblings(&rows, 2, true),
            Some((vec![1, 3, 4, 2, 5, 6], 1))
        );
        // a (with b, c, d) down past e
        assert_eq!(
            move_among_siblings(&rows, 0, false),
            Some((vec![5, 1, 2, 3, 4, 6], 4))
        );
        // e up past a's whole subtree
        assert_eq!(
            move_among_siblings(&rows, 4, true),
            Some((vec![5, 1, 2, 3, 4, 6], 0))
        );
        // no sibling that way: first child, last child, last in its section, only child
        assert_eq!(move_among_siblings(&rows, 1, true), None);
        assert_eq!(move_among_siblings(&rows, 2, false), None);
        assert_eq!(move_among_siblings(&rows, 4, false), None);
        assert_eq!(move_among_siblings(&rows, 3, true), None);
        assert_eq!(move_among_siblings(&rows, 5, true), None);
    }

    #[test]
    fn blank_text_gives_no_sections() {
        assert!(parse_checklist_text("  \n\n").is_empty());
    }
}
