-- The reader's time zone (an IANA name) for pages; NULL: the browser's, or UTC.
alter table users add column time_zone text;
