-- What a milestone certifies: its release subject. A commit SHA and/or a
-- release tag, and artifact digests (e.g. a container image sha256:…). The
-- certificate binds to it (the in-toto statement puts it in `subject`), and
-- evidence naming another build is stale against it.
alter table milestones add column subject_commit text;
alter table milestones add column subject_tag text;
alter table milestones add column subject_artifacts_json text not null default '[]';
