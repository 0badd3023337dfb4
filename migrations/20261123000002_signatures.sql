-- Ed25519 signatures over the canonical payload, and revocation.
alter table certificates add column key_id text;
alter table certificates add column signature text;
alter table certificates add column revoked_at text;
alter table certificates add column revoked_by integer references users(id);
alter table certificates add column revoked_reason text;
