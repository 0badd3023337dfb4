-- Counts behind the log-in throttle and the anonymous verify limit, kept in
-- the database so every instance of a deployment applies the same ones
-- (the SQLite migration of the same name says what the columns hold).
create table rate_counts (
    key text primary key,
    n bigint not null default 0,
    at_ms bigint not null
);
create index rate_counts_at on rate_counts (at_ms);
