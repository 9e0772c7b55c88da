//! What an attacker tries first: the local mailbox, redirects to other sites, forged origins,
//! markup smuggled into inline JSON, odd methods, and personal pages left in caches.

use reqwest::{StatusCode, header};
use scraper::Selector;

use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

/// The same browser (cookies) that does not follow redirects, to read where they point.
fn not_following(app: &TestApp) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(app.jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// E-mails still go to files on SQLite without the setting, but nobody can read them here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_demo_setting_the_mailbox_does_not_exist() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let app = TestApp::start(
        env,
        Options::default().with("JOBBOARD_LOCAL_MAILBOX", "off"),
    )
    .await;
    app.registered_seeker("anna@example.com").await;
    // A stranger asks for a reset link for Anna's account and looks for the mailbox.
    let page = app
        .get("/password/forgot")
        .await
        .form("Send me a link")
        .fill("E-mail address", "anna@example.com")
        .submit(&app)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    app.mail("anna@example.com", "Choose a new password").await;
    let home = app.get("/").await;
    assert!(!home.contains("Local mailbox"), "no link in the header");
    assert_eq!(app.get("/mailbox").await.status, StatusCode::NOT_FOUND);
    let file = std::fs::read_dir(app.mail_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".eml"))
        .expect("the reset e-mail was written");
    assert_eq!(
        app.get(&format!("/mailbox/{file}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mailbox_is_never_served_on_an_https_deployment() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let options = Options::default().with("JOBBOARD_BASE_URL", "https://jobs.example.dk");
    let app = TestApp::start(env, options).await;
    assert_eq!(app.get("/mailbox").await.status, StatusCode::NOT_FOUND);
    assert!(!app.get("/").await.contains("Local mailbox"));
}

/// PostgreSQL means production: without a mail server (and without the explicit mailbox
/// setting) the server refuses to start instead of writing mail nobody reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_without_a_mail_server_refuses_to_serve() {
    let Some(env) = TestEnv::postgres_if_configured().await else {
        return;
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = TestApp::config(
        &env,
        addr,
        Options::default().with("JOBBOARD_LOCAL_MAILBOX", "off"),
    );
    let state = jobboard::app::prepare(config).await.expect("prepare");
    let outcome =
        jobboard::app::serve(state, listener, tokio_util::sync::CancellationToken::new()).await;
    let message = outcome.expect_err("refused to serve").to_string();
    assert!(message.contains("JOBBOARD_SMTP_URL"), "{message}");
}

story!(
    asked_for_the_mailbox_shows_the_mail_to_this_machine,
    |app| {
        app.registered_seeker("anna@example.com").await;
        let home = app.get("/").await;
        assert!(home.contains("Local mailbox"));
        let mailbox = app.get("/mailbox").await;
        assert_eq!(mailbox.status, StatusCode::OK);
        assert!(mailbox.contains("anna@example.com"));
        assert_eq!(
            mailbox.headers[header::CACHE_CONTROL],
            "private, no-store",
            "reset links must not stay in a cache"
        );
    }
);

story!(redirect_targets_stay_on_this_site, |app| {
    app.registered_seeker("anna@example.com").await;
    let client = not_following(&app);
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
    ] {
        let login = app
            .get(&format!(
                "/login?{}",
                serde_urlencoded::to_string([("next", next)]).unwrap()
            ))
            .await;
        let form = login
            .form("Log in")
            .fill("E-mail address", "anna@example.com")
            .fill("Password", PASSWORD);
        let response = form.submit_raw(&client).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        let location = response.headers()[header::LOCATION].to_str().unwrap();
        assert!(
            location.starts_with('/') && !location.starts_with("//"),
            "{next:?} led to {location:?}"
        );
        assert!(!location.contains("evil"), "{next:?} led to {location:?}");
        app.logout().await;
    }

    // Control characters in the language switch's way back: a redirect home, not a 500.
    let page = app.get("/jobs").await;
    for return_to in [
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\u{b}x",
        "/\u{c}x",
    ] {
        let form = page
            .form("Dansk")
            .without("return_to")
            .set("return_to", return_to);
        let response = form.submit_raw(&client).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{return_to:?}");
        assert_eq!(response.headers()[header::LOCATION], "/", "{return_to:?}");
    }
});

story!(a_null_origin_is_refused_like_a_foreign_one, |app| {
    let page = app.get("/jobs").await;
    let form = page.form("Dansk");
    for origin in ["null", "https://evil.example"] {
        let response = form
            .clone()
            .submit_raw_with_header(&not_following(&app), header::ORIGIN, origin)
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "Origin: {origin}");
    }
});

story!(an_ad_title_cannot_break_its_page_or_its_json_ld, |app| {
    let company = fixtures::company(&app, "Nordlys ApS", "24256790").await;
    let title = "<!--<script> Udvikler </script> & co";
    let id = fixtures::published(&app, &company, content(title, "Rust og SQL.", "751")).await;
    let page = app.get(&format!("/jobs/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.heading(), title, "the heading is there, as typed");
    let doc = page.document();
    assert!(
        doc.select(&Selector::parse("footer").unwrap())
            .next()
            .is_some(),
        "the rest of the page survived"
    );
    let script = doc
        .select(&Selector::parse("script[type='application/ld+json']").unwrap())
        .next()
        .expect("JSON-LD");
    let raw = script.inner_html();
    assert!(!raw.contains('<') && !raw.contains('&'), "{raw}");
    let json: serde_json::Value = serde_json::from_str(&raw).expect("JSON-LD parses");
    assert_eq!(json["title"], title);
});

story!(methods_no_route_takes_get_405, |app| {
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let response = app
            .client
            .request(method.clone(), app.url("/jobs"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        assert!(response.headers().contains_key(header::ALLOW));
        let text = response.text().await.unwrap();
        assert!(!text.contains("The form has expired"), "{text}");
    }
});

story!(personal_pages_are_not_kept_in_caches, |app| {
    app.registered_seeker("anna@example.com").await;
    app.login("anna@example.com", PASSWORD).await;
    for path in [
        "/account",
        "/account/privacy",
        "/applications",
        "/profile",
        "/documents",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let cache = page.headers[header::CACHE_CONTROL].to_str().unwrap();
        assert!(cache.contains("no-store"), "{path}: {cache}");
    }
});

story!(
    the_openapi_document_states_the_limits_of_each_parameter,
    |app| {
        let doc: serde_json::Value = app.get_json("/api/v1/openapi.json").await;
        let param = |path: &str, name: &str| {
            doc["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{path} has no {name}"))
                .clone()
        };
        assert!(doc["paths"]["/api/v1/ads/{id}"]["get"]["responses"]["400"].is_object());
        let radius = param("/api/v1/search", "radius-km");
        assert_eq!(radius["schema"]["maximum"], 1000.0);
        assert_eq!(radius["schema"]["minimum"], 0.1);
        assert_eq!(
            param("/api/v1/stream", "since")["schema"]["format"],
            "date-time"
        );
        let q = param("/api/v1/typeahead", "q");
        assert_eq!(q["required"], false);
        assert!(q["description"].as_str().unwrap().contains("Without `q`"));
        // What the document says about typeahead without q is what the API does.
        let answer: serde_json::Value = app.get_json("/api/v1/typeahead").await;
        assert_eq!(answer["suggestions"], serde_json::json!([]));
    }
);
