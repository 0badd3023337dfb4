//! Log-in throttling and the anonymous verify limit, counted in the
//! database (`rate_counts`) so every instance of a deployment applies the
//! same counts, and a restart forgets nothing.
//!
//! Failed log-ins are counted per account (the username typed, whether or
//! not it exists) and per client address. A few failures cost nothing;
//! after that every further attempt must wait, twice as long each time, up
//! to 15 minutes. A successful log-in clears its account's count. A
//! deployment behind a proxy sees the proxy's address for every client,
//! which is why the per-address allowance is much larger than the
//! per-account one.
//!
//! Anonymous certificate look-ups are limited per address by the generic
//! cell rate algorithm (as `governor` does in memory): `n` per minute, in a
//! burst of up to `n`.
//!
//! The rules are pure functions of the stored counts and the time
//! ([`decide`], [`verify_step`]); reading and writing the counts is one
//! write transaction, so attempts on two instances at once both count.

use super::db;
use crate::error::AppError;
use sqlx::{AnyConnection, AnyPool};
use std::net::IpAddr;
use std::time::Duration;

/// Failures an account may have before it has to wait.
pub const FREE_PER_ACCOUNT: u32 = 5;
/// Failures one client address may have before it has to wait.
pub const FREE_PER_ADDRESS: u32 = 20;
/// The first wait; it doubles with every further failure.
pub const FIRST_WAIT: Duration = Duration::from_secs(30);
/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// A count not added to for this long starts again from zero.
pub const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

/// One stored count: failures so far and the last one's time (Unix ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub failures: u32,
    pub last_ms: i64,
}

impl Count {
    fn forgotten(&self, now_ms: i64) -> bool {
        now_ms.saturating_sub(self.last_ms) >= millis(FORGET_AFTER)
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// How long to wait after `failures` failures when `free` are allowed.
pub fn wait_after(failures: u32, free: u32) -> Duration {
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(16);
    FIRST_WAIT.saturating_mul(1u32 << doublings).min(MAX_WAIT)
}

/// Whether an attempt may go ahead given the counts of its keys (each with
/// its allowance), or [`AppError::TooManyAttempts`] with the wait.
pub fn decide(counts: &[(Option<Count>, u32)], now_ms: i64) -> Result<(), AppError> {
    let wait_ms = counts
        .iter()
        .filter_map(|(c, free)| c.filter(|c| !c.forgotten(now_ms)).map(|c| (c, *free)))
        .map(|(c, free)| {
            let until = c
                .last_ms
                .saturating_add(millis(wait_after(c.failures, free)));
            until.saturating_sub(now_ms).max(0)
        })
        .max()
        .unwrap_or(0);
    if wait_ms == 0 {
        return Ok(());
    }
    // round up: "0 seconds" would invite an immediate retry
    Err(AppError::TooManyAttempts {
        retry_after_secs: u64::try_from((wait_ms + 999) / 1000).unwrap_or(u64::MAX),
    })
}

/// The count after one more failure at `now_ms`.
pub fn add_failure(before: Option<Count>, now_ms: i64) -> Count {
    let failures = match before {
        Some(c) if !c.forgotten(now_ms) => c.failures.saturating_add(1),
        _ => 1,
    };
    Count {
        failures,
        last_ms: now_ms,
    }
}

/// One anonymous look-up at `now_ms` against an allowance of `per_minute`,
/// given the stored theoretical arrival time: `Ok(new time to store)`, or
/// `Err(seconds to wait)`.
pub fn verify_step(stored_tat: Option<i64>, per_minute: u32, now_ms: i64) -> Result<i64, u64> {
    let interval = 60_000 / i64::from(per_minute.max(1));
    let burst = interval * i64::from(per_minute.max(1));
    let tat = stored_tat.unwrap_or(now_ms).max(now_ms);
    let next = tat + interval;
    if next - now_ms > burst {
        let wait = next - now_ms - burst;
        Err(u64::try_from((wait + 999) / 1000)
            .unwrap_or(u64::MAX)
            .max(1))
    } else {
        Ok(next)
    }
}

/// One log-in attempt let through by [`begin`]. It already counts as a
/// failure, so attempts running side by side are all counted; [`succeeded`]
/// takes that back.
#[must_use]
#[derive(Debug)]
pub struct Attempt {
    account: String,
    address: Option<String>,
}

fn account_key(username: &str) -> String {
    format!("account:{}", username.trim().to_lowercase())
}

fn address_key(address: IpAddr) -> String {
    format!("address:{address}")
}

/// The current time in Unix milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn count(conn: &mut AnyConnection, key: &str) -> Result<Option<Count>, AppError> {
    let row: Option<(i64, i64)> = sqlx::query_as("select n, at_ms from rate_counts where key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(n, at)| Count {
        failures: u32::try_from(n.max(0)).unwrap_or(u32::MAX),
        last_ms: at,
    }))
}

