//! Times as the reader reads them. Every time is stored and exported in UTC
//! (RFC 3339, `Z`), and the signed certificate payload keeps UTC; pages show
//! it in the reader's time zone: the `attest_tz` cookie, set from the user's
//! setting (/account) at log-in, or from the browser's own zone the first
//! time a page runs with JavaScript. Without either, pages say UTC.
//!
//! The server reads the cookie from the request; the browser reads it once
//! when the app starts, so a hydrated page formats exactly as its server
//! render did.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The cookie holding the reader's IANA time-zone name.
pub const TZ_COOKIE: &str = "attest_tz";

/// A time zone by its IANA name (`Asia/Shanghai`, `UTC`).
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

pub use crate::domain::format::utc_when;

/// `ts` in `zone`: `2026-11-23 15:40 CST` (the zone's abbreviation, or its
/// offset where it has none, like `+04`).
pub fn in_zone(ts: &str, zone: Tz) -> Option<String> {
    let t: DateTime<Utc> = DateTime::parse_from_rfc3339(ts).ok()?.with_timezone(&Utc);
    Some(
        t.with_timezone(&zone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string(),
    )
}

/// A stored time for a page: in the reader's zone, UTC if they have none.
pub fn when(ts: &str) -> String {
    match reader_zone() {
        Some(zone) if zone != Tz::UTC => in_zone(ts, zone).unwrap_or_else(|| utc_when(ts)),
        _ => utc_when(ts),
    }
}

/// The zone named by a `Cookie` header's `attest_tz`.
pub fn zone_from_cookie_header(header: &str) -> Option<Tz> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == TZ_COOKIE)
        .and_then(|(_, v)| parse_zone(&v.replace("%2F", "/")))
}

#[cfg(feature = "ssr")]
fn reader_zone() -> Option<Tz> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
    let header = parts
        .headers
        .get(axum::http::header::COOKIE)?
        .to_str()
        .ok()?;
    zone_from_cookie_header(header)
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn reader_zone() -> Option<Tz> {
    thread_local! {
        static ZONE: Option<Tz> = browser_cookie().and_then(|c| zone_from_cookie_header(&c));
    }
    ZONE.with(|z| *z)
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn reader_zone() -> Option<Tz> {
    None
}

#[cfg(feature = "hydrate")]
fn browser_cookie() -> Option<String> {
    use wasm_bindgen::JsCast;
    web_sys::window()?
        .document()?
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?
        .cookie()
        .ok()
}

/// With JavaScript, the first page a reader without a zone opens sets the
/// cookie to the browser's zone (for the pages they open next).
pub fn remember_browser_zone() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if browser_cookie().is_some_and(|c| zone_from_cookie_header(&c).is_some()) {
            return;
        }
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        let Some(zone) = js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|z| z.as_string())
            .filter(|z| parse_zone(z).is_some())
        else {
            return;
        };
        if let Some(doc) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let _ = doc.set_cookie(&format!(
                "{TZ_COOKIE}={zone}; Path=/; Max-Age=31536000; SameSite=Lax"
            ));
        }
    }
}

/// The `Set-Cookie` value that makes `zone` the reader's zone for a year.
pub fn zone_cookie(zone: Tz, secure: bool) -> String {
    format!(
        "{TZ_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        zone.name(),
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_readers_zone() {
        let ts = "2026-11-23T07:40:00Z";
        assert_eq!(utc_when(ts), "2026-11-23 07:40 UTC");
        assert_eq!(
            in_zone(ts, chrono_tz::Asia::Shanghai).unwrap(),
            "2026-11-23 15:40 CST"
        );
        // New York in November is on standard time, in July on daylight time
        assert_eq!(
            in_zone(ts, chrono_tz::America::New_York).unwrap(),
            "2026-11-23 02:40 EST"
        );
        assert_eq!(
            in_zone("2026-07-01T12:00:00Z", chrono_tz::America::New_York).unwrap(),
            "2026-07-01 08:00 EDT"
        );
        assert!(in_zone("yesterday", chrono_tz::UTC).is_none());
    }

    #[test]
    fn the_zone_comes_from_its_cookie_and_nothing_else() {
        assert_eq!(
            zone_from_cookie_header("id=abc; attest_tz=Asia/Shanghai; x=1"),
            Some(chrono_tz::Asia::Shanghai)
        );
        assert_eq!(
            zone_from_cookie_header("attest_tz=Europe%2FBerlin"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(zone_from_cookie_header("attest_tz=Mars/Olympus"), None);
        assert_eq!(zone_from_cookie_header("other_tz=Asia/Shanghai"), None);
        assert_eq!(parse_zone(" UTC "), Some(chrono_tz::UTC));
    }
}
