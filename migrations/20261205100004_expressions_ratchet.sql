-- Criteria as expressions, and ratchets.
--
-- An expression criterion is a CEL expression over metrics
-- (`security.critical == 0 && security.high <= 2`); it is met when the
-- expression is true on the deciding evidence's numbers. Its metric is left
-- empty, its op and target say "== 1" (true) and are never read.
--
-- A ratchet criterion (`coverage.line_pct >= previous`) takes its target from
-- the nearest earlier milestone of the project with a standing certificate:
-- the value that certificate recorded for the metric. Its stored target is
-- never read.
alter table criteria add column expression text check (expression is null or length(expression) between 1 and 400);
alter table criteria add column ratchet integer not null default 0 check (ratchet in (0, 1));

-- What a report says it is about (the scanned image, the SBOM's component,
-- the commit a test run names), as the parser read it from the file: JSON of
-- evidence::ReportSubject, or null. Cross-checked against the milestone's
-- release subject.
alter table evidence add column subject_json text;
