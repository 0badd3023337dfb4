-- API tokens get a scope of permissions, an optional expiry and revocation;
-- certificates get an unguessable verify id for their public links.

-- api_tokens: what a token may do, space-separated (see domain::tokens::Scope).
-- Tokens made before scopes existed keep every right their user has.
alter table api_tokens add column scopes text not null default 'read evidence:write tasks:write manage signoff';
-- api_tokens: after this time the token answers 401 "token expired"; null = never
alter table api_tokens add column expires_at text;
-- api_tokens: revoked tokens stay listed (who revoked, when) but no longer work
alter table api_tokens add column revoked_at text;
alter table api_tokens add column revoked_by integer references users(id);

-- certificates: 128 random bits naming the certificate in verify links and QR
-- codes, so the public verify page cannot be walked by guessing numbers
alter table certificates add column verify_id text;
update certificates set verify_id = lower(hex(randomblob(16))) where verify_id is null;
create unique index certificates_verify_id on certificates(verify_id);

-- certificates: every new certificate gets its verify id as it is inserted,
-- whichever code path inserts it (SQLite's randomblob is a CSPRNG seeded by the OS)
create trigger certificates_new_verify_id after insert on certificates
when new.verify_id is null
begin
    update certificates set verify_id = lower(hex(randomblob(16))) where id = new.id;
end;
