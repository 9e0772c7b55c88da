//! E-mail: through a real SMTP server process, through the outbox across a restart, and the
//! local mailbox of embedded mode.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;

/// Registers `email` through the pages (the verification e-mail is then queued).
async fn register(app: &TestApp, email: &str) {
    let page = app.get("/register").await;
    let page = page
        .form("Create account")
        .fill("Your name", "Mail Tester")
        .fill("E-mail address", email)
        .fill("New password", PASSWORD)
        .submit(app)
        .await;
    assert_eq!(page.heading(), "Check your e-mail");
}

async fn smtp_story(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let env = TestEnv::new(backend).await;
    let app = TestApp::start(
        env,
        Options::default().with("JOBBOARD_SMTP_URL", &smtp.url()),
    )
    .await;
    register(&app, "smtp@example.com").await;

    let mails = smtp.received("smtp@example.com", 1).await;
    let mail = &mails[0];
    assert_eq!(mail.subject, "Verify your e-mail address");
    assert!(
        mail.raw.contains("multipart/alternative"),
        "text and HTML parts"
    );
    assert!(mail.html.contains("<a href="));
    // The link from the real e-mail verifies the account.
    let page = app.get(&mail.link("/verify-email")).await;
    let page = page.form("Verify my e-mail address").submit(&app).await;
    assert!(page.contains("Your e-mail address is verified"));

    // With a mail server configured, there is no local mailbox.
    assert_eq!(app.get("/mailbox").await.status, StatusCode::NOT_FOUND);
    assert!(!app.get("/").await.contains("Local mailbox"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_through_a_real_smtp_server_on_sqlite() {
    smtp_story(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_through_a_real_smtp_server_on_postgres() {
    if TestEnv::postgres_if_configured().await.is_some() {
        smtp_story(Backend::Postgres).await;
    }
}

/// Mail queued while the SMTP server is down survives a restart and is delivered exactly once.
async fn outbox_restart_story(backend: Backend) {
    let port = free_port();
    let env = TestEnv::new(backend).await;
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let app = TestApp::start(env, Options::default().with("JOBBOARD_SMTP_URL", &smtp_url)).await;
    register(&app, "queued@example.com").await;

    // Nobody listens yet: the worker tries, fails, and backs off.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let attempts: i32 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT attempts FROM outbox WHERE recipient = 'queued@example.com'"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        if attempts >= 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the worker never tried"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let env = app.stop().await;

    let smtp = SmtpServer::start_on(port).await;
    let app = TestApp::start(env, Options::default().with("JOBBOARD_SMTP_URL", &smtp_url)).await;
    let mails = smtp.received("queued@example.com", 1).await;
    assert_eq!(mails[0].subject, "Verify your e-mail address");
    // Give a duplicate every chance to appear, then check there is none.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        smtp.received_now("queued@example.com").len(),
        1,
        "sent exactly once"
    );
    let (sent, body): (bool, String) = jobboard::db_run!(pool & app.state.db, |p| {
        sqlx::query_as(
        "SELECT sent_at IS NOT NULL, body_text FROM outbox WHERE recipient = 'queued@example.com'"
    ).fetch_one(p).await
    })
    .unwrap();
    assert!(sent);
    assert!(body.is_empty(), "a delivered message's body is not kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_survives_a_restart_on_sqlite() {
    outbox_restart_story(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_survives_a_restart_on_postgres() {
    if TestEnv::postgres_if_configured().await.is_some() {
        outbox_restart_story(Backend::Postgres).await;
    }
}

crate::story!(
    the_local_mailbox_lists_written_mail_in_embedded_mode,
    |app| {
        register(&app, "mailbox@example.com").await;
        app.mails_to("mailbox@example.com", 1).await;
        let page = app.get("/").await;
        assert!(page.contains("Local mailbox"));
        let page = app.get("/mailbox").await;
        assert_eq!(page.heading(), "Local mailbox");
        assert!(page.contains("mailbox@example.com"));
        let href = page
            .document()
            .select(&scraper::Selector::parse("td a").unwrap())
            .find(|a| a.text().collect::<String>() == "Verify your e-mail address")
            .and_then(|a| a.value().attr("href").map(str::to_string))
            .expect("a link to the message");
        let page = app.get(&href).await;
        assert!(page.contains("Welcome to jobboard"));
        // The verification link is clickable right there.
        let link = page
            .document()
            .select(&scraper::Selector::parse(".mail-body a").unwrap())
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .find(|h| h.contains("/verify-email"))
            .expect("a clickable verification link");
        let page = app.get(&link).await;
        assert!(page.has_form("Verify my e-mail address"));
        assert_eq!(
            app.get("/mailbox/../../etc/passwd").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

crate::story!(emails_are_written_in_the_language_the_person_used, |app| {
    let response = app
        .client
        .get(app.url("/register"))
        .header("accept-language", "da-DK,da;q=0.9")
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    assert!(html.contains("Opret dig som jobsøger"));
    // Switch to Danish for the rest of the session.
    let page = app.get("/register").await;
    let page = page.form("Dansk").submit(&app).await;
    assert_eq!(page.heading(), "Opret dig som jobsøger");
    let page = page
        .form("Opret konto")
        .fill("Dit navn", "Mette Holm")
        .fill("E-mailadresse", "mette@example.dk")
        .fill("Ny adgangskode", PASSWORD)
        .submit(&app)
        .await;
    assert_eq!(page.heading(), "Tjek din e-mail");
    let mail = app
        .mail("mette@example.dk", "Bekræft din e-mailadresse")
        .await;
    assert!(mail.text.contains("Hej Mette Holm"));
});
