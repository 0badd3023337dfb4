-- Freshness: a criterion may accept evidence no older than max_age_days
-- (judged against the time of judging; a certificate judges at its issue),
-- and a milestone may require that every criterion's deciding evidence
-- names the same build (commit SHA or release tag).
alter table criteria add column max_age_days integer check (max_age_days between 1 and 3650);
alter table milestones add column same_build integer not null default 0 check (same_build in (0, 1));

-- Waivers: a criterion that can't be met is waived by the current approver
-- of one of the milestone's sign-off roles, with a reason and an expiry,
-- against the state digest they were shown. A waiver covers the criterion
-- exactly as it was waived: its version and the evidence its verdict came
-- from (null: it had none). It stops covering it when it expires, when that
-- changes, when the role is reassigned, or when it is revoked.
create table waivers (
    id                integer primary key,
    milestone_id      integer not null references milestones(id),
    criterion_id      integer not null references criteria(id),
    criterion_version integer not null,
    evidence_sha256   text,
    waived_verdict    text not null check (waived_verdict in ('not_met', 'no_evidence', 'stale')),
    role_id           integer not null references signoff_roles(id),
    role_generation   integer not null,
    user_id           integer not null references users(id),
    reason            text not null,
    expires_at        text not null,
    granted_at        text not null,
    state_digest      text not null
);
create index waivers_milestone on waivers(milestone_id);

create table waiver_revocations (
    waiver_id  integer primary key references waivers(id),
    revoked_by integer not null references users(id),
    revoked_at text not null,
    reason     text not null
);

-- a waiver and its revocation are records: never changed, never deleted
create trigger waivers_immutable_update before update on waivers
begin select raise(abort, 'waivers are immutable: revoke and grant again'); end;
create trigger waivers_immutable_delete before delete on waivers
begin select raise(abort, 'waivers are immutable: revoke and grant again'); end;
create trigger waiver_revocations_immutable_update before update on waiver_revocations
begin select raise(abort, 'waiver revocations are immutable'); end;
create trigger waiver_revocations_immutable_delete before delete on waiver_revocations
begin select raise(abort, 'waiver revocations are immutable'); end;

create trigger data_generation_waivers_insert after insert on waivers begin update data_generation set n = n + 1 where id = 1; end;
-- (never fire: waivers don't change; kept so every read table has all three)
create trigger data_generation_waivers_update after update on waivers begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_waivers_delete after delete on waivers begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_waiver_revocations_insert after insert on waiver_revocations begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_waiver_revocations_update after update on waiver_revocations begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_waiver_revocations_delete after delete on waiver_revocations begin update data_generation set n = n + 1 where id = 1; end;
