//! What every page promises: security headers, friendly error pages, no third-party
//! requests, working probes and metrics.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::story;

story!(every_response_carries_the_security_headers, |app| {
    for path in ["/", "/login", "/no-such-page", "/healthz"] {
        let page = app.get(path).await;
        let csp = page
            .headers
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("CSP on {path}"))
            .to_str()
            .unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(page.headers["x-content-type-options"], "nosniff");
        assert_eq!(page.headers["referrer-policy"], "same-origin");
        assert!(
            page.headers.get("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
    }
});

story!(
    https_deployments_get_hsts_and_secure_cookies,
    // Production-like: https, and mail through a server (none listens; no mail is sent here).
    Options::default()
        .with("JOBBOARD_BASE_URL", "https://jobs.example.dk")
        .with("JOBBOARD_SMTP_URL", "smtp://127.0.0.1:9"),
    |app| {
        let response = app.client.get(app.url("/login")).send().await.unwrap();
        assert!(
            response
                .headers()
                .get("strict-transport-security")
                .is_some()
        );
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            cookie.contains("Secure")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
    }
);

story!(pages_without_forms_set_no_cookie, |app| {
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert!(response.headers().get("set-cookie").is_none());
    let response = app.client.get(app.url("/login")).send().await.unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.starts_with("jobboard_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    assert!(!cookie.contains("Secure"));
});

story!(pages_load_nothing_from_third_parties, |app| {
    for path in ["/", "/login", "/register", "/register?as=employer"] {
        let page = app.get(path).await;
        let doc = page.document();
        let selector = scraper::Selector::parse("[src], link[href], script").unwrap();
        for element in doc.select(&selector) {
            for attr in ["src", "href"] {
                if let Some(url) = element.value().attr(attr) {
                    assert!(url.starts_with('/'), "{path} loads {url}");
                }
            }
        }
        assert!(
            !page.body.contains("<script>"),
            "no inline script on {path}"
        );
    }
    // Assets have content-hashed names and may be cached forever.
    let page = app.get("/").await;
    let css = page
        .document()
        .select(&scraper::Selector::parse("link[rel=stylesheet]").unwrap())
        .next()
        .and_then(|l| l.value().attr("href").map(str::to_string))
        .unwrap();
    assert!(css.starts_with("/assets/style.") && css.len() > "/assets/style.css".len());
    let response = app.client.get(app.url(&css)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
});

story!(
    unknown_pages_get_a_friendly_404_in_the_readers_language,
    |app| {
        let page = app.get("/no/such/page").await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert_eq!(page.heading(), "Page not found");
        let response = app
            .client
            .get(app.url("/no/such/page"))
            .header("accept-language", "da")
            .send()
            .await
            .unwrap();
        assert!(response.text().await.unwrap().contains("Siden findes ikke"));
    }
);

story!(the_language_choice_is_remembered, |app| {
    let page = app.get("/").await;
    let page = page.form("Dansk").submit(&app).await;
    assert_eq!(page.path(), "/");
    assert!(page.contains("Find dit næste job") || page.contains("Job i Danmark"));
    let page = app.get("/login").await;
    assert_eq!(page.heading(), "Log ind");
    let page = page.form("English").submit(&app).await;
    assert_eq!(
        page.heading(),
        "Log in",
        "back on the same page, in English"
    );
});

story!(probes_and_metrics_answer, |app| {
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert!(ready.body.contains("\"database\":\"ok\""));
    let _ = app.get("/").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.body.contains("http_requests_total"));
    assert!(metrics.body.contains("mail_outbox_queued"));
});
