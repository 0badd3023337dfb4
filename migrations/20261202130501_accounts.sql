-- Accounts managed from the browser: admins disable and enable them and reset
-- their passwords.

-- users: when an admin disabled the account (null = active). A disabled
-- account cannot log in, its sessions end and its API tokens answer 401.
alter table users add column disabled_at text;
-- users: bumped when the password is reset or the account disabled; a session
-- remembers the value it logged in with and ends once it differs
alter table users add column session_epoch integer not null default 0;
