-- Attest schema. Results are never stored as typed-in values: progress,
-- verdicts and milestone state are derived from these rows and the evidence.

-- people who can log in; admins manage projects and users
create table users (
    id            integer primary key,
    username      text not null unique,
    display_name  text not null,
    password_hash text not null,              -- argon2id PHC string
    is_admin      integer not null default 0,
    created_at    text not null
);

-- API tokens for CI; only the SHA-256 of the secret is kept
create table api_tokens (
    id          integer primary key,
    user_id     integer not null references users(id),
    project_id  integer references projects(id),  -- null = every project the user belongs to
    name        text not null,
    token_hash  text not null unique,
    created_at  text not null,
    last_used_at text
);

-- a delivery effort, e.g. WM "WeMaster platform"
create table projects (
    id          integer primary key,
    code        text not null unique,
    name        text not null,
    description text not null default '',
    created_at  text not null
);

-- who may do what in a project
create table memberships (
    project_id integer not null references projects(id),
    user_id    integer not null references users(id),
    role       text not null check (role in ('pm', 'engineer', 'viewer')),
    primary key (project_id, user_id)
);

-- M0..Mn; state is derived, the planned dates are plans, not results
create table milestones (
    id            integer primary key,
    project_id    integer not null references projects(id),
    code          text not null,
    title         text not null,
    goal          text not null default '',
    planned_start text,
    planned_end   text,
    created_at    text not null,
    unique (project_id, code)
);

-- deliverable work items such as M4-01
create table tasks (
    id                integer primary key,
    milestone_id      integer not null references milestones(id),
    code              text not null,
    title             text not null,
    owner             text not null default '',
    requires_evidence integer not null default 0,
    done_by           integer references users(id),
    done_at           text,
    created_at        text not null,
    unique (milestone_id, code)
);

-- pre-deploy, staging promotion, rollback triggers ...
create table checklists (
    id           integer primary key,
    milestone_id integer not null references milestones(id),
    title        text not null,
    position     integer not null,
    created_at   text not null
);

-- one line of a checklist, grouped by section
create table checklist_items (
    id                integer primary key,
    checklist_id      integer not null references checklists(id),
    section           text not null default '',
    text              text not null,
    position          integer not null,
    requires_evidence integer not null default 0,
    ticked_by         integer references users(id),
    ticked_at         text
);

-- acceptance criteria judged only from parsed evidence metrics
create table criteria (
    id           integer primary key,
    milestone_id integer not null references milestones(id),
    code         text not null,
    title        text not null,
    metric       text not null,
    op           text not null check (op in ('<', '<=', '>', '>=', '==')),
    target       real not null,
    unit         text not null default '',
    created_at   text not null,
    unique (milestone_id, code)
);

-- immutable evidence files; bytes live in the blob store under their sha256
create table evidence (
    id            integer primary key,
    project_id    integer not null references projects(id),
    milestone_id  integer references milestones(id),
    task_id       integer references tasks(id),
    item_id       integer references checklist_items(id),
    criterion_id  integer references criteria(id),
    sha256        text not null,
    size_bytes    integer not null,
    media_type    text not null,
    original_name text not null,
    kind          text not null,
    metrics_json  text not null default '{}',
    warnings_json text not null default '[]',
    uploaded_by   integer not null references users(id),
    uploaded_at   text not null,
    effective_at  text not null,
    commit_sha    text,
    ci_url        text
);
create index evidence_milestone on evidence(milestone_id);
create index evidence_criterion on evidence(criterion_id);

-- evidence rows are never edited or deleted
create trigger evidence_immutable_update before update on evidence
begin select raise(abort, 'evidence is immutable'); end;
create trigger evidence_immutable_delete before delete on evidence
begin select raise(abort, 'evidence is immutable'); end;

-- the roles that must approve a milestone, each with its named approver
create table signoff_roles (
    id           integer primary key,
    milestone_id integer not null references milestones(id),
    role_name    text not null,
    approver_id  integer not null references users(id),
    created_at   text not null,
    unique (milestone_id, role_name)
);

-- decisions, bound to the state digest they were made against
create table signoffs (
    id           integer primary key,
    role_id      integer not null references signoff_roles(id),
    user_id      integer not null references users(id),
    decision     text not null check (decision in ('approve', 'reject')),
    comment      text not null default '',
    state_digest text not null,
    signed_at    text not null
);

-- frozen completion reports; payload is canonical JSON, sha256 over its bytes
create table certificates (
    id           integer primary key,
    number       text not null unique,
    milestone_id integer not null references milestones(id),
    issued_by    integer not null references users(id),
    issued_at    text not null,
    state_digest text not null,
    payload      text not null,
    sha256       text not null
);

-- append-only history; each event is hash-chained to the one before
create table audit_events (
    id          integer primary key,
    at          text not null,
    actor_id    integer references users(id),
    project_id  integer references projects(id),
    milestone_id integer references milestones(id),
    action      text not null,
    subject     text not null,
    before_json text,
    after_json  text,
    prev_hash   text not null,
    hash        text not null
);
create index audit_milestone on audit_events(milestone_id);
