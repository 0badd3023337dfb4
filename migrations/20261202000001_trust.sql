-- Trust under concurrency: at most one standing certificate per milestone
-- state, sign-offs bound to the approver assignment they were made under,
-- and separation of duties per project.

-- Races before this migration could issue two certificates for one state.
-- The first stays; each later one is revoked, saying why, by its own issuer.
update certificates
set revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
    revoked_by = issued_by,
    revoked_reason = 'duplicate of ' || (
        select c0.number from certificates c0
        where c0.milestone_id = certificates.milestone_id
          and c0.state_digest = certificates.state_digest
          and c0.revoked_at is null
        order by c0.id limit 1
    ) || ' for the same state (issued in a race); revoked when upgrading'
where revoked_at is null
  and exists (
    select 1 from certificates c0
    where c0.milestone_id = certificates.milestone_id
      and c0.state_digest = certificates.state_digest
      and c0.revoked_at is null
      and c0.id < certificates.id
  );

-- one standing certificate per milestone state (the backstop for the
-- readiness check that runs inside the issuing transaction)
create unique index certificates_live_state
    on certificates (milestone_id, state_digest) where revoked_at is null;

-- each change of a role's approver starts a new generation; a decision
-- counts only for the generation it was made in
alter table signoff_roles add column generation integer not null default 1;
alter table signoffs add column role_generation integer not null default 1;

-- separation of duties (default on): one person holds at most one sign-off
-- role of a milestone, and the issuer of a certificate is not its only approver
alter table projects add column separation_of_duties integer not null default 1;
