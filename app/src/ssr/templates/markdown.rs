//! A checklist template's Markdown form, in the shape delivery playbooks
//! are written (the seeds' deployment handbook): the first `#` heading is
//! the title; any deeper heading names the section the items under it go
//! into; `- [ ]` items nest by indentation (a parent is ticked when its
//! children are, never by hand); `[evidence]` at the end of an item means a
//! file must be attached before it is ticked; and under a heading called
//! "Acceptance criteria" (or 验收标准) each `` - `metric op target` Title ``
//! line is a default criterion. Plain bullets, tables, code blocks and prose
//! are ignored, so a whole handbook can be imported as it stands.
//!
//! Parsed with pulldown-cmark (CommonMark + GFM task lists); [`render`] is
//! the inverse, and `import(render(t)) == t`.

use crate::domain::checklist::{
    NewChecklist, NewItem, NewSection, TemplateBody, TemplateCriterion, MAX_DEPTH,
};
use crate::domain::criterion::Op;
use crate::error::AppError;
use crate::t;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Headings whose list is the template's default criteria.
const CRITERIA_HEADINGS: &[&str] = &["acceptance criteria", "criteria", "验收标准", "验收准则"];

fn is_criteria_heading(title: &str) -> bool {
    let t = title
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    CRITERIA_HEADINGS.contains(&t.as_str())
}

#[derive(Default)]
struct Open {
    text: String,
    code: Option<String>,
    task: bool,
    /// a nested list began: later text belongs to no item
    nested: bool,
    children: Vec<NewItem>,
    line: usize,
}

/// Reads a template from Markdown. `fallback_title` names it when the text
/// has no `#` heading. Errors name the line.
pub fn import(md: &str, fallback_title: &str) -> Result<TemplateBody, AppError> {
    let line_of = |offset: usize| md[..offset.min(md.len())].matches('\n').count() + 1;
    let mut title: Option<String> = None;
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut section = String::new();
    let mut in_criteria = false;
    let mut sections: Vec<NewSection> = Vec::new();
    let mut criteria: Vec<TemplateCriterion> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut in_code_block = false;

    for (event, range) in
        Parser::new_ext(md, Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES).into_offset_iter()
    {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    let text = text.trim().to_string();
                    if level == HeadingLevel::H1 && title.is_none() {
                        title = Some(text);
                    } else {
                        in_criteria = is_criteria_heading(&text);
                        section = text;
                    }
                }
            }
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::List(_)) => {
                if let Some(o) = open.last_mut() {
                    o.nested = true;
                }
            }
            Event::Start(Tag::Item) => open.push(Open {
                line: line_of(range.start),
                ..Open::default()
            }),
            Event::TaskListMarker(_) => {
                if let Some(o) = open.last_mut() {
                    o.task = true;
                }
            }
            Event::Text(t) | Event::Code(t) if in_code_block => drop(t),
            Event::Text(t) => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&t);
                } else if let Some(o) = open.last_mut().filter(|o| !o.nested) {
                    o.text.push_str(&t);
                }
            }
            Event::Code(c) => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&c);
                } else if let Some(o) = open.last_mut().filter(|o| !o.nested) {
                    if o.code.is_none() && o.text.trim().is_empty() {
                        o.code = Some(c.to_string());
                    } else {
                        o.text.push_str(&c);
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(o) = open.last_mut().filter(|o| !o.nested) {
                    o.text.push(' ');
                }
            }
            Event::End(TagEnd::Item) => {
                let Some(o) = open.pop() else { continue };
                if in_criteria && open.is_empty() {
                    if let Some(c) = o.code.as_deref() {
                        criteria.push(criterion(c, &o.text, o.line)?);
                    }
                    continue;
                }
                let mut items = o.children;
                if o.task {
                    let text = format!(
                        "{}{}",
                        o.code.map(|c| format!("{c} ")).unwrap_or_default(),
                        o.text
                    );
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let (text, requires_evidence) = match text.strip_suffix("[evidence]") {
                        Some(rest) => (rest.trim_end().to_string(), true),
                        None => (text, false),
                    };
                    if text.is_empty() {
                        return Err(AppError::invalid(
                            "markdown",
                            t!(projects.errors.md_item_no_text, line = o.line),
                        ));
                    }
                    items = vec![NewItem {
                        text,
                        requires_evidence,
                        children: items,
                    }];
                }
                // a task inside a task is its child; anything else goes up a level
                match open.last_mut() {
                    Some(parent) if parent.task => parent.children.extend(items),
                    Some(parent) => parent.children.extend(items),
                    None if items.is_empty() => {}
                    None => match sections.last_mut() {
                        Some(s) if s.title == section => s.items.extend(items),
                        _ => sections.push(NewSection {
                            title: section.clone(),
                            items,
                        }),
                    },
                }
            }
            _ => {}
        }
    }
    let body = TemplateBody {
        checklist: NewChecklist {
            title: title
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| fallback_title.trim().to_string()),
            sections,
        },
        criteria,
    };
    if body.checklist.sections.is_empty() {
        return Err(AppError::invalid(
            "markdown",
            t!(projects.errors.md_no_items),
        ));
    }
    if let Some(deep) = body.checklist.too_deep() {
        return Err(AppError::invalid(
            "markdown",
            t!(projects.errors.md_too_deep, max = MAX_DEPTH, item = deep),
        ));
    }
    Ok(body)
}

