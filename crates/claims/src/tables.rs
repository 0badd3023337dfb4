//! A table → its claims (crate README, "Tables"): column roles from the
//! header and the cells, row labels, `Metric { target, actual }` per row, a
//! claim per secondary value column, and `TaskDone` rows of task tables.

use crate::lexicon;
use crate::lines::Collector;
use crate::markdown::{Cell, TableIn};
use crate::text::{clean, is_symbol, join};
use crate::values::{self, Class, Token};
use crate::ClaimKind;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Label,
    Target,
    Actual,
    Value,
    Other,
}

fn has(header: &str, words: &[&str]) -> bool {
    let lower = header.to_lowercase();
    words.iter().any(|w| lower.contains(w))
}

fn tokens_of(cell: &Cell) -> (String, Vec<Token>) {
    let masked = values::mask(&cell.text, &cell.masks);
    let tokens = values::scan(&cell.text, &masked);
    (cell.text.clone(), tokens)
}

/// A cell that is a figure and nothing else but decoration ("20/20 ✅", "**~11秒**").
fn is_figure_cell(text: &str, tokens: &[Token]) -> bool {
    let usable: Vec<&Token> = tokens.iter().filter(|t| usable(t)).collect();
    let [t] = usable.as_slice() else {
        return false;
    };
    text[..t.start]
        .chars()
        .chain(text[t.end..].chars())
        .all(|c| c.is_whitespace() || is_symbol(c) || c == '*' || c == '_')
}

fn usable(t: &Token) -> bool {
    !t.before && matches!(t.class, Class::Measure | Class::Bare)
}

/// The claims of one table.
pub fn analyse(table: &TableIn, out: &mut Collector<'_>) {
    let ctx = &table.ctx;
    if ctx.plan || ctx.todo || table.header.is_empty() {
        return;
    }
    let ncols = table.header.len();
    let headers: Vec<String> = table.header.iter().map(|c| clean(&c.text)).collect();
    let cells: Vec<Vec<(String, Vec<Token>)>> = table
        .rows
        .iter()
        .map(|r| r.cells.iter().take(ncols).map(tokens_of).collect())
        .collect();

    let mut roles: Vec<Role> = headers
        .iter()
        .map(|h| {
            if has(h, lexicon::ACTUAL_HEADERS) {
                Role::Actual
            } else if has(h, lexicon::TARGET_HEADERS) {
                Role::Target
            } else {
                Role::Other
            }
        })
        .collect();
    let mut unit_figures = false;
    for (c, role) in roles.iter_mut().enumerate() {
        if *role != Role::Other {
            continue;
        }
        let mut filled = 0;
        let mut figures = 0;
        for row in &cells {
            let Some((text, tokens)) = row.get(c) else {
                continue;
            };
            if clean(text).is_empty() {
                continue;
            }
            filled += 1;
            if is_figure_cell(text, tokens) {
                figures += 1;
                if tokens
                    .iter()
                    .any(|t| usable(t) && t.class == Class::Measure)
                {
                    unit_figures = true;
                }
            }
        }
        if filled > 0 && figures * 2 > filled {
            *role = Role::Value;
        }
    }
    let first_role = roles.iter().position(|r| *r != Role::Other);
    if let Some(f) = first_role {
        for r in &mut roles[..f] {
            *r = Role::Label;
        }
    }
    let value_table = roles
        .iter()
        .any(|r| matches!(r, Role::Target | Role::Actual))
        || (unit_figures && roles.contains(&Role::Value));
    if value_table && !roles.contains(&Role::Label) && roles[0] == Role::Value {
        // no label column: the first column names the row anyway
        roles[0] = Role::Label;
    }
    let primary = roles
        .iter()
        .position(|r| *r == Role::Actual)
        .or_else(|| roles.iter().position(|r| *r == Role::Value));
    let target_col = roles.iter().position(|r| *r == Role::Target);

    let task_col = headers.iter().position(|h| has(h, lexicon::TASK_HEADERS));
    let status_col = headers.iter().position(|h| has(h, lexicon::STATUS_HEADERS));
    let name_col = headers
        .iter()
        .position(|h| has(h, lexicon::NAME_HEADERS))
        .or(task_col.filter(|c| !has(&headers[*c], lexicon::ID_HEADERS)))
        .or(task_col);
    let at_col = headers
        .iter()
        .position(|h| has(h, lexicon::DONE_AT_HEADERS));

    for (r, row) in table.rows.iter().enumerate() {
        if out.full() {
            return;
        }
        let label = join(
            &roles
                .iter()
                .enumerate()
                .filter(|(_, role)| **role == Role::Label)
                .filter_map(|(c, _)| row.cells.get(c).map(|cell| clean(&cell.text)))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        if value_table {
            for (c, role) in roles.iter().enumerate() {
                if !matches!(role, Role::Actual | Role::Value) {
                    continue;
                }
                if *role == Role::Actual && Some(c) != primary {
                    continue;
                }
                let Some(actual) = first_usable(&cells[r], c) else {
                    continue;
                };
                // without a label column, a target column that names the row names it
                let label = if label.is_empty() {
                    target_col
                        .and_then(|t| row.cells.get(t))
                        .map(|cell| clean(&cell.text))
                        .unwrap_or_default()
                } else {
                    label.clone()
                };
                let (subject, target) = if Some(c) == primary {
                    let target = target_col.and_then(|t| target_of(&cells[r], t));
                    (label.clone(), target)
                } else {
                    (join(&[&label, &headers[c]]), None)
                };
                out.push(
                    row.line,
                    subject,
                    &ctx.section,
                    ClaimKind::Metric { target, actual },
                );
            }
        }
        if let (Some(_), Some(s)) = (task_col, status_col) {
            let status = row
                .cells
                .get(s)
                .map(|c| c.text.to_lowercase())
                .unwrap_or_default();
            let done = lexicon::DONE_STATUS.iter().any(|w| status.contains(w))
                && !lexicon::NOT_DONE_WORDS.iter().any(|w| status.contains(w));
            if done {
                let name = name_col
                    .and_then(|c| row.cells.get(c))
                    .map(|c| clean(&c.text))
                    .unwrap_or_default();
                let name = if name.is_empty() { label.clone() } else { name };
                if !name.is_empty() {
                    let at = at_col
                        .and_then(|c| row.cells.get(c))
                        .and_then(|c| values::first_datetime(&c.text));
                    out.push(row.line, name, &ctx.section, ClaimKind::TaskDone { at });
                }
            }
        }
    }
}

/// A target cell's target: its first figure with a bound (`≥ 20×` in
/// "milestone (100 tasks) ≥ 20×"), else its first figure.
fn target_of(row: &[(String, Vec<Token>)], col: usize) -> Option<crate::Value> {
    let tokens = &row.get(col)?.1;
    tokens
        .iter()
        .filter(|t| usable(t))
        .find(|t| t.value.cmp != crate::Cmp::Eq)
        .or_else(|| tokens.iter().find(|t| usable(t)))
        .map(|t| t.value.clone())
}

fn first_usable(row: &[(String, Vec<Token>)], col: usize) -> Option<crate::Value> {
    row.get(col)?
        .1
        .iter()
        .find(|t| usable(t))
        .map(|t| t.value.clone())
}
