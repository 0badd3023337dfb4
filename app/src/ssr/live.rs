//! Live pages: what changed, as it is committed, for the pages open on it.
//!
//! Every write appends to the audit chain inside its own transaction, so the
//! chain is the one place that sees them all: uploads by CI, ticks, sign-offs,
//! certificates, edits, and writes by another process on the same database
//! (the command line). One watcher per database reads the events committed
//! since it last looked (`id > last`, a range of the primary key) every
//! [`POLL`] and hands each to every open page through a broadcast channel;
//! pages filter by project and milestone ([`Change::concerns`]). The watcher
//! runs only while some page listens: it holds the hub weakly and stops when
//! the last listener goes.

use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::Duration;
use tokio::sync::broadcast;

/// How often the watcher looks for new events: a change reaches open pages
/// within this plus the page's own reload of its data.
pub const POLL: Duration = Duration::from_millis(200);

/// Changes queued per listener before a slow one is told it missed some
/// (it then reloads once, which covers them all).
const BACKLOG: usize = 256;

/// One committed change: its audit event and where it happened.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Change {
    pub event: i64,
    pub action: String,
    pub project_id: Option<i64>,
    pub milestone_id: Option<i64>,
    /// Who made it (none: the system, the command line).
    pub actor_id: Option<i64>,
}

impl Change {
    /// Whether a page of `project` (and of `milestone`, when it shows one)
    /// shows what this change touched. A project page shows every one of its
    /// milestones; a milestone page also changes with its project's rows
    /// (members, visibility).
    pub fn concerns(&self, project: i64, milestone: Option<i64>) -> bool {
        self.project_id == Some(project)
            && match (milestone, self.milestone_id) {
                (Some(wanted), Some(m)) => wanted == m,
                _ => true,
            }
    }
}

/// The changes of one database, for whoever listens.
pub struct Hub {
    tx: broadcast::Sender<Change>,
}

impl Hub {
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }
}

/// Set once when the server stops: open streams end, so graceful shutdown
/// doesn't wait out its grace period on pages that would listen forever.
static STOPPING: LazyLock<tokio::sync::watch::Sender<bool>> =
    LazyLock::new(|| tokio::sync::watch::channel(false).0);

/// Ends every open stream (the server is stopping).
pub fn stop() {
    STOPPING.send_replace(true);
}

/// Resolves once the server is stopping.
pub async fn stopped() {
    let mut rx = STOPPING.subscribe();
    let _ = rx.wait_for(|s| *s).await;
}

static HUBS: LazyLock<Mutex<HashMap<String, Weak<Hub>>>> = LazyLock::new(Default::default);

/// The hub of `pool`'s database, its watcher started if none runs. Keep the
/// `Arc` while listening: the watcher stops once no page holds one.
pub async fn hub(pool: &AnyPool) -> Result<Arc<Hub>, sqlx::Error> {
    let key = super::db::key(pool);
    if let Some(hub) = HUBS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .and_then(Weak::upgrade)
    {
        return Ok(hub);
    }
    // from the newest event on: a page asks for changes after it rendered
    let last: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from audit_events")
        .fetch_one(pool)
        .await?;
    let mut hubs = HUBS.lock().unwrap_or_else(|e| e.into_inner());
    // another listener may have started one meanwhile
    if let Some(hub) = hubs.get(&key).and_then(Weak::upgrade) {
        return Ok(hub);
    }
    let (tx, _) = broadcast::channel(BACKLOG);
    let hub = Arc::new(Hub { tx });
    hubs.insert(key, Arc::downgrade(&hub));
    tokio::spawn(watch(pool.clone(), Arc::downgrade(&hub), last));
    Ok(hub)
}

/// Reads the events committed after `last` every [`POLL`] and broadcasts
/// them, until nobody holds the hub.
async fn watch(pool: AnyPool, hub: Weak<Hub>, mut last: i64) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(hub) = hub.upgrade() else { return };
        let new: Vec<Change> = match sqlx::query_as(
            "select id as event, action, project_id, milestone_id, actor_id from audit_events
             where id > $1 order by id limit 1000",
        )
        .bind(last)
        .fetch_all(&pool)
        .await
        {
            Ok(rows) => rows,
            Err(e) => {
                // a closed pool (shutdown, a test's database gone): stop
                if matches!(e, sqlx::Error::PoolClosed) {
                    return;
                }
                tracing::warn!(error = %e, "live: reading new audit events");
                continue;
            }
        };
        for change in new {
            last = change.event;
            // no listener right now is fine: the next page renders fresh data
            let _ = hub.tx.send(change);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(project: Option<i64>, milestone: Option<i64>) -> Change {
        Change {
            event: 1,
            action: "evidence.upload".into(),
            project_id: project,
            milestone_id: milestone,
            actor_id: None,
        }
    }

    #[test]
    fn a_page_hears_of_its_own_project_and_milestone_only() {
        // a milestone page
        assert!(change(Some(1), Some(10)).concerns(1, Some(10)));
        assert!(!change(Some(1), Some(11)).concerns(1, Some(10)));
        assert!(
            change(Some(1), None).concerns(1, Some(10)),
            "project rows show on it"
        );
        // a project page hears of every milestone
        assert!(change(Some(1), Some(11)).concerns(1, None));
        // never another project's, nor a change of no project (accounts)
        assert!(!change(Some(2), Some(10)).concerns(1, Some(10)));
        assert!(!change(None, None).concerns(1, None));
    }
}