/// `metric op target` as written in a criteria list.
fn criterion(code: &str, title: &str, line: usize) -> Result<TemplateCriterion, AppError> {
    let bad = || {
        AppError::invalid(
            "markdown",
            t!(projects.errors.md_criterion, line = line, got = code),
        )
    };
    let mut parts = code.split_whitespace();
    let (Some(metric), Some(op), Some(target), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let op = Op::parse(op).map_err(|_| bad())?;
    let target: f64 = target.trim_end_matches('%').parse().map_err(|_| bad())?;
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(TemplateCriterion {
        title: if title.is_empty() {
            metric.to_string()
        } else {
            title
        },
        metric: metric.to_string(),
        op,
        target,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checklist::render;

    #[test]
    fn nested_task_items_sections_evidence_and_criteria() {
        let md = "# Release\n\nIntro prose, ignored.\n\n### Build\n- [ ] **Code**\n  - [ ] merged\n  - [x] reviewed [evidence]\n- [ ] tagged\n\n* a plain bullet, ignored\n\n```\n- [ ] in a code block, ignored\n```\n\n### Rollback triggers\n- [ ] health checks failing\n\n## Acceptance criteria\n\n- `tests.pass_rate >= 95` Unit tests pass\n- `vulns.high == 0`\n";
        let t = import(md, "fallback").unwrap();
        assert_eq!(t.checklist.title, "Release");
        let s = &t.checklist.sections;
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].title, "Build");
        assert_eq!(s[0].items.len(), 2);
        assert_eq!(s[0].items[0].text, "Code");
        let kids: Vec<_> = s[0].items[0]
            .children
            .iter()
            .map(|i| (i.text.as_str(), i.requires_evidence))
            .collect();
        assert_eq!(kids, [("merged", false), ("reviewed", true)]);
        assert_eq!(s[0].items[1].text, "tagged");
        assert_eq!(s[1].title, "Rollback triggers");
        assert_eq!(s[1].items[0].text, "health checks failing");
        assert_eq!(
            t.criteria,
            vec![
                TemplateCriterion {
                    title: "Unit tests pass".into(),
                    metric: "tests.pass_rate".into(),
                    op: Op::Ge,
                    target: 95.0
                },
                TemplateCriterion {
                    title: "vulns.high".into(),
                    metric: "vulns.high".into(),
                    op: Op::Eq,
                    target: 0.0
                },
            ]
        );
    }

    #[test]
    fn the_seed_deployment_handbook_imports_every_checkbox_in_its_place() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/seeds/004_1421db8feaa3d041.txt"
        );
        let Ok(md) = std::fs::read_to_string(path) else {
            assert!(std::env::var_os("CI").is_none(), "{path} is missing");
            return;
        };
        let t = import(&md, "x").unwrap();
        assert_eq!(t.checklist.title, "WeMaster 部署操作手册");
        let flat = t.checklist.flatten();
        // every `- [ ]` line of the file, none from its code blocks
        let boxes = md
            .lines()
            .filter(|l| l.trim_start().starts_with("- [ ]"))
            .count();
        assert_eq!(flat.len(), boxes);
        let titles: Vec<_> = t
            .checklist
            .sections
            .iter()
            .map(|s| s.title.as_str())
            .collect();
        assert_eq!(
            &titles[..3],
            ["🔧 环境准备检查", "🔒 安全检查", "📊 资源检查"]
        );
        assert!(titles.contains(&"回滚触发条件"));
        let code = &t.checklist.sections[0].items[0];
        assert_eq!(code.text, "代码检查");
        assert_eq!(code.children.len(), 4);
        assert_eq!(code.children[1].text, "版本号已更新 (package.json)");
        // inline code stays in the text
        assert_eq!(
            t.checklist.sections[0].items[1].children[0].text,
            "后端构建成功 (npm run build)"
        );
    }

    #[test]
    fn rendering_and_importing_again_gives_the_same_template() {
        for (slug, lang, md) in super::super::builtin::BUILTIN {
            let t = import(md, slug).unwrap();
            assert!(t.checklist.flatten().len() > 40, "{slug}");
            assert_eq!(t.criteria.len(), 5, "{slug}");
            let again = import(&render(&t, lang), slug).unwrap();
            assert_eq!(again, t, "{slug}");
        }
        // text that looks like Markdown survives as text
        let mut t = import("- [ ] a", "T").unwrap();
        t.checklist.sections[0].items[0].text = "*not* `code` [x](y) # 5".into();
        t.checklist.title = "# # title".into();
        assert_eq!(import(&render(&t, "en"), "T").unwrap(), t);
    }

    #[test]
    fn bad_text_is_refused_with_the_line() {
        let e = import("# T\n\nNo boxes here.\n", "T").unwrap_err();
        assert!(e.to_string().contains("no checklist items"), "{e}");
        let e = import("- [ ] a\n\n## Criteria\n\n- `coverage >= lots` x\n", "T").unwrap_err();
        assert!(e.to_string().contains("line 5"), "{e}");
        let e = import("- [ ] a\n  - [ ] b\n    - [ ] c\n      - [ ] d\n", "T").unwrap_err();
        assert!(e.to_string().contains("'d' is deeper"), "{e}");
        let e = import("- [ ] [evidence]\n", "T").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }

    #[test]
    fn without_a_title_heading_the_fallback_names_it() {
        let t = import("- [ ] only item", "  Fallback ").unwrap();
        assert_eq!(t.checklist.title, "Fallback");
        assert_eq!(t.checklist.sections[0].title, "");
    }
}
