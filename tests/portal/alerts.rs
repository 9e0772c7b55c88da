//! Job alerts: a seeker saves a search from the search page, new matching ads arrive by e-mail
//! (through a real SMTP server) daily or weekly with one-click unsubscribe, alerts stop after
//! two years without a login, and nobody touches another person's alerts.

use std::time::{Duration, Instant};

use jobboard::{db::now, db_run, marketing::consent};
use reqwest::StatusCode;

use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::newsletter::{csrf_token, one_click, one_click_url};
use crate::{smtp_story, story};

/// Registers a seeker through the pages, verifying with the e-mail the SMTP server received,
/// and logs them in.
async fn seeker_via_smtp(app: &TestApp, smtp: &SmtpServer, email: &str) -> i64 {
    let page = app.get("/register").await;
    page.form("Create account")
        .fill("Your name", "Alma Alert")
        .fill("E-mail address", email)
        .fill("New password", PASSWORD)
        .submit(app)
        .await;
    let mails = smtp.received(email, 1).await;
    let page = app.get(&mails[0].link("/verify-email")).await;
    page.form("Verify my e-mail address").submit(app).await;
    app.login(email, PASSWORD).await;
    user_id(app, email).await
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_one(p)
    .await)
    .unwrap()
}

/// Saves the search at `/jobs?{query}` as an alert, as a seeker does on the search page.
async fn create_alert(app: &TestApp, query: &str, frequency: &str) -> Page {
    let page = app.get(&format!("/jobs?{query}")).await;
    let page = page
        .form("Create job alert")
        .fill("How often", frequency)
        .submit(app)
        .await;
    assert!(page.contains("Your job alert is saved"), "{}", page.text());
    assert_eq!(page.heading(), "My job alerts");
    page
}

async fn alert_ids(app: &TestApp, user: i64) -> Vec<i64> {
    db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM job_alerts WHERE user_id = $1 ORDER BY id"
    )
    .bind(user)
    .fetch_all(p)
    .await)
    .unwrap()
}

/// Makes an alert's last run `ago` in the past, as if time had passed.
async fn last_run(app: &TestApp, alert: i64, ago: time::Duration) {
    db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE job_alerts SET last_run_at = $1 WHERE id = $2"
    )
    .bind(now() - ago)
    .bind(alert)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
}

