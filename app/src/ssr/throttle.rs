//! Log-in throttling. Failed log-ins are counted per account (the username
//! typed, whether or not it exists) and per client address. A few failures
//! cost nothing; after that every further attempt must wait, twice as long
//! each time, up to 15 minutes. A successful log-in clears its account's count.
//!
//! The counts are kept **in memory only**: a restart forgets them and several
//! server processes would each keep their own. That fits Attest, which runs as
//! one process; a deployment behind a proxy sees the proxy's address for every
//! client, which is why the per-address allowance is much larger than the
//! per-account one.

use crate::error::AppError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures an account may have before it has to wait.
pub const FREE_PER_ACCOUNT: u32 = 5;
/// Failures one client address may have before it has to wait.
pub const FREE_PER_ADDRESS: u32 = 20;
/// The first wait; it doubles with every further failure.
pub const FIRST_WAIT: Duration = Duration::from_secs(30);
/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// A count not added to for this long starts again from zero.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Beyond this many entries, forgotten ones are swept out.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Count {
    failures: u32,
    last: Instant,
}

impl Count {
    fn forgotten(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last) >= FORGET_AFTER
    }
}

/// How long to wait after `failures` failures when `free` are allowed.
pub fn wait_after(failures: u32, free: u32) -> Duration {
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(16);
    FIRST_WAIT.saturating_mul(1u32 << doublings).min(MAX_WAIT)
}

/// The failed log-in counts of this process. Shared by every request.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    counts: Mutex<HashMap<Key, Count>>,
}

/// One log-in attempt let through by [`LoginThrottle::begin`]. It already
/// counts as a failure, so attempts running side by side are all counted;
/// [`LoginThrottle::succeeded`] takes that back.
#[must_use]
#[derive(Debug)]
pub struct Attempt {
    account: Key,
    address: Option<Key>,
}

fn account_key(username: &str) -> Key {
    Key::Account(username.trim().to_lowercase())
}

impl LoginThrottle {
    /// Lets an attempt through, or says how long to wait
    /// ([`AppError::TooManyAttempts`]) when the account or the address still has to.
    pub fn begin(
        &self,
        username: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt, AppError> {
        let attempt = Attempt {
            account: account_key(username),
            address: address.map(Key::Address),
        };
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() > SWEEP_ABOVE {
            counts.retain(|_, c| !c.forgotten(now));
        }
        let keys = std::iter::once((&attempt.account, FREE_PER_ACCOUNT))
            .chain(attempt.address.as_ref().map(|k| (k, FREE_PER_ADDRESS)));
        let mut wait = Duration::ZERO;
        for (key, free) in keys.clone() {
            if let Some(c) = counts.get(key).filter(|c| !c.forgotten(now)) {
                let until = c.last + wait_after(c.failures, free);
                wait = wait.max(until.saturating_duration_since(now));
            }
        }
        if !wait.is_zero() {
            return Err(AppError::TooManyAttempts {
                // round up: "0 seconds" would invite an immediate retry
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            });
        }
        for (key, _) in keys {
            let c = counts.entry(key.clone()).or_insert(Count {
                failures: 0,
                last: now,
            });
            if c.forgotten(now) {
                c.failures = 0;
            }
            c.failures = c.failures.saturating_add(1);
            c.last = now;
        }
        Ok(attempt)
    }

    /// The attempt's password was right: its account starts again from zero
    /// and it no longer counts against its address.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.remove(&attempt.account);
        if let Some(c) = attempt.address.and_then(|k| counts.get_mut(&k)) {
            c.failures = c.failures.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An attempt let through whose password was wrong (dropping it leaves it counted).
    fn fail(t: &LoginThrottle, user: &str, address: Option<IpAddr>, now: Instant) {
        let _wrong_password = t.begin(user, address, now).unwrap();
    }

    fn addr(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([192, 0, 2, last]))
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
    fn an_account_waits_after_five_failures_whatever_the_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..5 {
            fail(&t, "eng", addr(i), now);
        }
        let err = t.begin(" ENG ", addr(99), now).unwrap_err();
        assert_eq!(
            err,
            AppError::TooManyAttempts {
                retry_after_secs: 30
            }
        );
        assert!(t.begin("eng", addr(99), now + FIRST_WAIT).is_ok());
        // another account from the same address is not held up
        assert!(t.begin("pm", addr(0), now).is_ok());
    }

    #[test]
    fn an_address_waits_after_twenty_failures_whatever_the_account() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..20 {
            fail(&t, &format!("user{i}"), addr(1), now);
        }
        assert!(matches!(
            t.begin("someone-else", addr(1), now),
            Err(AppError::TooManyAttempts { .. })
        ));
        assert!(t.begin("someone-else", addr(2), now).is_ok());
    }

    #[test]
    fn success_clears_the_account_and_gives_back_the_address_attempt() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..4 {
            fail(&t, "eng", addr(1), now);
        }
        let ok = t.begin("eng", addr(1), now).unwrap();
        t.succeeded(ok);
        for _ in 0..5 {
            fail(&t, "eng", addr(1), now);
        }
        assert!(t.begin("eng", addr(1), now).is_err());
    }

    #[test]
    fn counts_are_forgotten_after_an_hour_without_failures() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..5 {
            fail(&t, "eng", None, now);
        }
        assert!(t.begin("eng", None, now).is_err());
        let later = now + FORGET_AFTER;
        for _ in 0..5 {
            fail(&t, "eng", None, later);
        }
    }
}
