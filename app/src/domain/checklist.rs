//! Checklist input: sections of items, and the plain-text form PMs type
//! (`# Section` headings, one item per line, `[evidence]` to require a file).

use serde::{Deserialize, Serialize};

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
                requires_evidence: true
            }
        );
        assert_eq!(
            s[1].items[1],
            NewItem {
                text: "Migrations reviewed".into(),
                requires_evidence: false
            }
        );
    }

    #[test]
    fn blank_text_gives_no_sections() {
        assert!(parse_checklist_text("  \n\n").is_empty());
    }
}
