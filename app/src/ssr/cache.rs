//! Derived views kept between requests while the data they were derived
//! from is unchanged.
//!
//! Every write of a row that a view reads moves the database's generation
//! on (`data_generation`, kept by triggers inside the writing transaction:
//! see its migration). A view derived inside one read snapshot is stored
//! with the generation that snapshot held; it is served again only to a
//! reader whose own snapshot holds the same generation, i.e. sees the same
//! rows. Nothing is ever invalidated by hand, so no write path can forget
//! to, and a write by another process (the command line) is seen as well.
//!
//! Rules that keep it exact:
//! - only read snapshots fill it (a write transaction's own uncommitted
//!   generation could be rolled back and reused by different data);
//! - a stored view is viewer-neutral: the caller adds the viewer's rights,
//!   and a viewer with a stale approval (whose notices need the history)
//!   gets a fresh derivation;
//! - a view whose verdicts change by time alone (evidence ages past a
//!   criterion's maximum, a waiver expires) is served only until then
//!   (`valid_until`);
//! - the rows looked up outside the snapshot (the project and milestone
//!   rows the request resolved) are stored with the view and must match.
//!
//! One store per database file (like [`super::db::writer`]); it holds views
//! of one generation at a time and at most [`MAX_VIEWS`] of each kind, so
//! memory stays bounded by the largest pages being read.

use super::auth::ProjectRow;
use super::facts::Derivation;
use super::scope::MilestoneRow;
use crate::domain::views::MilestoneView;
use crate::i18n::Locale;
use sqlx::{AnyConnection, AnyPool};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Which state of the database a snapshot sees. `epoch` tells databases at
/// the same path apart (a restore, a test's fresh file).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Generation {
    epoch: String,
    n: i64,
}

/// The generation the connection's current snapshot holds. Read it first
/// thing inside the read transaction whose rows the view is derived from.
pub async fn generation(conn: &mut AnyConnection) -> Result<Generation, sqlx::Error> {
    sqlx::query_as("select epoch, n from data_generation where id = 1")
        .fetch_one(conn)
        .await
}

/// How many views of each kind one database's store holds before it
/// starts over.
pub const MAX_VIEWS: usize = 64;

/// The viewer-neutral derivations of every milestone of a project.
pub type Projected = Arc<Vec<Arc<Derivation>>>;

/// A milestone view for nobody in particular, with the rows it was derived with.
#[derive(Clone)]
pub struct MilestoneEntry {
    pub project: ProjectRow,
    pub milestone: MilestoneRow,
    pub view: Arc<MilestoneView>,
}

#[derive(Default)]
struct Store {
    generation: Option<Generation>,
    /// By milestone and language: a view's gap sentences are in its reader's.
    milestones: HashMap<(i64, Locale), MilestoneEntry>,
    projects: HashMap<i64, Projected>,
}

impl Store {
    /// The store as of `g`: emptied when `g` is newer than what it holds.
    /// `None` when `g` is older (a slow reader's snapshot): its views are
    /// neither served from nor kept.
    fn at(&mut self, g: &Generation) -> Option<&mut Self> {
        match &self.generation {
            Some(held) if held == g => Some(self),
            Some(held) if held.epoch == g.epoch && held.n > g.n => None,
            _ => {
                *self = Store {
                    generation: Some(g.clone()),
                    ..Store::default()
                };
                Some(self)
            }
        }
    }
}

static STORES: LazyLock<Mutex<HashMap<String, Store>>> = LazyLock::new(Default::default);

fn with_store<T>(pool: &AnyPool, g: &Generation, f: impl FnOnce(&mut Store) -> T) -> Option<T> {
    let key = super::db::key(pool);
    let mut stores = STORES.lock().unwrap_or_else(|e| e.into_inner());
    stores.entry(key).or_default().at(g).map(f)
}

/// The stored view of milestone `m` (of project `p`) at generation `g`.
pub fn milestone(
    pool: &AnyPool,
    g: &Generation,
    p: &ProjectRow,
    m: &MilestoneRow,
    locale: Locale,
) -> Option<Arc<MilestoneView>> {
    with_store(pool, g, |s| {
        s.milestones
            .get(&(m.id, locale))
            .filter(|e| e.project == *p && e.milestone == *m)
            .filter(|e| holds(e.view.valid_until.as_deref()))
            .map(|e| e.view.clone())
    })
    .flatten()
}

/// Keeps a viewer-neutral milestone view derived at generation `g`.
pub fn keep_milestone(pool: &AnyPool, g: &Generation, locale: Locale, entry: MilestoneEntry) {
    with_store(pool, g, |s| {
        if s.milestones.len() >= MAX_VIEWS {
            s.milestones.clear();
        }
        s.milestones.insert((entry.milestone.id, locale), entry);
    });
}

/// The stored derivation of every milestone of project `id` at generation `g`.
pub fn project(pool: &AnyPool, g: &Generation, id: i64) -> Option<Projected> {
    with_store(pool, g, |s| s.projects.get(&id).cloned())
        .flatten()
        .filter(|all| all.iter().all(|d| holds(d.derived.valid_until.as_deref())))
}

/// A view derived with verdicts that change by time at `valid_until` still
/// holds: the data alone does not say when evidence ages or a waiver
/// expires, the clock does.
fn holds(valid_until: Option<&str>) -> bool {
    valid_until.is_none_or(|t| super::now().as_str() < t)
}

/// Keeps the viewer-neutral derivations of project `id` at generation `g`.
pub fn keep_project(pool: &AnyPool, g: &Generation, id: i64, all: Projected) {
    with_store(pool, g, |s| {
        if s.projects.len() >= MAX_VIEWS {
            s.projects.clear();
        }
        s.projects.insert(id, all);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(epoch: &str, n: i64) -> Generation {
        Generation {
            epoch: epoch.into(),
            n,
        }
    }

    #[test]
    fn a_view_with_verdicts_that_time_changes_holds_only_until_then() {
        assert!(holds(None));
        assert!(holds(Some("2999-01-01T00:00:00Z")));
        assert!(!holds(Some("2000-01-01T00:00:00Z")));
        // the very second it turns is already past
        assert!(!holds(Some(&super::super::now())));
    }

    #[test]
    fn a_store_serves_one_generation_and_ignores_older_snapshots() {
        let mut s = Store::default();
        s.at(&g("a", 1)).unwrap().projects.insert(1, Arc::default());
        assert!(s.at(&g("a", 1)).unwrap().projects.contains_key(&1));
        // an older snapshot neither reads nor writes
        assert!(s.at(&g("a", 0)).is_none());
        assert_eq!(s.generation, Some(g("a", 1)));
        // a newer one empties it
        assert!(s.at(&g("a", 2)).unwrap().projects.is_empty());
        s.at(&g("a", 2)).unwrap().projects.insert(1, Arc::default());
        // another database at the same path: whatever its number, it starts over
        assert!(s.at(&g("b", 0)).unwrap().projects.is_empty());
        assert_eq!(s.generation, Some(g("b", 0)));
    }
}
