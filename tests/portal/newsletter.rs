//! The newsletter, through a real SMTP server process: double opt-in, the consent record of
//! each step, the List-Unsubscribe headers and one-click unsubscribe (RFC 8058), and that only
//! operators send newsletters, to confirmed subscribers only.

use std::time::Duration;

use jobboard::marketing::consent;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::story;

pub const OPERATOR: &str = "editor@example.com";

/// Runs a story on each backend with the portal sending through a real SMTP server.
#[macro_export]
macro_rules! smtp_story {
    ($name:ident, |$app:ident, $smtp:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: $crate::helpers::Backend) {
                let $smtp = $crate::helpers::SmtpServer::start().await;
                let env = $crate::helpers::TestEnv::new(backend).await;
                let $app = $crate::helpers::TestApp::start(
                    env,
                    $crate::helpers::Options::default().with("JOBBOARD_SMTP_URL", &$smtp.url()),
                )
                .await;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                run($crate::helpers::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if $crate::helpers::TestEnv::postgres_if_configured()
                    .await
                    .is_some()
                {
                    run($crate::helpers::Backend::Postgres).await;
                }
            }
        }
    };
}

/// A header of a received e-mail, unfolded.
pub fn header(mail: &Mail, name: &str) -> Option<String> {
    let message = mail_parser::MessageParser::default().parse(mail.raw.as_bytes())?;
    message
        .header_raw(name)
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The target of `List-Unsubscribe: <…>`, checked to come with the one-click header.
pub fn one_click_url(mail: &Mail) -> String {
    let value = header(mail, "List-Unsubscribe")
        .unwrap_or_else(|| panic!("no List-Unsubscribe header in:\n{}", mail.raw));
    assert_eq!(
        header(mail, "List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click"),
        "RFC 8058 one-click header"
    );
    let url = value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .expect("List-Unsubscribe is <url>");
    assert!(url.contains("/unsubscribe?"), "{url}");
    assert!(
        mail.text.contains(url),
        "the e-mail shows the same unsubscribe link:\n{}",
        mail.text
    );
    url.to_string()
}

/// What a mail program does for one-click unsubscribe: a POST without cookies or CSRF token.
pub async fn one_click(url: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("one-click POST")
}

/// The CSRF token a page's forms carry.
pub fn csrf_token(page: &Page) -> String {
    let selector = scraper::Selector::parse("input[name=csrf]").unwrap();
    page.document()
        .select(&selector)
        .next()
        .and_then(|i| i.value().attr("value"))
        .expect("a CSRF field")
        .to_string()
}

async fn sign_up(app: &TestApp, email: &str) -> Page {
    let page = app.get("/newsletter").await;
    page.form("Subscribe")
        .fill("E-mail address", email)
        .submit(app)
        .await
}

/// Writes, previews and sends a newsletter as the operator (who must be logged in).
async fn send_newsletter(app: &TestApp, subject: &str, body: &str) -> Page {
    let page = app.get("/operator/newsletter").await;
    let preview = page
        .form("Save and preview")
        .fill("Subject", subject)
        .fill("Text", body)
        .submit(app)
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    preview
        .form("Send to current subscribers")
        .submit(app)
        .await
}

async fn history(app: &TestApp, email: &str) -> Vec<consent::ConsentRecord> {
    consent::history_by_email(&app.state.db, email)
        .await
        .expect("consent history")
}

smtp_story!(double_opt_in_and_one_click_unsubscribe, |app, smtp| {
    jobboard::accounts::cli::create_operator(&app.state.db, OPERATOR, PASSWORD)
        .await
        .unwrap();
    let reader = "reader@example.com";

    // Anyone finds the sign-up in the footer.
    let home = app.get("/").await;
    assert!(home.body.contains(r#"href="/newsletter""#));
    let page = sign_up(&app, reader).await;
    assert_eq!(page.heading(), "Check your e-mail");
    let mails = smtp.received(reader, 1).await;
    assert_eq!(mails[0].subject, "Confirm your newsletter subscription");

    let steps = history(&app, reader).await;
    assert_eq!(steps.len(), 1);
    let signed_up = &steps[0];
    assert_eq!(signed_up.purpose, "newsletter");
    assert_eq!(signed_up.action, "requested");
    assert_eq!(signed_up.source, "/newsletter");
    assert_eq!(
        signed_up.policy_version,
        jobboard::privacy::policy::POLICY_VERSION
    );
    assert_eq!(signed_up.ip_masked.as_deref(), Some("127.0.0.0/24"));
    assert!(
        signed_up
            .text_shown
            .starts_with("Yes, e-mail me jobboard's newsletter.")
            && signed_up.text_shown.ends_with("[Subscribe]"),
        "{}",
        signed_up.text_shown
    );
    assert_eq!(signed_up.text_sha256.len(), 64);
    assert_eq!(signed_up.user_id, None);

    // Not confirmed yet: a newsletter sent now does not reach the address.
    app.login(OPERATOR, PASSWORD).await;
    let sent = send_newsletter(&app, "Autumn news", "Nothing yet.").await;
    assert!(
        sent.contains("The newsletter is on its way to 0 subscribers."),
        "{}",
        sent.text()
    );
    app.logout().await;

    // The link shows a button; pressing it confirms.
    let confirm = app.get(&mails[0].link("/newsletter/confirm")).await;
    assert_eq!(confirm.heading(), "Confirm your subscription");
    let done = confirm.form("Confirm my subscription").submit(&app).await;
    assert_eq!(done.heading(), "You are subscribed");
    let steps = history(&app, reader).await;
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1].action, "confirmed");
    assert_eq!(steps[1].source, "/newsletter/confirm");
    assert!(steps[1].text_shown.ends_with("[Confirm my subscription]"));
    // A used link does not work again.
    let again = app.get(&mails[0].link("/newsletter/confirm")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.heading(), "This link does not work");

    app.login(OPERATOR, PASSWORD).await;
    let sent = send_newsletter(
        &app,
        "Winter news",
        "Hello **readers**.\n\n<script>alert(1)</script>\n\n[Our jobs](https://jobs.example.com)",
    )
    .await;
    assert!(
        sent.contains("on its way to 1 subscriber."),
        "{}",
        sent.text()
    );
    assert!(
        sent.contains("Sent"),
        "the sending is recorded: {}",
        sent.text()
    );
    app.logout().await;
    let mails = smtp.received(reader, 2).await;
    let newsletter = mails.iter().find(|m| m.subject == "Winter news").unwrap();
    assert!(newsletter.html.contains("<strong>readers</strong>"));
    assert!(!newsletter.html.contains("<script"));
    assert!(newsletter.text.contains("Hello readers."));
    let url = one_click_url(newsletter);

    // A GET (a mail scanner, or a person) only shows the button.
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = Page::from(page).await;
    assert_eq!(page.heading(), "Unsubscribe from the newsletter");
    assert!(page.has_form("Unsubscribe"));
    assert_eq!(
        history(&app, reader).await.len(),
        2,
        "a GET changes nothing"
    );

    // The mail program's one-click POST unsubscribes, without session or CSRF token.
    let response = one_click(&url).await;
    assert_eq!(response.status(), StatusCode::OK);
    let steps = history(&app, reader).await;
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[2].action, "withdrawn");
    assert_eq!(steps[2].source, "List-Unsubscribe-Post");
    // Repeating it is harmless and records nothing new.
    assert_eq!(one_click(&url).await.status(), StatusCode::OK);
    assert_eq!(history(&app, reader).await.len(), 3);

    app.login(OPERATOR, PASSWORD).await;
    let sent = send_newsletter(&app, "Spring news", "More.").await;
    assert!(
        sent.contains("on its way to 0 subscribers"),
        "{}",
        sent.text()
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        smtp.received_now(reader)
            .iter()
            .all(|m| m.subject != "Spring news" && m.subject != "Autumn news"),
        "no newsletter after unsubscribing, none before confirming"
    );
    app.logout().await;

    // Changed their mind: re-subscribing is the same double opt-in again.
    let before = smtp.received_now(reader).len();
    assert_eq!(sign_up(&app, reader).await.heading(), "Check your e-mail");
    let mails = smtp.received(reader, before + 1).await;
    let confirmations: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.subject == "Confirm your newsletter subscription")
        .collect();
    assert_eq!(confirmations.len(), 2);
    // The old link stays dead; the new one works (whichever the Maildir lists first).
    let mut confirmed = 0;
    for mail in confirmations {
        let page = app.get(&mail.link("/newsletter/confirm")).await;
        if page.status == StatusCode::OK {
            let done = page.form("Confirm my subscription").submit(&app).await;
            assert_eq!(done.heading(), "You are subscribed");
            confirmed += 1;
        }
    }
    assert_eq!(confirmed, 1);
    let actions: Vec<String> = history(&app, reader)
        .await
        .into_iter()
        .map(|s| s.action)
        .collect();
    assert_eq!(
        actions,
        [
            "requested",
            "confirmed",
            "withdrawn",
            "requested",
            "confirmed"
        ]
    );
});

