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
