//! The coarse name of a browser and its system ("Firefox on Windows"), kept with a signed-in
//! session so the privacy centre can say which device each session is. Only the family of
//! each is kept, never the version or the rest of the User-Agent, which could single a
//! person out.

/// "Browser on system" from a User-Agent header, or `None` when neither is recognised.
pub fn label(user_agent: &str) -> Option<String> {
    let has = |needle: &str| user_agent.contains(needle);
    // Order matters: Edge and Opera say "Chrome", Chrome says "Safari".
    let browser = if has("Edg/") || has("EdgiOS") || has("EdgA/") {
        Some("Edge")
    } else if has("OPR/") || has("Opera") {
        Some("Opera")
    } else if has("Firefox/") || has("FxiOS") {
        Some("Firefox")
    } else if has("Chrome/") || has("CriOS") || has("Chromium/") {
        Some("Chrome")
    } else if has("Safari/") {
        Some("Safari")
    } else {
        None
    };
    let system = if has("iPhone") || has("iPad") || has("iPod") {
        Some("iOS")
    } else if has("Android") {
        Some("Android")
    } else if has("Windows") {
        Some("Windows")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Mac OS X") || has("Macintosh") {
        Some("macOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => Some(format!("{b} on {s}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_string()),
        (None, None) => None,
    }
}

/// Words in a User-Agent that mark a program rather than a person's browser.
const ROBOT_WORDS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "scrape",
    "fetch",
    "preview",
    "headless",
    "monitor",
    "check",
    "lighthouse",
    "facebookexternalhit",
    "python",
    "curl",
    "wget",
    "java/",
    "go-http",
];

/// The ad statistics' rule for telling a person from a program, by the User-Agent alone: a
/// request counts if its User-Agent starts with `Mozilla/` (as every mainstream browser's
/// does) and contains none of `ROBOT_WORDS` (case-insensitive). Search-engine crawlers,
/// link previewers, monitoring and scripts, and requests without a User-Agent do not count.
/// Simple on purpose: it is documented in the README, and a program that poses as a browser
/// is counted like one.
pub fn is_browser(user_agent: &str) -> bool {
    let lower = user_agent.to_ascii_lowercase();
    lower.starts_with("mozilla/") && !ROBOT_WORDS.iter().any(|word| lower.contains(word))
}

/// Whether a request counts for the ad statistics: a GET from a browser (`is_browser`) that
/// is not a prefetch (`Sec-Purpose` or `Purpose: prefetch`, which no person asked for yet).
pub struct Countable(pub bool);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Countable {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        };
        let prefetch =
            header("sec-purpose").contains("prefetch") || header("purpose").contains("prefetch");
        Ok(Countable(
            parts.method == axum::http::Method::GET
                && !prefetch
                && is_browser(header("user-agent")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::{is_browser, label};

    #[test]
    fn browsers_count_and_robots_do_not() {
        for agent in [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        ] {
            assert!(is_browser(agent), "{agent}");
        }
        for agent in [
            "",
            "curl/8.5.0",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
            "facebookexternalhit/1.1",
            "python-requests/2.32",
        ] {
            assert!(!is_browser(agent), "{agent}");
        }
    }

    #[test]
    fn browsers_and_systems_by_family_only() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Windows",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iOS",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
        ];
        for (agent, expected) in cases {
            assert_eq!(label(agent).as_deref(), Some(expected), "{agent}");
        }
        assert_eq!(label("curl/8.5.0"), None);
        assert_eq!(label(""), None);
    }
}
