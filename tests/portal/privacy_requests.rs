//! Requests from people without an account: a visitor files a request by e-mail verification;
//! an operator sees it in the queue with its due date, extends it with a reason the person is
//! told, and answers — an access request with the export by an expiring link, an erasure
//! request by erasing the matching account. Every step is recorded with who and when.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::privacy_centre::{EMAIL, NAME, anna_applies, entry, zip_entries};
use crate::story;

pub const OPERATOR: &str = "privacy-ops@example.com";

/// Files and verifies a request as a visitor; returns its number.
pub async fn file_request(app: &TestApp, email: &str, kind: &str, message: &str) -> i64 {
    let page = app.get("/privacy/request").await;
    assert_eq!(page.heading(), "Make a privacy request");
    let page = page
        .form("Send request")
        .fill("E-mail address", email)
        .fill("What do you ask for?", kind)
        .fill("Your message", message)
        .submit(app)
        .await;
    assert_eq!(page.heading(), "Check your e-mail", "{}", page.text());
    let mail = app.mail(email, "Confirm your privacy request").await;
    let page = app.get(&mail.link("/privacy/request/verify")).await;
    let page = page.form("Confirm my request").submit(app).await;
    assert_eq!(page.heading(), "Your request is filed", "{}", page.text());
    let text = page.text();
    let number: i64 = text
        .split("Your request has number ")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .and_then(|n| n.trim().parse().ok())
        .expect("the request number");
    // The receipt tells the due date too.
    let receipt = app
        .mail(
            email,
            &format!("We received your privacy request (no. {number})"),
        )
        .await;
    assert!(receipt.text.contains("We answer by"));
    number
}

pub async fn as_operator(app: &TestApp) {
    let page = app.login(OPERATOR, PASSWORD).await;
    assert_eq!(page.path(), "/operator");
}

