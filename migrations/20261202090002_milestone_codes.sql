-- Milestone codes beyond M<n> (Sprint-3, R2026.1) may carry lower-case
-- letters; they stay unique within a project regardless of case.
create unique index milestones_code_nocase on milestones(project_id, code collate nocase);