smtp_story!(repeated_sign_ups_reveal_nothing, |app, smtp| {
    let known = "known@example.com";
    let first = sign_up(&app, known).await;
    // Twice in a row: the same answer, and no second e-mail to flood the inbox with.
    let second = sign_up(&app, known).await;
    assert_eq!(first.heading(), second.heading());
    let mails = smtp.received(known, 1).await;
    let confirm = app.get(&mails[0].link("/newsletter/confirm")).await;
    confirm.form("Confirm my subscription").submit(&app).await;

    // Later, someone signs the confirmed address up again: the page is the same as for an
    // unknown address; only the mailbox learns that it is already subscribed.
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE newsletter_subscribers SET requested_at = $1"
    )
    .bind(jobboard::db::now() - time::Duration::hours(1))
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let for_known = sign_up(&app, known).await;
    let for_unknown = sign_up(&app, "unknown@example.com").await;
    assert_eq!(for_known.status, for_unknown.status);
    assert_eq!(for_known.text(), for_unknown.text());
    // (Maildir names do not sort by arrival within a second: find the e-mail by subject.)
    let mails = smtp.received(known, 2).await;
    assert_eq!(mails.len(), 2);
    assert!(
        mails
            .iter()
            .any(|m| m.subject == "You are already subscribed to our newsletter"),
        "{mails:?}"
    );

    // An expired confirmation link (48 hours) does not work.
    let unknown = "unknown@example.com";
    smtp.received(unknown, 1).await;
    let (id, requested_at): (i64, time::OffsetDateTime) = jobboard::db_run!(
        pool & app.state.db,
        |p| sqlx::query_as("SELECT id, requested_at FROM newsletter_subscribers WHERE email = $1")
            .bind(unknown)
            .fetch_one(p)
            .await
    )
    .unwrap();
    let long_ago = requested_at - time::Duration::hours(49);
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE newsletter_subscribers SET requested_at = $1 WHERE id = $2"
    )
    .bind(long_ago)
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let expired = jobboard::newsletter::links::confirm_link(&app.state, id, long_ago);
    let page = app.get(&expired).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.heading(), "This link does not work");
    // A forged one neither, and it looks the same.
    let forged = app
        .get(&format!(
            "/newsletter/confirm?s={id}&exp=99999999999&sig=00"
        ))
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    assert_eq!(forged.heading(), "This link does not work");
    // Nor can a forged unsubscribe link stop anyone's newsletter.
    let forged = one_click(&app.url("/unsubscribe?list=newsletter&id=1&sig=00")).await;
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        history(&app, known).await.last().unwrap().action,
        "confirmed"
    );

    // The record is append-only: the database refuses to change it.
    let changed = jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE marketing_consents SET action = 'confirmed'"
    )
    .execute(p)
    .await
    .map(|r| r.rows_affected()));
    assert!(changed.is_err(), "consent records cannot be altered");

    // Sign-ups never confirmed are forgotten after a week; confirmed ones stay.
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE newsletter_subscribers SET requested_at = $1"
    )
    .bind(jobboard::db::now() - time::Duration::days(8))
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let forgotten = jobboard::newsletter::store::forget_unconfirmed(&app.state.db)
        .await
        .unwrap();
    assert_eq!(forgotten, 1);
    let left: Vec<String> = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT email FROM newsletter_subscribers ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(left, vec![known.to_string()]);

    // A malformed address is refused on the form.
    let page = sign_up(&app, "not an address").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("E-mail address").is_some());
});

