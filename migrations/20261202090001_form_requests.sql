-- Submitted forms, by the request id each rendered form carries: a second
-- submission of the same form (a double click, a resent POST without
-- JavaScript, a retried CI call with an Idempotency-Key) finds its id here and
-- is answered as done instead of being done twice. The claim is inserted in
-- the same write transaction as the change it guards, so a failed attempt
-- leaves no claim behind. Rows older than a day are pruned on insert.
create table form_requests (
    user_id integer not null references users(id),
    request_id text not null,
    created_at text not null,
    primary key (user_id, request_id)
);
create index form_requests_created on form_requests(created_at);