/// Publishes an ad and waits until this node's search index holds it.
async fn publish(
    app: &TestApp,
    company: &fixtures::Company,
    title: &str,
    municipality: &str,
) -> i64 {
    let id = fixtures::published(
        app,
        company,
        content(title, "Vi søger en kollega til vores team.", municipality),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.state.search.contains(id).unwrap() {
        assert!(Instant::now() < deadline, "ad {id} never indexed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    id
}

async fn status(app: &TestApp, alert: i64) -> (String, Option<String>) {
    db_run!(pool & app.state.db, |p| sqlx::query_as(
        "SELECT status, stop_reason FROM job_alerts WHERE id = $1"
    )
    .bind(alert)
    .fetch_one(p)
    .await)
    .unwrap()
}

/// The job-alert e-mail among a seeker's e-mails (Maildir names do not sort by arrival).
fn alert_mail(mails: &[Mail]) -> &Mail {
    mails
        .iter()
        .find(|m| m.subject.starts_with("New jobs for you"))
        .unwrap_or_else(|| panic!("no job-alert e-mail among {mails:?}"))
}

/// Waits a little and checks that nothing more arrived.
async fn no_more_mail(smtp: &SmtpServer, to: &str, expected: usize) {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        smtp.received_now(to).len(),
        expected,
        "no further e-mail to {to}"
    );
}

smtp_story!(
    an_alert_mails_new_matching_ads_and_unsubscribes_in_one_click,
    |app, smtp| {
        let company = fixtures::company(&app, "Nordlys ApS", "24256790").await;
        let old = publish(&app, &company, "Rust udvikler (gammel)", "751").await;
        let seeker = "alma@example.com";
        let user = seeker_via_smtp(&app, &smtp, seeker).await;

        let page = create_alert(&app, "q=rust&municipality=751&page=2", "daily").await;
        assert!(page.contains("“rust” · Aarhus"), "{}", page.text());
        let alert = alert_ids(&app, user).await[0];
        let saved: String = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT query FROM job_alerts WHERE id = $1"
        )
        .bind(alert)
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(
            saved, "q=rust&municipality=751",
            "the search, not the page of it"
        );
        let steps = consent::history_by_user(&app.state.db, user).await.unwrap();
        assert_eq!(steps.len(), 1);
        assert_eq!(
            (steps[0].purpose.as_str(), steps[0].action.as_str()),
            ("job_alert", "confirmed")
        );
        assert_eq!(steps[0].alert_id, Some(alert));
        assert_eq!(steps[0].source, "/jobs");
        assert_eq!(steps[0].ip_masked.as_deref(), Some("127.0.0.0/24"));
        assert!(steps[0].text_shown.ends_with("[Create job alert]"));

        let new = publish(&app, &company, "Rust udvikler til platformsteamet", "751").await;
        let elsewhere = publish(&app, &company, "Rust udvikler i København", "101").await;
        let other = publish(&app, &company, "Bager til morgenholdet", "751").await;
        // Not yet a day: nothing is sent.
        no_more_mail(&smtp, seeker, 1).await;

        last_run(&app, alert, time::Duration::hours(25)).await;
        let mails = smtp.received(seeker, 2).await;
        let mail = alert_mail(&mails);
        assert_eq!(mail.subject, "New jobs for you: “rust” · Aarhus (1)");
        assert!(
            mail.text.contains("Rust udvikler til platformsteamet"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("Nordlys ApS · Aarhus"));
        assert!(mail.text.contains(&format!("/jobs/{new}")));
        for absent in [old, elsewhere, other] {
            assert!(
                !mail.text.contains(&format!("/jobs/{absent}\n")),
                "ad {absent}:\n{}",
                mail.text
            );
        }
        assert!(!mail.text.contains("gammel") && !mail.text.contains("Bager"));
        let url = one_click_url(mail);
        // Sent once: the alert is not due again for a day.
        no_more_mail(&smtp, seeker, 2).await;

        // A GET of the link only shows the button.
        let page = Page::from(reqwest::get(&url).await.unwrap()).await;
        assert_eq!(page.heading(), "Stop this job alert");
        assert_eq!(status(&app, alert).await.0, "active");
        assert_eq!(one_click(&url).await.status(), StatusCode::OK);
        assert_eq!(
            status(&app, alert).await,
            ("stopped".to_string(), Some("unsubscribed".to_string()))
        );
        let steps = consent::history_by_user(&app.state.db, user).await.unwrap();
        assert_eq!(steps.last().unwrap().action, "withdrawn");
        assert_eq!(steps.last().unwrap().source, "List-Unsubscribe-Post");
        let page = app.get("/alerts").await;
        assert!(page.contains("stopped (unsubscribed)"), "{}", page.text());

        // Stopped means stopped.
        publish(&app, &company, "Rust udvikler, endnu en", "751").await;
        last_run(&app, alert, time::Duration::days(3)).await;
        no_more_mail(&smtp, seeker, 2).await;
    }
);

smtp_story!(weekly_alerts_wait_a_week, |app, smtp| {
    let company = fixtures::company(&app, "Nordlys ApS", "24256790").await;
    let seeker = "wilma@example.com";
    let user = seeker_via_smtp(&app, &smtp, seeker).await;
    create_alert(&app, "q=rust", "daily").await;
    let alert = alert_ids(&app, user).await[0];

    // Changed to weekly on "My job alerts".
    let page = app.get("/alerts").await;
    let page = page
        .form("Save")
        .fill("How often", "weekly")
        .submit(&app)
        .await;
    assert!(
        page.contains("The job alert is changed."),
        "{}",
        page.text()
    );
    assert!(
        page.body.contains(r#"<option value="weekly" selected>"#),
        "{}",
        page.body
    );
    let frequency: String = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT frequency FROM job_alerts WHERE id = $1"
    )
    .bind(alert)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(frequency, "weekly");

    publish(&app, &company, "Rust udvikler søges", "751").await;
    last_run(&app, alert, time::Duration::days(2)).await;
    no_more_mail(&smtp, seeker, 1).await;
    last_run(&app, alert, time::Duration::days(8)).await;
    let mails = smtp.received(seeker, 2).await;
    let mail = alert_mail(&mails);
    assert!(mail.text.contains("Rust udvikler søges"));
    assert!(mail.text.contains("(Weekly)"), "{}", mail.text);
    one_click_url(mail);

    // Paused alerts are not sent either.
    let page = app.get("/alerts").await;
    let page = page.form("Pause").submit(&app).await;
    assert!(page.contains("The job alert is paused."));
    publish(&app, &company, "Rust udvikler nummer to", "751").await;
    last_run(&app, alert, time::Duration::days(8)).await;
    no_more_mail(&smtp, seeker, 2).await;
    // Resumed, it starts afresh from now.
    let page = app.get("/alerts").await.form("Resume").submit(&app).await;
    assert!(page.contains("The job alert is active again."));
    assert_eq!(status(&app, alert).await.0, "active");
});

story!(alerts_stop_after_two_years_without_login, |app| {
    app.registered_seeker("sleepy@example.com").await;
    app.login("sleepy@example.com", PASSWORD).await;
    create_alert(&app, "q=rust", "daily").await;
    let user = user_id(&app, "sleepy@example.com").await;
    let alert = alert_ids(&app, user).await[0];

    db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE users SET last_login_at = $1, created_at = $1 WHERE id = $2"
    )
    .bind(now() - time::Duration::days(731))
    .bind(user)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while status(&app, alert).await.0 != "stopped" {
        assert!(Instant::now() < deadline, "the alert was never stopped");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status(&app, alert).await.1.as_deref(), Some("inactive"));
    let steps = consent::history_by_user(&app.state.db, user).await.unwrap();
    let stop = steps.last().unwrap();
    assert_eq!(stop.action, "stopped");
    assert_eq!(stop.reason.as_deref(), Some("no login for 2 years"));
    assert_eq!(stop.ip_masked, None);
    let page = app.get("/alerts").await;
    assert!(
        page.contains("stopped: you had not logged in for two years"),
        "{}",
        page.text()
    );
});

story!(nobody_touches_another_seekers_alerts, |app| {
    // Visitors are invited to log in; employers get no alert form.
    let page = app.get("/jobs?q=rust").await;
    assert!(page.contains("Log in as a job seeker"), "{}", page.text());
    assert!(!page.has_form("Create job alert"));

    app.registered_seeker("owner@example.com").await;
    app.login("owner@example.com", PASSWORD).await;
    create_alert(&app, "q=rust", "daily").await;
    let owner = user_id(&app, "owner@example.com").await;
    let alert = alert_ids(&app, owner).await[0];
    app.logout().await;

    app.registered_seeker("other@example.com").await;
    app.login("other@example.com", PASSWORD).await;
    let page = app.get("/alerts").await;
    assert!(page.contains("You have no job alerts yet."));
    let csrf = csrf_token(&page);
    for (action, extra) in [
        ("delete", ""),
        ("pause", ""),
        ("resume", ""),
        ("frequency", "weekly"),
    ] {
        let page = app
            .post_form(
                &format!("/alerts/{alert}/{action}"),
                &[("csrf", &csrf), ("frequency", extra)],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(alert_ids(&app, owner).await, vec![alert]);
    let (frequency, state): (String, String) = db_run!(pool & app.state.db, |p| sqlx::query_as(
        "SELECT frequency, status FROM job_alerts WHERE id = $1"
    )
    .bind(alert)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!((frequency.as_str(), state.as_str()), ("daily", "active"));
    app.logout().await;

    // The owner deletes it; the withdrawal is recorded.
    app.login("owner@example.com", PASSWORD).await;
    let page = app
        .get("/alerts")
        .await
        .form("Delete job alert")
        .submit(&app)
        .await;
    assert!(page.contains("The job alert is deleted."));
    assert!(alert_ids(&app, owner).await.is_empty());
    let steps = consent::history_by_user(&app.state.db, owner)
        .await
        .unwrap();
    assert_eq!(
        steps.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        vec!["confirmed", "withdrawn"]
    );
    app.logout().await;

    app.registered_employer("hr@firma.dk", "Firma ApS", "24256790")
        .await;
    app.login("hr@firma.dk", PASSWORD).await;
    let page = app.get("/jobs?q=rust").await;
    assert!(!page.has_form("Create job alert"));
    let csrf = csrf_token(&app.get("/employer/settings").await);
    let page = app
        .post_form(
            "/alerts",
            &[("csrf", &csrf), ("query", "q=rust"), ("frequency", "daily")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
});
