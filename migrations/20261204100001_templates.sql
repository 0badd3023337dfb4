-- Nested checklist items: an item with children is ticked when they all
-- are (derived; it is never ticked by hand, so its own ticked_* stay null).
alter table checklist_items add column parent_id integer references checklist_items(id);
create index checklist_items_parent on checklist_items(parent_id) where parent_id is not null;

-- Checklist templates: a project's own (project_id) or the installation's
-- library (project_id null; the built-in ones have builtin = 1). What a
-- template holds is in its versions: a change appends a version, and a
-- version never changes, so a checklist applied from version v can always
-- be compared with it and with the newest.
create table checklist_templates (
    id         integer primary key,
    project_id integer references projects(id),
    slug       text not null,
    lang       text not null default 'en',
    builtin    integer not null default 0,
    created_by integer references users(id),
    created_at text not null
);
create unique index checklist_templates_slug on checklist_templates(coalesce(project_id, 0), slug);

create table checklist_template_versions (
    template_id integer not null references checklist_templates(id),
    version     integer not null check (version >= 1),
    title       text not null,
    -- domain::checklist::TemplateBody as JSON
    body_json   text not null,
    created_by  integer references users(id),
    created_at  text not null,
    primary key (template_id, version)
);
create trigger checklist_template_versions_no_update before update on checklist_template_versions
begin select raise(abort, 'a template version never changes: save a new version'); end;
create trigger checklist_template_versions_no_delete before delete on checklist_template_versions
begin select raise(abort, 'a template version never changes: save a new version'); end;

-- which template (and version) a checklist was copied from
alter table checklists add column template_id integer references checklist_templates(id);
alter table checklists add column template_version integer;

-- views read templates (a milestone shows "template v3 available")
create trigger data_generation_checklist_templates_insert after insert on checklist_templates begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklist_templates_update after update on checklist_templates begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklist_templates_delete after delete on checklist_templates begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklist_template_versions_insert after insert on checklist_template_versions begin update data_generation set n = n + 1 where id = 1; end;
-- (never fire: versions don't change; kept so every read table has all three)
create trigger data_generation_checklist_template_versions_update after update on checklist_template_versions begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklist_template_versions_delete after delete on checklist_template_versions begin update data_generation set n = n + 1 where id = 1; end;
