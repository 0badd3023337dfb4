-- The generation of the data that pages are derived from. Every insert,
-- update or delete of a row that a milestone or project view reads moves
-- `n` on, inside the writing transaction (triggers, so no write path can
-- forget it: the server, the command line, another process). A view derived
-- from a read snapshot holding generation n is the view of every snapshot
-- holding n, which is what lets a process keep derived views between
-- requests (app/src/ssr/cache.rs). `epoch` tells one database from another
-- (a restore, a test's fresh file at the same path). Tables that no view
-- reads (api_tokens, form_requests, sessions) have no trigger: a CI token's
-- last use or a claimed form id does not throw views away.
create table data_generation (
    id    integer primary key check (id = 1),
    epoch text not null,
    n     integer not null
);
insert into data_generation (id, epoch, n) values (1, lower(hex(randomblob(16))), 0);

create trigger data_generation_projects_insert after insert on projects begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_projects_update after update on projects begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_projects_delete after delete on projects begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_memberships_insert after insert on memberships begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_memberships_update after update on memberships begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_memberships_delete after delete on memberships begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_users_insert after insert on users begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_users_update after update on users begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_users_delete after delete on users begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_milestones_insert after insert on milestones begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_milestones_update after update on milestones begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_milestones_delete after delete on milestones begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_tasks_insert after insert on tasks begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_tasks_update after update on tasks begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_tasks_delete after delete on tasks begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklists_insert after insert on checklists begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklists_update after update on checklists begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklists_delete after delete on checklists begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklist_items_insert after insert on checklist_items begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklist_items_update after update on checklist_items begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checklist_items_delete after delete on checklist_items begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_criteria_insert after insert on criteria begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_criteria_update after update on criteria begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_criteria_delete after delete on criteria begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_evidence_insert after insert on evidence begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_evidence_update after update on evidence begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_evidence_delete after delete on evidence begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_evidence_withdrawals_insert after insert on evidence_withdrawals begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_evidence_withdrawals_update after update on evidence_withdrawals begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_evidence_withdrawals_delete after delete on evidence_withdrawals begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_signoff_roles_insert after insert on signoff_roles begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_signoff_roles_update after update on signoff_roles begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_signoff_roles_delete after delete on signoff_roles begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_signoffs_insert after insert on signoffs begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_signoffs_update after update on signoffs begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_signoffs_delete after delete on signoffs begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_certificates_insert after insert on certificates begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_certificates_update after update on certificates begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_certificates_delete after delete on certificates begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_audit_events_insert after insert on audit_events begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_audit_events_update after update on audit_events begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_audit_events_delete after delete on audit_events begin update data_generation set n = n + 1 where id = 1; end;