async fn store(conn: &mut AnyConnection, key: &str, n: i64, at_ms: i64) -> Result<(), AppError> {
    sqlx::query(
        "insert into rate_counts (key, n, at_ms) values ($1, $2, $3)
         on conflict (key) do update set n = excluded.n, at_ms = excluded.at_ms",
    )
    .bind(key)
    .bind(n)
    .bind(at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Lets an attempt through, or says how long to wait
/// ([`AppError::TooManyAttempts`]) when the account or the address still has to.
pub async fn begin(
    pool: &AnyPool,
    username: &str,
    address: Option<IpAddr>,
    now_ms: i64,
) -> Result<Attempt, AppError> {
    let attempt = Attempt {
        account: account_key(username),
        address: address.map(address_key),
    };
    let mut tx = db::write(pool).await?;
    // counts nobody added to for an hour are gone
    sqlx::query("delete from rate_counts where at_ms < $1 and key not like 'verify:%'")
        .bind(now_ms - millis(FORGET_AFTER))
        .execute(&mut *tx)
        .await?;
    let mut keys = vec![(attempt.account.clone(), FREE_PER_ACCOUNT)];
    keys.extend(attempt.address.clone().map(|a| (a, FREE_PER_ADDRESS)));
    let mut counts = Vec::new();
    for (key, free) in &keys {
        counts.push((count(&mut tx, key).await?, *free));
    }
    decide(&counts, now_ms)?;
    for ((key, _), (before, _)) in keys.iter().zip(&counts) {
        let after = add_failure(*before, now_ms);
        store(&mut tx, key, i64::from(after.failures), after.last_ms).await?;
    }
    tx.commit().await?;
    Ok(attempt)
}

/// The attempt's password was right: its account starts again from zero
/// and it no longer counts against its address.
pub async fn succeeded(pool: &AnyPool, attempt: Attempt) -> Result<(), AppError> {
    let mut tx = db::write(pool).await?;
    sqlx::query("delete from rate_counts where key = $1")
        .bind(&attempt.account)
        .execute(&mut *tx)
        .await?;
    if let Some(address) = &attempt.address {
        sqlx::query("update rate_counts set n = n - 1 where key = $1 and n > 0")
            .bind(address)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An anonymous certificate look-up from `address`: `Ok(())`, or `Err`
/// with the seconds to wait when the address has used its `per_minute`.
pub async fn verify_lookup(
    pool: &AnyPool,
    address: IpAddr,
    per_minute: u32,
    now_ms: i64,
) -> Result<Result<(), u64>, AppError> {
    let key = format!("verify:{address}");
    let mut tx = db::write(pool).await?;
    // an address whose allowance is whole again needs no row
    sqlx::query("delete from rate_counts where at_ms < $1 and key like 'verify:%'")
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    let stored = count(&mut tx, &key).await?.map(|c| c.last_ms);
    let step = verify_step(stored, per_minute, now_ms);
    if let Ok(next) = step {
        store(&mut tx, &key, 0, next).await?;
    }
    tx.commit().await?;
    Ok(step.map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    /// The counts after `n` failures at `now`.
    fn failed(n: u32, now: i64) -> Option<Count> {
        (0..n).fold(None, |c, _| Some(add_failure(c, now)))
    }

    #[test]
    fn a_few_failures_cost_nothing_then_the_wait_doubles_up_to_a_cap() {
        assert_eq!(wait_after(4, 5), Duration::ZERO);
        assert_eq!(wait_after(5, 5), Duration::from_secs(30));
        assert_eq!(wait_after(6, 5), Duration::from_secs(60));
        assert_eq!(wait_after(7, 5), Duration::from_secs(120));
        assert_eq!(wait_after(50, 5), MAX_WAIT);
        assert_eq!(wait_after(u32::MAX, 5), MAX_WAIT);
    }

    #[test]
    fn an_account_waits_after_five_failures_and_a_wait_is_rounded_up() {
        let five = failed(5, NOW);
        assert_eq!(
            decide(&[(five, FREE_PER_ACCOUNT)], NOW),
            Err(AppError::TooManyAttempts {
                retry_after_secs: 30
            })
        );
        assert_eq!(
            decide(&[(five, FREE_PER_ACCOUNT)], NOW + 29_001),
            Err(AppError::TooManyAttempts {
                retry_after_secs: 1
            })
        );
        assert!(decide(&[(five, FREE_PER_ACCOUNT)], NOW + 30_000).is_ok());
        assert!(decide(&[(failed(4, NOW), FREE_PER_ACCOUNT)], NOW).is_ok());
    }

    #[test]
    fn the_longer_of_the_account_and_address_waits_holds() {
        let account = failed(5, NOW);
        let address = failed(22, NOW);
        assert_eq!(
            decide(
                &[(account, FREE_PER_ACCOUNT), (address, FREE_PER_ADDRESS)],
                NOW
            ),
            Err(AppError::TooManyAttempts {
                retry_after_secs: 120
            })
        );
        assert!(decide(
            &[
                (None, FREE_PER_ACCOUNT),
                (failed(19, NOW), FREE_PER_ADDRESS)
            ],
            NOW
        )
        .is_ok());
    }

    #[test]
    fn counts_are_forgotten_after_an_hour_without_failures() {
        let later = NOW + millis(FORGET_AFTER);
        assert!(decide(&[(failed(9, NOW), FREE_PER_ACCOUNT)], later).is_ok());
        assert_eq!(add_failure(failed(9, NOW), later).failures, 1);
        assert_eq!(add_failure(failed(9, NOW), later - 1).failures, 10);
    }

    #[test]
    fn verify_allows_a_burst_of_n_then_one_per_interval() {
        let mut tat = None;
        for _ in 0..30 {
            tat = Some(verify_step(tat, 30, NOW).unwrap());
        }
        // the 31st waits for the next interval (2 s at 30 a minute)
        assert_eq!(verify_step(tat, 30, NOW), Err(2));
        assert!(verify_step(tat, 30, NOW + 2_000).is_ok());
        // a minute later the whole burst is back
        let mut later = tat;
        for _ in 0..30 {
            later = Some(verify_step(later, 30, NOW + 60_000).unwrap());
        }
        assert!(verify_step(later, 30, NOW + 60_000).is_err());
    }
}
