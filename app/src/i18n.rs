//! The reader's language. Pages, messages and exports exist in English and
//! 简体中文; the words live in `locales/<language>/<area>.json` (one file per
//! area of the app, edited by translators) and the build refuses a key that a
//! language lacks (`build.rs`).
//!
//! Which language a reader gets: the `attest_lang` cookie, set from the
//! user's setting (/account) at log-in or by the language switch in the
//! navigation bar (a form, so it works without JavaScript); else the
//! browser's `Accept-Language`, in its order of preference; else English.
//! The server writes the choice into `<html lang>`, and the browser reads it
//! from there, so a hydrated page speaks exactly as its server render did.
//!
//! Signed certificate payloads stay language-neutral (codes, numbers, UTC
//! times); only their rendering has a language.

#[allow(missing_docs, clippy::all, unused)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n.rs"));
}

pub use generated::i18n::Locale;

/// The cookie holding the reader's language (`en`, `zh-Hans`).
pub const LANG_COOKIE: &str = "attest_lang";

/// Every language, in the order the switch lists them.
pub const ALL: [Locale; 2] = [Locale::en, Locale::zh_Hans];

/// The language a BCP 47 tag asks for, if we have it: `zh`, `zh-CN`,
/// `zh-Hans-SG`, `zh_TW` all read 简体中文 (the only Chinese we have);
/// `en`, `en-GB` read English.
pub fn from_tag(tag: &str) -> Option<Locale> {
    let primary = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match primary.as_str() {
        "en" => Some(Locale::en),
        "zh" => Some(Locale::zh_Hans),
        _ => None,
    }
}

/// A language named by a form or the API: exactly `en` or `zh-Hans` (any
/// case), blank for none; anything else is refused with the choices
/// ([`UnknownLanguage`] becomes a 422 on the `language` field).
pub fn parse_language(raw: Option<&str>) -> Result<Option<Locale>, UnknownLanguage> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    ALL.into_iter()
        .find(|l| tag(*l).eq_ignore_ascii_case(raw))
        .map(Some)
        .ok_or_else(|| UnknownLanguage(raw.to_string()))
}

/// A language Attest does not have, as it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLanguage(pub String);

impl UnknownLanguage {
    /// The refusal in the reader's language.
    pub fn text(&self) -> String {
        crate::t!(common.codes.not_a_language, raw = format!("{:?}", self.0))
    }
}

/// The tag of `locale` as `<html lang>` and the cookie write it.
pub fn tag(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "en",
        Locale::zh_Hans => "zh-Hans",
    }
}

/// The first language of an `Accept-Language` header that we have, by its
/// q-values (ties in header order); q=0 means "not this one".
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut offers: Vec<(f32, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut fields = part.split(';');
            let tag = fields.next()?.trim();
            let q = fields
                .filter_map(|f| f.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (!tag.is_empty() && q > 0.0 && q.is_finite()).then_some((q, i, tag))
        })
        .collect();
    offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    offers.into_iter().find_map(|(_, _, tag)| from_tag(tag))
}

/// The language named by a `Cookie` header's `attest_lang`.
pub fn from_cookie_header(header: &str) -> Option<Locale> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .and_then(|(_, v)| from_tag(v))
}

/// The language for a request: its cookie, else its `Accept-Language`, else
/// English.
pub fn for_request(cookie: Option<&str>, accept_language: Option<&str>) -> Locale {
    cookie
        .and_then(from_cookie_header)
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or_default()
}

/// The `Set-Cookie` value that makes `locale` the reader's language for a year.
pub fn lang_cookie(locale: Locale, secure: bool) -> String {
    format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        tag(locale),
        if secure { "; Secure" } else { "" }
    )
}

/// The reader's language, decided once per page (the App provides it) and
/// per server-function call (from the request).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lang(pub Locale);

/// The reader's language where a page, server function or other request
/// handler runs; English where there is no request.
pub fn lang() -> Locale {
    if let Some(Lang(l)) = leptos::prelude::use_context::<Lang>() {
        return l;
    }
    resolve()
}

#[cfg(feature = "ssr")]
tokio::task_local! {
    /// The language of the request a task serves, for the routes outside
    /// Leptos (REST, uploads, live updates): the server's middleware sets it
    /// around every request, by the same rule as pages ([`for_request`]).
    static REQUEST_LANG: Locale;
}

/// Runs `fut` with `locale` as the request's language, for code outside
/// Leptos (the server's language middleware).
#[cfg(feature = "ssr")]
pub async fn with_request_lang<F: std::future::Future>(locale: Locale, fut: F) -> F::Output {
    REQUEST_LANG.scope(locale, fut).await
}

