//! The allocator: mimalloc, tuned to give memory back when idle.
//!
//! A request allocates and frees thousands of small values (rows, strings,
//! views); with glibc's malloc that was ~20 % of a checklist tick's CPU time
//! and mimalloc took ticks from 210 to 306 per second. Out of the box it kept
//! 52 MiB resident on an idle server (glibc: 27): arenas were committed
//! eagerly and freed pages purged only after a delay, checked on the next
//! allocation, which an idle server never makes. [`tune`] turns both off;
//! eager commit is also off in mimalloc's build (.cargo/config.toml), since
//! the first arena is made before `main` can call [`tune`].

use libmimalloc_sys::{mi_option_set, mi_option_t};

/// Options as mimalloc v3's `mimalloc.h` numbers them (`mi_option_e`); the
/// crate is pinned to the version whose header this was read from, and
/// `the_option_numbers_name_the_options_meant` checks them by their defaults.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
const PURGE_DELAY: mi_option_t = 15;

/// Commit arena memory as it is used, and purge freed pages at once.
pub fn tune() {
    // SAFETY: mi_option_set stores a number in mimalloc's option table; it
    // takes no pointers and is safe to call at any time.
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 0);
        mi_option_set(PURGE_DELAY, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libmimalloc_sys::mi_option_get;
    use std::ffi::c_long;

    /// An option's current value.
    fn get(option: mi_option_t) -> c_long {
        // SAFETY: mi_option_get reads mimalloc's option table.
        unsafe { mi_option_get(option) }
    }

    #[test]
    fn the_option_numbers_name_the_options_meant() {
        // eager arena commit is off from the start: .cargo/config.toml builds
        // mimalloc with that default (upstream's is 2), and only a default can
        // act before `main`; the purge delay's documented default (1000 ms)
        // proves the numbers point at the options meant (unless the
        // environment set them: MIMALLOC_* wins)
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            assert_eq!(
                get(ARENA_EAGER_COMMIT),
                0,
                "mimalloc was not built with .cargo/config.toml's CFLAGS (another target triple?)"
            );
        }
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(PURGE_DELAY), 1000);
        }
        tune();
        assert_eq!((get(ARENA_EAGER_COMMIT), get(PURGE_DELAY)), (0, 0));
    }
}
