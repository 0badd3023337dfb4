-- Indexes for reading a milestone's, or a whole project's, facts in a fixed
-- number of queries (app/src/ssr/facts.rs): every lookup by milestone,
-- checklist, task, item or role uses an index instead of a table scan.
create index checklists_milestone on checklists(milestone_id);
create index checklist_items_list on checklist_items(checklist_id);
create index evidence_task on evidence(task_id) where task_id is not null;
create index evidence_item on evidence(item_id) where item_id is not null;
create index signoffs_role on signoffs(role_id);
create index certificates_milestone on certificates(milestone_id);
-- the revision count of every milestone of a project reads this index alone
create index audit_milestone_action on audit_events(milestone_id, action);
drop index audit_milestone;