story!(logged_in_people_are_prefilled_listed_and_erasable, |app| {
    app.registered_seeker("member@example.com").await;
    app.login("member@example.com", PASSWORD).await;
    let page = app.get("/newsletter").await;
    assert_eq!(
        page.field_value("E-mail address").as_deref(),
        Some("member@example.com")
    );
    page.form("Subscribe").submit(&app).await;
    let user_id: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = 'member@example.com'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let steps = consent::history_by_user(&app.state.db, user_id)
        .await
        .unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].user_id, Some(user_id));
    assert_eq!(steps[0].email, "member@example.com");
});

story!(only_operators_compose_and_send_newsletters, |app| {
    // Nobody logged in: to the login page.
    let page = app.get("/operator/newsletter").await;
    assert!(page.path().starts_with("/login"), "{}", page.path());

    app.registered_seeker("curious@example.com").await;
    app.login("curious@example.com", PASSWORD).await;
    let page = app.get("/operator/newsletter").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Even with a valid CSRF token of their own session, a seeker cannot write or send.
    let csrf = csrf_token(&app.get("/newsletter").await);
    for path in ["/operator/newsletter", "/operator/newsletter/1/send"] {
        let page = app
            .post_form(
                path,
                &[("csrf", &csrf), ("subject", "Spam"), ("body", "Spam")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("Access denied"), "{path}: {}", page.text());
    }
    let issues: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM newsletter_issues"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(issues, 0);

    // The operator area links to the composer.
    app.logout().await;
    jobboard::accounts::cli::create_operator(&app.state.db, OPERATOR, PASSWORD)
        .await
        .unwrap();
    app.login(OPERATOR, PASSWORD).await;
    let overview = app.get("/operator").await;
    assert!(overview.body.contains(r#"href="/operator/newsletter""#));
    let page = app.get("/operator/newsletter").await;
    let page = page
        .form("Save and preview")
        .fill("Subject", "")
        .fill("Text", "")
        .submit(&app)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.field_error("Subject").is_some());
});
