//! Where a redirect may go: only to a path on this site. `next` after log-in
//! and the page a failed plain form is sent back to come from the request, so
//! an attacker can choose them; they are parsed as URLs against the site's
//! address (the `url` crate, the WHATWG rules browsers use) and kept only when
//! they stay on the same origin.

use url::Url;

/// The path and query `raw` points to, if it is on the same origin as
/// `site` (e.g. `http://127.0.0.1:3000`); `None` for anything that would leave
/// the site: `//evil.example`, `/\evil.example`, `https://evil.example`,
/// `/\t/evil.example`, a path that normalises to `//…`.
pub fn local_path(raw: &str, site: &str) -> Option<String> {
    let base = Url::parse(site).ok()?;
    let target = base.join(raw.trim()).ok()?;
    if target.origin() != base.origin() || !target.origin().is_tuple() {
        return None;
    }
    let path = target.path();
    // a Location of `//x` is read as another host, `/\x` too by some browsers
    if !path.starts_with('/') || path.starts_with("//") || path.starts_with("/\\") {
        return None;
    }
    Some(match target.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    })
}

/// The path and query of an absolute URL such as a `Referer`, as a local path
/// (`None` when it is not a URL or its path would leave the site).
pub fn local_path_of_url(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    let path_and_query = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_string(),
    };
    local_path(
        &path_and_query,
        parsed.origin().ascii_serialization().as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "http://127.0.0.1:3000";

    #[test]
    fn a_path_on_the_site_is_kept_with_its_query() {
        assert_eq!(
            local_path("/p/WM/m/M1?tab=evidence", SITE).as_deref(),
            Some("/p/WM/m/M1?tab=evidence")
        );
        assert_eq!(local_path("/", SITE).as_deref(), Some("/"));
        assert_eq!(
            local_path("http://127.0.0.1:3000/p/WM", SITE).as_deref(),
            Some("/p/WM")
        );
        assert_eq!(
            local_path("/%5Cevil.example", SITE).as_deref(),
            Some("/%5Cevil.example")
        );
        assert_eq!(
            local_path("/%09/evil.example", SITE).as_deref(),
            Some("/%09/evil.example")
        );
    }

    #[test]
    fn anything_that_leaves_the_site_is_refused() {
        for raw in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "https://evil.example",
            "http://127.0.0.1:3001/",
            "https://127.0.0.1:3000/",
            "/.//evil.example",
            "/..//evil.example",
            "javascript:alert(1)",
            "data:text/html,x",
        ] {
            assert_eq!(local_path(raw, SITE), None, "{raw:?}");
        }
    }

    #[test]
    fn a_referer_gives_its_path_but_never_a_protocol_relative_one() {
        assert_eq!(
            local_path_of_url("http://localhost/p/WM/m/M1?x=1").as_deref(),
            Some("/p/WM/m/M1?x=1")
        );
        assert_eq!(local_path_of_url("http://localhost//evil.example/x"), None);
        assert_eq!(local_path_of_url("not a url"), None);
    }
}
