-- Claims audits: a hand-written Markdown report (a completion certificate,
-- an integration report, an acceptance table…) read against one milestone's
-- records. The source is kept as it came (its file name, SHA-256 and text);
-- the claims attest-claims extracted from it are stored as JSON in document
-- order, and beside them, claim by claim, the record each is about: first as
-- suggested, then as a member confirmed or changed it (who, when). Verdicts
-- are not stored: they are judged from the milestone's current records each
-- time the audit is read. `version` moves on with every change of the
-- mapping, so two people confirming at once cannot overwrite each other.
create table claim_audits (
    id            integer primary key,
    milestone_id  integer not null references milestones(id),
    created_by    integer not null references users(id),
    created_at    text not null,
    title         text not null check (length(title) between 1 and 200),
    source_name   text not null,
    source_sha256 text not null check (length(source_sha256) = 64),
    source_text   text not null,
    -- [attest-claims Claim] as JSON
    claims_json   text not null,
    -- [{target, status, reason, by, at}] as JSON, one per claim
    mapping_json  text not null,
    version       integer not null default 1
);
create index claim_audits_milestone on claim_audits(milestone_id);

create trigger data_generation_claim_audits_insert after insert on claim_audits begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_claim_audits_update after update on claim_audits begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_claim_audits_delete after delete on claim_audits begin update data_generation set n = n + 1 where id = 1; end;
