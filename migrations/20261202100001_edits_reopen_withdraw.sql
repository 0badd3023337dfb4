-- Explicit reopening, edits with history, reordering and withdrawn evidence.

-- tasks: the order on the page (Move up / Move down); existing tasks keep the
-- order they had (by code)
alter table tasks add column position integer not null default 0;
update tasks set position = (
    select count(*) from tasks t2 where t2.milestone_id = tasks.milestone_id and t2.code < tasks.code
);
-- tasks: what the task is about, beyond its title
alter table tasks add column description text not null default '';

-- row versions: an edit names the version it was made against, so two people
-- editing at once cannot silently overwrite each other (the second gets 409)
alter table milestones add column version integer not null default 1;
alter table tasks add column version integer not null default 1;
alter table checklists add column version integer not null default 1;
alter table checklist_items add column version integer not null default 1;
alter table criteria add column version integer not null default 1;
alter table signoff_roles add column version integer not null default 1;

-- certificates: a certificate whose milestone was reopened is superseded. It
-- stays authentic (hash and signature still verify) and is not revoked, but no
-- longer certifies the milestone as it now stands.
alter table certificates add column superseded_at text;
alter table certificates add column superseded_by integer references users(id);
alter table certificates add column superseded_reason text;

-- evidence withdrawn with a reason: the file stays listed and hashed, but no
-- longer counts for verdicts or new certificates. A row of its own, so that
-- evidence rows themselves stay immutable.
create table evidence_withdrawals (
    evidence_id  integer primary key references evidence(id),
    withdrawn_by integer not null references users(id),
    withdrawn_at text not null,
    reason       text not null
);

-- a withdrawal is as permanent as the evidence it withdraws
create trigger evidence_withdrawals_immutable_update before update on evidence_withdrawals
begin select raise(abort, 'evidence withdrawals are immutable'); end;
create trigger evidence_withdrawals_immutable_delete before delete on evidence_withdrawals
begin select raise(abort, 'evidence withdrawals are immutable'); end;