/// Runs `f` with `locale` as the request's language: for work moved off the
/// request's task (`spawn_blocking`), which does not inherit it. Take
/// `lang()` before moving.
#[cfg(feature = "ssr")]
pub fn in_lang<R>(locale: Locale, f: impl FnOnce() -> R) -> R {
    REQUEST_LANG.sync_scope(locale, f)
}

/// What the App provides: on the server from the request (Leptos' request
/// parts, else the language the middleware set for this task), in the
/// browser from `<html lang>` (which the server wrote).
pub fn resolve() -> Locale {
    #[cfg(feature = "ssr")]
    {
        let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>() else {
            return REQUEST_LANG.try_with(|l| *l).unwrap_or_default();
        };
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
        };
        for_request(
            header(axum::http::header::COOKIE),
            header(axum::http::header::ACCEPT_LANGUAGE),
        )
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| from_tag(&l))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Locale::default()
    }
}

/// A translated string in the reader's language:
/// `t!(common.language_name)`, `t!(common.tasks, count = n)`.
#[macro_export]
macro_rules! t {
    ($($key:tt)*) => {
        ::leptos_i18n::td_string!($crate::i18n::lang(), $($key)*).to_string()
    };
}

/// A translated string in a given language (exports, certificates):
/// `tl!(locale, documents.title)`.
#[macro_export]
macro_rules! tl {
    ($locale:expr, $($key:tt)*) => {
        ::leptos_i18n::td_string!($locale, $($key)*).to_string()
    };
}

/// A calendar day in `locale`'s long form: `2 Nov 2025`, `2025年11月2日`.
pub fn long_date(date: chrono::NaiveDate, locale: Locale) -> String {
    date.format(&tl!(locale, common.date_long)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_language_we_have() {
        assert_eq!(
            from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Locale::zh_Hans)
        );
        assert_eq!(
            from_accept_language("fr-FR, en-GB;q=0.7, zh;q=0.5"),
            Some(Locale::en)
        );
        assert_eq!(
            from_accept_language("en;q=0.3, zh-TW;q=0.9"),
            Some(Locale::zh_Hans)
        );
        assert_eq!(from_accept_language("zh;q=0, en"), Some(Locale::en));
        assert_eq!(from_accept_language("fr, de"), None);
        assert_eq!(from_accept_language(""), None);
        assert_eq!(from_accept_language("zh;q=NaN"), None);
    }

    #[test]
    fn the_cookie_wins_over_the_browser() {
        assert_eq!(
            for_request(Some("a=1; attest_lang=zh-Hans"), Some("en")),
            Locale::zh_Hans
        );
        assert_eq!(
            for_request(Some("attest_lang=klingon"), Some("zh")),
            Locale::zh_Hans
        );
        assert_eq!(for_request(None, None), Locale::en);
        assert_eq!(
            from_cookie_header(&lang_cookie(Locale::zh_Hans, true)),
            Some(Locale::zh_Hans)
        );
    }

    /// The build refuses a key missing in a language (build.rs); this says
    /// the same from the files, naming each missing key.
    #[test]
    fn every_key_exists_in_both_languages() {
        fn keys(prefix: &str, v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        // a plural's forms are one key (English has _one and _other)
                        let k = ["_zero", "_one", "_two", "_few", "_many", "_other"]
                            .iter()
                            .find_map(|s| k.strip_suffix(s))
                            .unwrap_or(k);
                        keys(&format!("{prefix}.{k}"), v, out);
                    }
                }
                _ => {
                    out.insert(prefix.to_string());
                }
            }
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut namespaces = 0;
        for entry in std::fs::read_dir(dir.join("en")).unwrap() {
            let name = entry.unwrap().file_name();
            let mut sets = Vec::new();
            for lang in ["en", "zh-Hans"] {
                let text = std::fs::read_to_string(dir.join(lang).join(&name)).unwrap();
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                let mut set = std::collections::BTreeSet::new();
                keys(&name.to_string_lossy(), &json, &mut set);
                sets.push(set);
            }
            let missing: Vec<_> = sets[0].symmetric_difference(&sets[1]).collect();
            assert!(missing.is_empty(), "keys in one language only: {missing:?}");
            namespaces += 1;
        }
        assert_eq!(namespaces, 8, "one file per area, in both languages");
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let d = chrono::NaiveDate::from_ymd_opt(2025, 11, 2).unwrap();
        assert_eq!(long_date(d, Locale::en), "2 Nov 2025");
        assert_eq!(long_date(d, Locale::zh_Hans), "2025年11月2日");
    }

    #[test]
    fn plurals_follow_each_language() {
        assert_eq!(tl!(Locale::en, common.tasks, count = 1), "1 task");
        assert_eq!(tl!(Locale::en, common.tasks, count = 3), "3 tasks");
        assert_eq!(tl!(Locale::zh_Hans, common.tasks, count = 3), "3 个任务");
    }
}
