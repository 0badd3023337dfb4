-- A milestone page reads its newest audit events a page at a time
-- (`where milestone_id = ? and id < ? order by id desc limit ?`): this index
-- serves that in order, without reading and sorting every event the
-- milestone ever had.
create index audit_milestone_id on audit_events(milestone_id, id);