story!(
    an_access_request_is_verified_extended_and_answered_with_the_export,
    |app| {
        anna_applies(&app).await;
        jobboard::accounts::cli::create_operator(&app.state.db, OPERATOR, PASSWORD)
            .await
            .unwrap();
        app.logout().await;

        // Nothing is filed before the address is verified.
        let page = app
            .get("/privacy/request")
            .await
            .form("Send request")
            .fill("E-mail address", "stranger@example.com")
            .submit(&app)
            .await;
        assert_eq!(page.heading(), "Check your e-mail");
        let number =
            file_request(&app, EMAIL, "access", "Please send me everything you hold.").await;
        // A used link does not work twice.
        let used = app.mail(EMAIL, "Confirm your privacy request").await;
        let again = app
            .get(&used.link("/privacy/request/verify"))
            .await
            .form("Confirm my request")
            .submit(&app)
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);

        // Non-operators cannot see the queue.
        assert!(
            app.get("/operator/privacy-requests")
                .await
                .path()
                .starts_with("/login")
        );
        app.login(EMAIL, PASSWORD).await;
        assert_eq!(
            app.get("/operator/privacy-requests").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&format!("/operator/privacy-requests/{number}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        app.logout().await;

        as_operator(&app).await;
        assert!(app.get("/operator").await.contains("Privacy requests"));
        let queue = app.get("/operator/privacy-requests").await;
        assert!(
            queue.contains(&format!("Request {number}")),
            "{}",
            queue.text()
        );
        assert!(queue.contains(EMAIL));
        assert!(
            !queue.contains("stranger@example.com"),
            "an unverified request is not in the queue"
        );
        let received = time::OffsetDateTime::now_utc();
        let due_at = jobboard::privacy::requests::add_months(received, 1);
        assert_eq!(due_at.month() as u8, (received.month() as u8 % 12) + 1);
        // The page shows the Copenhagen date (a day later than UTC's late in the evening).
        let due = copenhagen_date(due_at);
        let page = app
            .get(&format!("/operator/privacy-requests/{number}"))
            .await;
        assert!(page.contains("Please send me everything you hold."));
        assert!(page.contains("Yes, account number"));
        assert!(
            page.contains(&format!("{} {}", due.day(), english_month(due.month()))),
            "due one month from receipt: {}",
            page.text()
        );

        // Extension: a reason is required; the person is told the new date and why.
        let short = page
            .form("Extend the deadline")
            .fill("Reason, told to the person", "busy")
            .submit(&app)
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = short
            .form("Extend the deadline")
            .fill(
                "Reason, told to the person",
                "We received an unusual number of requests this month.",
            )
            .submit(&app)
            .await;
        assert!(page.contains("The deadline is extended and the person is told."));
        let extended = copenhagen_date(jobboard::privacy::requests::add_months(
            time::OffsetDateTime::now_utc(),
            3,
        ));
        assert!(page.contains(&format!(
            "{} {}",
            extended.day(),
            english_month(extended.month())
        )));
        assert!(!page.has_form("Extend the deadline"), "only one extension");
        let told = app
            .mail(
                EMAIL,
                &format!("More time for your privacy request (no. {number})"),
            )
            .await;
        assert!(told.text.contains("unusual number of requests"));

        // The answer carries an expiring link to the export; the link needs no login.
        let page = page
            .form("Send the answer")
            .fill(
                "Answer to the person",
                "Here is a copy of all data we hold about you.",
            )
            .submit(&app)
            .await;
        assert!(page.contains("The answer is sent."));
        let answer = app
            .mail(
                EMAIL,
                &format!("Answer to your privacy request (no. {number})"),
            )
            .await;
        assert!(
            answer
                .text
                .contains("Here is a copy of all data we hold about you.")
        );
        let link = answer.link("/privacy/request/");
        let response = app
            .other_browser()
            .client
            .get(app.url(&link))
            .send()
            .await
            .unwrap();
        let entries = zip_entries(response).await;
        let data: serde_json::Value = serde_json::from_slice(entry(&entries, "data.json")).unwrap();
        assert_eq!(data["sections"]["account"]["name"], NAME);
        assert_eq!(data["sections"]["privacy_requests"][0]["kind"], "access");
        // A tampered link does not.
        let tampered = app
            .other_browser()
            .client
            .get(app.url(&link.replace("sig=", "sig=0")))
            .send()
            .await
            .unwrap();
        assert_eq!(tampered.status(), StatusCode::NOT_FOUND);

        // Every step, with who and when.
        let page = app
            .get(&format!("/operator/privacy-requests/{number}"))
            .await;
        for step in [
            "Filed, awaiting verification",
            "Address verified, request received",
            "Deadline extended",
            "Export link sent",
            "Answered",
            "Export downloaded",
        ] {
            assert!(
                page.contains(step),
                "missing step {step:?}: {}",
                page.text()
            );
        }
        assert!(page.contains("The person (by e-mail)"));

        // The person sees the operator's actions in their centre.
        app.logout().await;
        app.login(EMAIL, PASSWORD).await;
        let centre = app.get("/account/privacy").await;
        assert!(
            centre.contains("Looked at a privacy request")
                && centre.contains("Answered a privacy request")
                && centre.contains("Privacy team"),
            "{}",
            centre.text()
        );
    }
);

story!(an_erasure_request_erases_the_matching_account, |app| {
    anna_applies(&app).await;
    jobboard::accounts::cli::create_operator(&app.state.db, OPERATOR, PASSWORD)
        .await
        .unwrap();
    app.logout().await;
    let number = file_request(&app, EMAIL, "erasure", "").await;
    as_operator(&app).await;
    let page = app
        .get(&format!("/operator/privacy-requests/{number}"))
        .await;
    let page = page
        .form("Erase and send the answer")
        .fill("Answer to the person", "Your account and data are erased.")
        .submit(&app)
        .await;
    assert!(page.contains("The answer is sent."), "{}", page.text());
    assert!(page.contains("Data erased"));
    assert!(page.contains("No account"));
    app.mail(
        EMAIL,
        &format!("Answer to your privacy request (no. {number})"),
    )
    .await;
    app.mail("karin@nordlys.dk", "er slettet (nr.").await;
    app.logout().await;
    assert_eq!(
        app.login(EMAIL, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The erasure is documented with the request it answered.
    let via: String = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT requested_via FROM erasure_records WHERE request_id = $1"
    )
    .bind(number)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(via, "privacy_request");
});

fn english_month(m: time::Month) -> &'static str {
    use time::Month::*;
    match m {
        January => "January",
        February => "February",
        March => "March",
        April => "April",
        May => "May",
        June => "June",
        July => "July",
        August => "August",
        September => "September",
        October => "October",
        November => "November",
        December => "December",
    }
}

fn copenhagen_date(at: time::OffsetDateTime) -> time::Date {
    at.to_offset(jobboard::calendar::copenhagen_offset(at))
        .date()
}
