//! What a form may send: a small body whatever carries its CSRF token, and text that is valid
//! UTF-8 (refused with a 400, never silently replaced).

use reqwest::{StatusCode, multipart};

use crate::applications::{pdf, upload_document};
use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

/// The session's CSRF token, from the hidden field of a page's form.
fn csrf_of(page: &Page) -> String {
    page.document()
        .select(&scraper::Selector::parse("input[name=csrf]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_string))
        .expect("a form with a CSRF token")
}

// Just over the 256 KiB limit: the server stops reading there, and a client still writing a
// much larger body would see the connection close before it reads the answer.
story!(a_large_form_is_refused_whatever_carries_its_token, |app| {
    let token = csrf_of(&app.get("/login").await);
    let huge = format!("email={}&password=x", "a".repeat(300 * 1024));
    let in_query = app
        .client
        .post(app.url(&format!("/login?csrf={token}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge.clone());
    let in_header = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-csrf-token", &token)
        .body(huge.clone());
    // The language switch needs no token at all.
    let exempt = app
        .client
        .post(app.url("/language"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("lang=da&return_to={}", "a".repeat(300 * 1024)));
    for request in [in_query, in_header, exempt] {
        let page = Page::from(request.send().await.unwrap()).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.text());
        assert!(page.contains("The form is too large."), "{}", page.text());
        assert!(page.body.len() < 64 * 1024, "the form is not echoed back");
    }
});

story!(text_that_is_not_utf8_is_refused, |app| {
    let token = csrf_of(&app.get("/login").await);
    // "%FF" decodes to a byte that is no UTF-8; it used to become "\u{FFFD}" silently.
    let response = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={token}&email=s%F8ren%40example.com&password=x"
        ))
        .send()
        .await
        .unwrap();
    let page = Page::from(response).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("The form contains characters that are not valid text (UTF-8)."),
        "{}",
        page.text()
    );
    let page = app.get("/jobs?q=sygeplejerske%FF").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // Correct UTF-8 passes, encoded or not.
    assert_eq!(app.get("/jobs?q=s%C3%B8ren").await.status, StatusCode::OK);

    // The same in a multipart form: a cover letter in Latin-1.
    let company = fixtures::company(&app, "Tegn ApS", "24256790").await;
    let ad = fixtures::published(
        &app,
        &company,
        content("Tømrer", "Vi søger en tømrer til vores værksted.", "101"),
    )
    .await;
    app.registered_seeker("latin1@example.com").await;
    app.login("latin1@example.com", PASSWORD).await;
    upload_document(&app, "cv", "cv.pdf", pdf("a CV")).await;
    let action = app.get(&format!("/jobs/{ad}/apply")).await.upload_action();
    let letter = b"K\xe6re virksomhed, jeg vil gerne arbejde hos jer.".to_vec();
    let response = app
        .client
        .post(app.url(&action))
        .multipart(multipart::Form::new().part("cover_letter", multipart::Part::bytes(letter)))
        .send()
        .await
        .unwrap();
    let page = Page::from(response).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.contains("not valid text (UTF-8)"), "{}", page.text());
});
