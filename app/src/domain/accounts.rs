//! Accounts and memberships as admins and PMs manage them: the password
//! rule, the guards on changing an account (nobody locks themselves out, the
//! last active admin stays) and on changing a membership (a project keeps a
//! PM), and the views the admin and members pages show. Pure rules; the
//! server checks them inside the write transaction with the facts read there.

use super::codes::Role;
use crate::error::AppError;
use crate::t;
use serde::{Deserialize, Serialize};

/// Shortest password accepted (the CLI and the browser alike).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted: argon2 hashes anything, but nobody types more.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Checks a new password: 8 to 1024 characters.
pub fn check_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            t!(account.errors.password_min, n = MIN_PASSWORD_CHARS),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            t!(account.errors.password_max, n = MAX_PASSWORD_CHARS),
        ));
    }
    Ok(())
}

/// What an admin does to an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountChange {
    Disable,
    Enable,
    /// Sets the admin flag to this value.
    SetAdmin(bool),
    ResetPassword,
}

/// The facts a change to an account is judged by, read inside the write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountFacts<'a> {
    /// The target is the admin making the change.
    pub is_self: bool,
    pub username: &'a str,
    pub is_admin: bool,
    pub disabled: bool,
    /// Admins other than the target whose accounts are active.
    pub other_active_admins: i64,
}

/// Whether `change` may be made: 409 for changing one's own access, for
/// leaving no active admin, and for what is already so.
pub fn check_account_change(change: AccountChange, f: AccountFacts<'_>) -> Result<(), AppError> {
    let last_admin = f.is_admin && !f.disabled && f.other_active_admins == 0;
    let conflict = |m: String| Err(AppError::Conflict(m));
    let user = f.username;
    match change {
        AccountChange::Disable if f.is_self => conflict(t!(account.errors.own_account)),
        AccountChange::Disable if f.disabled => conflict(t!(account.errors.already_disabled, user)),
        AccountChange::Disable if last_admin => conflict(t!(account.errors.last_admin, user)),
        AccountChange::Enable if !f.disabled => conflict(t!(account.errors.already_active, user)),
        AccountChange::SetAdmin(false) if f.is_self => conflict(t!(account.errors.own_admin)),
        AccountChange::SetAdmin(true) if f.is_admin => {
            conflict(t!(account.errors.admin_already, user))
        }
        AccountChange::SetAdmin(false) if !f.is_admin => {
            conflict(t!(account.errors.not_admin_already, user))
        }
        AccountChange::SetAdmin(false) if last_admin => {
            conflict(t!(account.errors.last_admin, user))
        }
        _ => Ok(()),
    }
}

/// Whether a member's role may change to `new` (`None`: removed). A project
/// keeps at least one PM: 409 when the last one would go.
pub fn check_membership_change(
    username: &str,
    current: Role,
    new: Option<Role>,
    other_pms: i64,
) -> Result<(), AppError> {
    let stays_pm = new == Some(Role::Pm);
    if current == Role::Pm && !stays_pm && other_pms == 0 {
        return Err(AppError::Conflict(t!(
            account.errors.last_pm,
            user = username
        )));
    }
    Ok(())
}

/// One account as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    /// When an admin disabled the account; `None` while it is active.
    pub disabled_at: Option<String>,
    pub created_at: String,
}

/// The users page: every account, and who is looking (whose own row offers
/// no disabling or demoting).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UsersPage {
    pub users: Vec<UserView>,
    pub me: String,
}

/// One member of a project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
}

/// The members page: the project, the caller's rights, its members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MembersPage {
    pub project: super::views::ProjectHead,
    pub rights: super::views::Rights,
    pub members: Vec<MemberView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(is_self: bool, is_admin: bool, disabled: bool, others: i64) -> AccountFacts<'static> {
        AccountFacts {
            is_self,
            username: "bob",
            is_admin,
            disabled,
            other_active_admins: others,
        }
    }

    fn refused(r: Result<(), AppError>) -> String {
        match r {
            Err(AppError::Conflict(m)) => m,
            other => panic!("expected a 409, got {other:?}"),
        }
    }

    #[test]
    fn a_password_needs_eight_to_1024_characters() {
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        // characters, not bytes
        assert!(check_password("密码密码密码密").is_err());
        assert!(check_password("密码密码密码密码").is_ok());
        assert!(check_password(&"x".repeat(1025)).is_err());
        assert_eq!(
            check_password("short"),
            Err(AppError::invalid("password", "at least 8 characters"))
        );
    }

    #[test]
    fn an_admin_cannot_disable_or_demote_themselves() {
        let me = facts(true, true, false, 3);
        assert!(
            refused(check_account_change(AccountChange::Disable, me)).contains("your own account")
        );
        assert!(
            refused(check_account_change(AccountChange::SetAdmin(false), me))
                .contains("your own admin flag")
        );
        // but may reset their own password
        assert!(check_account_change(AccountChange::ResetPassword, me).is_ok());
    }

    #[test]
    fn the_last_active_admin_is_never_disabled_or_demoted() {
        let last = facts(false, true, false, 0);
        assert!(refused(check_account_change(AccountChange::Disable, last))
            .contains("last active admin"));
        assert!(
            refused(check_account_change(AccountChange::SetAdmin(false), last))
                .contains("last active admin")
        );
        let one_of_two = facts(false, true, false, 1);
        assert!(check_account_change(AccountChange::Disable, one_of_two).is_ok());
        assert!(check_account_change(AccountChange::SetAdmin(false), one_of_two).is_ok());
        // a disabled admin is not the one keeping the installation managed
        let disabled_admin = facts(false, true, true, 0);
        assert!(check_account_change(AccountChange::SetAdmin(false), disabled_admin).is_ok());
    }

    #[test]
    fn what_is_already_so_is_a_conflict() {
        assert!(refused(check_account_change(
            AccountChange::Disable,
            facts(false, false, true, 1)
        ))
        .contains("already disabled"));
        assert!(refused(check_account_change(
            AccountChange::Enable,
            facts(false, false, false, 1)
        ))
        .contains("already active"));
        assert!(refused(check_account_change(
            AccountChange::SetAdmin(true),
            facts(false, true, false, 1)
        ))
        .contains("is an admin already"));
        assert!(check_account_change(AccountChange::Enable, facts(false, false, true, 1)).is_ok());
        assert!(
            check_account_change(AccountChange::SetAdmin(true), facts(false, false, false, 0))
                .is_ok()
        );
    }

    #[test]
    fn a_project_keeps_at_least_one_pm() {
        assert!(check_membership_change("ann", Role::Pm, Some(Role::Engineer), 0).is_err());
        assert!(check_membership_change("ann", Role::Pm, None, 0).is_err());
        assert!(check_membership_change("ann", Role::Pm, Some(Role::Pm), 0).is_ok());
        assert!(check_membership_change("ann", Role::Pm, None, 1).is_ok());
        assert!(check_membership_change("bob", Role::Engineer, None, 0).is_ok());
    }
}
