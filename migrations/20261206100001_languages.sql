-- Languages (issue 13): a user's language for pages (null: their browser's
-- Accept-Language), and the language a certificate was issued in: its page,
-- Markdown and PDF read in it by default. The signed payload stays
-- language-neutral (codes, numbers, UTC times), so a certificate verifies
-- the same in either language.
alter table users add column locale text check (locale in ('en', 'zh-Hans'));
alter table certificates add column language text not null default 'en'
    check (language in ('en', 'zh-Hans'));
