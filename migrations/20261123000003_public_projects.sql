-- A public project's certificates show their full text (names, titles,
-- comments) on the public verify page; others show a redacted view.
alter table projects add column public integer not null default 0;
