-- Counts behind the log-in throttle and the anonymous verify limit, kept in
-- the database so every instance of a deployment applies the same ones.
-- key: 'account:<name>', 'address:<ip>' (failed log-ins) or 'verify:<ip>'
-- (look-ups); n: failures (log-in) or unused (verify); at_ms: the last
-- failure (log-in) or the theoretical arrival time of the next look-up
-- (verify), in Unix milliseconds. No view reads it.
create table rate_counts (
    key text primary key,
    n integer not null default 0,
    at_ms integer not null
);
create index rate_counts_at on rate_counts (at_ms);
