//! A new user's first hour: the pages say things in words and in the reader's language, forms
//! forgive, and nobody loses their way (issue 9).

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

/// Waits until the search page for `query` lists `count` results.
async fn search_until(app: &TestApp, query: &str, count: &str) -> Page {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = app.get(&format!("/jobs?{query}")).await;
        if page.contains(count) {
            return page;
        }
        assert!(
            Instant::now() < deadline,
            "{query} never gave {count:?}:\n{}",
            page.text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn in_danish(app: &TestApp) {
    let page = app.get("/").await;
    page.form("Dansk").submit(app).await;
}

story!(one_job_is_one_job_in_both_languages, |app| {
    let company = fixtures::company(&app, "Ental ApS", "10000009").await;
    fixtures::published(
        &app,
        &company,
        content("Ental udvikler", "Vi søger en udvikler.", "751"),
    )
    .await;
    let page = search_until(&app, "q=ental", "1 job").await;
    assert!(!page.contains("1 jobs"), "{}", page.text());
    in_danish(&app).await;
    let page = app.get("/jobs?q=ental").await;
    assert!(page.contains("1 job ·"), "{}", page.text());
});

/// No `2026-12-01` or `2026-12-01T10:00:00Z` anywhere in the visible text.
fn assert_dates_in_words(page: &Page) {
    let text = page.text();
    let bytes = text.as_bytes();
    for i in 0..bytes.len().saturating_sub(9) {
        let iso = bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && bytes[i + 4] == b'-'
            && bytes[i + 5..i + 7].iter().all(u8::is_ascii_digit)
            && bytes[i + 7] == b'-';
        assert!(
            !iso,
            "a machine date on {}: {}",
            page.url,
            &text[i..(i + 25).min(text.len())]
        );
    }
}

fn today(lang: jobboard::web::Lang) -> String {
    jobboard::ads::view::instant(lang, time::OffsetDateTime::now_utc())
}

story!(dates_are_written_in_words_in_the_readers_language, |app| {
    use jobboard::web::Lang;
    // Cookie settings and the receipt.
    let page = app.get("/cookies/settings?back=/jobs").await;
    page.form("Save my choices").submit(&app).await;
    let settings = app.get("/cookies/settings").await;
    assert!(
        settings.contains(&format!("Your current choice was made on {}.", today(Lang::En))),
        "{}",
        settings.text()
    );
    let receipt = app.get("/cookies/receipt").await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(receipt.contains(&today(Lang::En)), "{}", receipt.text());
    assert_dates_in_words(&receipt);

    // The mailbox and the employer's dashboard.
    app.registered_employer("hr@dato.dk", "Dato ApS", "24256790")
        .await;
    let mailbox = app.get("/mailbox").await;
    assert!(mailbox.contains(&today(Lang::En)), "{}", mailbox.text());
    assert_dates_in_words(&mailbox);
    app.login("hr@dato.dk", PASSWORD).await;
    let page = app.get("/employer/ads/new").await;
    page.form("Save draft")
        .fill("Job title", "Datoassistent")
        .submit(&app)
        .await;
    let dashboard = app.get("/employer/ads").await;
    assert!(dashboard.contains(&today(Lang::En)), "{}", dashboard.text());
    assert_dates_in_words(&dashboard);

    in_danish(&app).await;
    for path in ["/employer/ads", "/cookies/receipt", "/mailbox"] {
        let page = app.get(path).await;
        assert!(page.contains(&today(Lang::Da)), "{path}: {}", page.text());
        assert_dates_in_words(&page);
    }
});

story!(saving_cookie_choices_says_so, |app| {
    let page = app.get("/cookies/settings?back=/jobs").await;
    let page = page
        .form("Save my choices")
        .fill("Statistics", "on")
        .submit(&app)
        .await;
    assert_eq!(page.url.path(), "/jobs", "back where the visitor was");
    assert!(
        page.contains("Your cookie choices are saved."),
        "{}",
        page.text()
    );
    let again = app.get("/jobs").await;
    assert!(!again.contains("Your cookie choices are saved."), "said once");

    in_danish(&app).await;
    let page = app.get("/cookies/settings?back=/").await;
    let page = page.form("Gem mine valg").submit(&app).await;
    assert!(page.contains("Dine cookievalg er gemt."), "{}", page.text());
});
