//! The operator console: its front page counts what really happened; blocking a job seeker
//! ends their sessions and the login page tells them why; blocking a company takes its ads
//! off every public page, the search, the feeds, the sitemap and the API at once, and
//! unblocking brings them back; a message from the contact form reaches the inbox, is answered
//! by e-mail through a real SMTP server and deleted by the retention run a year after it was
//! closed; and no console route lets anyone but an operator in.

use std::time::{Duration, Instant};

use jobboard::db_run;
use reqwest::StatusCode;
use serde_json::Value;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

const OPS: &str = "console-ops@example.com";

/// An operator, logged in in a browser of their own.
async fn operator(app: &TestApp) -> (TestBrowser, i64) {
    let id = jobboard::accounts::cli::create_operator(&app.state.db, OPS, PASSWORD)
        .await
        .unwrap();
    let ops = app.other_browser();
    let page = ops
        .get("/login")
        .await
        .form("Log in")
        .fill("E-mail address", OPS)
        .fill("Password", PASSWORD)
        .submit_with(&ops.client)
        .await;
    let page = pass_second_factor(&ops.client, &ops.base, OPS, page).await;
    assert_eq!(page.path(), "/operator", "{}", page.text());
    assert_eq!(page.heading(), "Operator console");
    (ops, id)
}

async fn scalar(app: &TestApp, sql: &'static str, id: i64) -> i64 {
    db_run!(pool & app.state.db, |p| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(p)
        .await)
    .unwrap()
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

/// The value shown on the front page's tile `sign`.
fn tile(page: &Page, sign: &str) -> String {
    let doc = page.document();
    let selector =
        scraper::Selector::parse(&format!("li[data-sign='{sign}'] .stat-number")).unwrap();
    doc.select(&selector)
        .next()
        .unwrap_or_else(|| panic!("no tile {sign}:\n{}", page.text()))
        .text()
        .collect::<String>()
        .trim()
        .to_string()
}

fn tile_number(page: &Page, sign: &str) -> i64 {
    tile(page, sign).replace([',', '.'], "").parse().unwrap()
}

/// Today's bar of the chart whose heading has id `chart`.
fn today_bar(page: &Page, chart: &str) -> i64 {
    let today = jobboard::calendar::today().to_string();
    let doc = page.document();
    let selector =
        scraper::Selector::parse(&format!("#{chart} ~ svg rect[data-day='{today}']")).unwrap();
    doc.select(&selector)
        .next()
        .and_then(|r| r.value().attr("data-value").map(str::to_string))
        .unwrap_or_else(|| panic!("no bar for today in {chart}"))
        .parse()
        .unwrap()
}

/// The daily retention run is off: the story runs it itself.
fn manual() -> Options {
    Options::default().with("JOBBOARD_RETENTION_INTERVAL_HOURS", "0")
}

story!(the_front_page_counts_what_happens, manual(), |app| {
    let (ops, operator) = operator(&app).await;
    let before = ops.get("/operator").await;
    // Every operator task is one click away.
    for href in [
        "/operator/moderation",
        "/operator/companies",
        "/operator/accounts",
        "/operator/support",
        "/operator/privacy-requests",
        "/operator/retention",
        "/operator/retention/holds",
        "/operator/statistics",
        "/operator/newsletter",
        "/operator/processing-record",
    ] {
        assert!(
            before.body.contains(&format!("href=\"{href}\"")),
            "no link to {href}"
        );
    }
    let signs = ["moderation", "privacy-requests", "support", "accounts"];
    let charts = [
        "registrations-chart",
        "new-ads-chart",
        "applications-chart",
        "visits-chart",
    ];
    let tiles: Vec<i64> = signs.iter().map(|s| tile_number(&before, s)).collect();
    let bars: Vec<i64> = charts.iter().map(|c| today_bar(&before, c)).collect();
    assert_eq!(tile(&before, "retention"), "Not run yet");

    // A seeker registers, a company publishes one ad and submits another, the seeker applies,
    // writes to support and files a privacy request, and a visitor consents to statistics.
    app.registered_seeker("counted@example.com").await;
    let mut company = fixtures::company(&app, "Tæller ApS", "11111111").await;
    company.operator = operator;
    let ad = fixtures::published(&app, &company, content("Optæller", "Tæl ting.", "101")).await;
    let waiting = jobboard::ads::lifecycle::create_draft(
        &app.state,
        company.id,
        company.user,
        &content("Venter", "Venter på gennemsyn.", "101"),
    )
    .await
    .unwrap();
    jobboard::ads::lifecycle::submit(
        &app.state,
        jobboard::i18n::Lang::En.tr(),
        waiting,
        company.id,
    )
    .await
    .unwrap();
    let seeker = user_id(&app, "counted@example.com").await;
    let mut tx = app.state.db.begin().await.unwrap();
    jobboard::applications::store::insert(
        &mut tx,
        &jobboard::applications::store::NewApplication {
            ad_id: ad,
            company_id: company.id,
            seeker_id: seeker,
            cover_letter: "Count me in.",
            delete_after: jobboard::applications::delete_after(jobboard::db::now()),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.login("counted@example.com", PASSWORD).await;
    let page = app
        .get("/contact")
        .await
        .form("Send message")
        .fill("Topic", "account")
        .fill("Subject", "Counting")
        .fill("Your message", "Does this count?")
        .submit(&app)
        .await;
    assert_eq!(
        page.heading(),
        "Your message has reached us",
        "{}",
        page.text()
    );
    app.logout().await;
    crate::privacy_requests::file_request(&app, "counted@example.com", "access", "").await;
    let visitor = app.other_browser();
    let page = visitor.get("/jobs").await;
    page.form("Accept all").submit_with(&visitor.client).await;
    visitor.get("/").await;

    let after = ops.get("/operator").await;
    let now: Vec<i64> = signs.iter().map(|s| tile_number(&after, s)).collect();
    assert_eq!(
        now,
        vec![tiles[0] + 1, tiles[1] + 1, tiles[2] + 1, tiles[3] + 1],
        "{signs:?}"
    );
    let now: Vec<i64> = charts.iter().map(|c| today_bar(&after, c)).collect();
    // Two registrations: the seeker and the company's contact (operators are not counted).
    assert_eq!(
        now,
        vec![bars[0] + 2, bars[1] + 1, bars[2] + 1, bars[3] + 1],
        "{charts:?}"
    );

    // A retention run shows on its tile.
    jobboard::retention::sweeper::run(&app.state, None, false)
        .await
        .unwrap();
    let after = ops.get("/operator").await;
    assert_eq!(
        tile(&after, "retention"),
        jobboard::i18n::instant(jobboard::i18n::Lang::En, OffsetDateTime::now_utc())
    );
});

story!(
    a_blocked_seeker_is_logged_out_and_told_why_until_unblocked,
    |app| {
        app.registered_seeker("blocked@example.com").await;
        app.login("blocked@example.com", PASSWORD).await;
        assert_eq!(app.get("/applications").await.status, StatusCode::OK);
        let seeker = user_id(&app, "blocked@example.com").await;
        let (ops, _) = operator(&app).await;

        // The operator finds the account by a piece of its address.
        let found = ops.get("/operator/accounts?q=BLOCKED@example").await;
        let account = found.link("Test Seeker");
        assert_eq!(account, format!("/operator/accounts/{seeker}"));
        let page = ops.get(&account).await;
        assert!(page.contains("blocked@example.com"));
        assert!(page.contains("Never blocked."));

        // A block needs a reason from the list and a note; what was typed is kept.
        let refused = page
            .form("Block account")
            .fill("Note", "no")
            .submit_with(&ops.client)
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            refused.field_error("Reason").as_deref(),
            Some("Choose a reason.")
        );
        assert!(
            refused
                .field_error("Note")
                .unwrap()
                .contains("at least 5 characters")
        );
        assert!(refused.body.contains(">no</textarea>"));
        assert_eq!(
            scalar(
                &app,
                "SELECT COUNT(*) FROM account_blocks WHERE subject_id = $1",
                seeker
            )
            .await,
            0
        );
        let page = refused
            .form("Block account")
            .fill("Reason", "spam")
            .fill("Note", "Sent the same text to 40 ads in an hour.")
            .submit_with(&ops.client)
            .await;
        assert!(
            page.contains("The account is blocked and its sessions have ended."),
            "{}",
            page.text()
        );
        assert!(page.contains("Blocked since"));
        assert!(page.contains("Sent the same text to 40 ads in an hour."));

        // The live session ended at once, and no session row is left.
        let page = app.get("/applications").await;
        assert_eq!(page.path(), "/login", "the session ended");
        assert_eq!(
            scalar(
                &app,
                "SELECT COUNT(*) FROM sessions WHERE user_id = $1",
                seeker
            )
            .await,
            0
        );
        // Logging in is refused with the reason (the right password is needed to learn it).
        let wrong = app.login("blocked@example.com", "not the password").await;
        assert!(!wrong.contains("blocked"));
        let page = app.login("blocked@example.com", PASSWORD).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(
            page.contains("Your account was blocked on"),
            "{}",
            page.text()
        );
        assert!(page.contains("Reason: Spam."));
        assert_eq!(page.link("Contact us"), "/contact");
        assert!(
            !page.contains("40 ads"),
            "the operator's note stays internal"
        );
        assert_eq!(app.get("/applications").await.path(), "/login");
        let mail = app
            .mail("blocked@example.com", "Your jobboard account is blocked")
            .await;
        assert!(mail.text.contains("Reason: Spam."));

        // Unblocking takes a reason and a note too; then the person logs in again.
        let page = ops
            .get(&account)
            .await
            .form("Unblock account")
            .fill("Reason", "mistake")
            .fill("Note", "Their colleague sent those, not them.")
            .submit_with(&ops.client)
            .await;
        assert!(page.contains("The account is unblocked."));
        assert!(page.contains("Blocked by mistake"));
        let page = app.login("blocked@example.com", PASSWORD).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.path(), "/");
        app.mail("blocked@example.com", "Your jobboard account is open again")
            .await;

        // The person sees the whole record in their privacy centre and export.
        let centre = app.get("/account/privacy").await;
        assert!(centre.contains("Blocks"));
        assert!(centre.contains("Sent the same text to 40 ads in an hour."));
        // The block stays documented; its five years count from the unblocking.
        let lifted: Option<OffsetDateTime> = db_run!(pool & app.state.db, |p| {
            sqlx::query_scalar(
            "SELECT lifted_at FROM account_blocks WHERE subject_kind = 'user' AND subject_id = $1"
        )
        .bind(seeker)
        .fetch_one(p)
        .await
        })
        .unwrap();
        let lifted = lifted.expect("lifted");
        let keep = jobboard::privacy::registry::Rule::ErasureDocumentation
            .info()
            .keep;
        let inside = dry_run(&app, keep.after(lifted) - time::Duration::days(1)).await;
        let past = dry_run(&app, keep.after(lifted) + time::Duration::days(1)).await;
        let documentation =
            |r: &jobboard::retention::sweeper::Report| r.rules["erasure-documentation"].deleted;
        assert_eq!(documentation(&past) - documentation(&inside), 1);
    }
);

/// What a retention run as of `as_of` would delete.
async fn dry_run(app: &TestApp, as_of: OffsetDateTime) -> jobboard::retention::sweeper::Report {
    match jobboard::retention::sweeper::run(&app.state, Some(as_of), true)
        .await
        .unwrap()
    {
        jobboard::retention::sweeper::Outcome::Done(report) => report,
        jobboard::retention::sweeper::Outcome::Busy(_) => unreachable!("a dry run takes no lease"),
    }
}

async fn api(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn hit_ids(result: &Value) -> Vec<String> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until this node's index does (or does not) hold ad `id`.
async fn indexed(app: &TestApp, id: i64, present: bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.state.search.contains(id).unwrap() != present {
        assert!(
            Instant::now() < deadline,
            "the index never followed ad {id}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the ad shows on every public surface: its page, the API (one ad, search and the
/// change stream), the HTML search, the Atom feed and the sitemap.
async fn everywhere(app: &TestApp, id: i64, since: &str, public: bool) {
    let page = app.get(&format!("/jobs/{id}")).await;
    // 410, as for an expired ad: the visitor (and a search engine) learns that it is gone
    // and should drop it, without being told why (the block is between the company and us).
    let expected = if public {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    assert_eq!(page.status, expected);
    assert_eq!(
        page.contains("Kirsten Kontaktperson"),
        public,
        "contact person"
    );
    if !public {
        assert_eq!(page.heading(), "This job ad is no longer available");
        assert!(page.contains("It is no longer published."));
    }
    let (status, _) = api(app, &format!("/api/v1/ads/{id}")).await;
    assert_eq!(status, expected, "API ad");
    let (_, found) = api(app, "/api/v1/search?q=Skyggelager").await;
    assert_eq!(
        hit_ids(&found).contains(&id.to_string()),
        public,
        "API search"
    );
    let html = app.get("/jobs?q=Skyggelager").await;
    assert_eq!(
        html.body.contains(&format!("/jobs/{id}\"")),
        public,
        "search page"
    );
    let feed = app.get("/jobs.atom").await;
    assert_eq!(
        feed.body.contains(&format!("/jobs/{id}</id>")),
        public,
        "feed"
    );
    let sitemap = app.get("/sitemap.xml").await;
    assert_eq!(
        sitemap.body.contains(&format!("/jobs/{id}</loc>")),
        public,
        "sitemap"
    );
    let (_, stream) = api(app, &format!("/api/v1/stream?since={since}")).await;
    let id_text = id.to_string();
    let change = stream["changes"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|c| c["id"].as_str() == Some(id_text.as_str()))
        .map(|c| c["change"].as_str().unwrap().to_string());
    assert_eq!(
        change.as_deref(),
        Some(if public { "published" } else { "removed" }),
        "stream"
    );
}

story!(
    a_blocked_company_leaves_every_public_surface_and_returns_when_unblocked,
    |app| {
        let (ops, operator) = operator(&app).await;
        app.registered_employer("boss@skygge.example.com", "Skygge ApS", "12345674")
            .await;
        let user = user_id(&app, "boss@skygge.example.com").await;
        let company_id = scalar(
            &app,
            "SELECT company_id FROM company_members WHERE user_id = $1",
            user,
        )
        .await;
        let company = fixtures::Company {
            id: company_id,
            user,
            operator,
        };
        let id = fixtures::published(
            &app,
            &company,
            content(
                "Lagerarbejder",
                "Pak ordrer på Skyggelager i Aarhus.",
                "751",
            ),
        )
        .await;
        let since = (OffsetDateTime::now_utc() - time::Duration::minutes(1))
            .format(&Rfc3339)
            .unwrap();
        indexed(&app, id, true).await;
        everywhere(&app, id, &since, true).await;

        // Found by CVR number; the company page lists the ad and the member.
        let found = ops.get("/operator/accounts?q=12345674").await;
        let page = ops.get(&found.link("Skygge ApS")).await;
        assert_eq!(page.path(), format!("/operator/companies/{company_id}"));
        assert!(page.contains("Lagerarbejder"));
        assert!(page.contains("boss@skygge.example.com"));
        let page = page
            .form("Block company")
            .fill("Reason", "fraud")
            .fill("Note", "Asks applicants for a fee.")
            .submit_with(&ops.client)
            .await;
        assert!(
            page.contains("The company is blocked: its ads are no longer public."),
            "{}",
            page.text()
        );
        assert!(page.contains("hidden while the company is blocked"));

        // At once: every surface that reads the database drops the ad; this node's index
        // follows the change log.
        everywhere(&app, id, &since, false).await;
        indexed(&app, id, false).await;
        let (_, found) = api(&app, "/api/v1/search?q=Skyggelager").await;
        assert_eq!(found["total"], 0);
        app.mail(
            "boss@skygge.example.com",
            "Your company's job ads are blocked on jobboard",
        )
        .await;
        // Its people may still log in, and are told why on their dashboard.
        app.login("boss@skygge.example.com", PASSWORD).await;
        let dashboard = app.get("/employer/ads").await;
        assert!(
            dashboard.contains("An operator blocked your company on"),
            "{}",
            dashboard.text()
        );
        assert!(dashboard.contains("Reason: Fraudulent or misleading content."));

        let page = ops
            .get(&format!("/operator/companies/{company_id}"))
            .await
            .form("Unblock company")
            .fill("Reason", "appeal-granted")
            .fill(
                "Note",
                "The fee was a misunderstanding; the ad never asked for one.",
            )
            .submit_with(&ops.client)
            .await;
        assert!(page.contains("The company is unblocked"), "{}", page.text());
        indexed(&app, id, true).await;
        everywhere(&app, id, &since, true).await;
        assert!(
            !app.get("/employer/ads")
                .await
                .contains("blocked your company")
        );
    }
);

/// The contact form, a confirmation link from a real SMTP server, the reply from the console
/// e-mailed back, and the inquiry's deletion by `jobboard retention run --as-of` a year after
/// it was closed.
async fn support_story(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let env = TestEnv::new(backend).await;
    let app = TestApp::start(
        env,
        Options::default()
            .with("JOBBOARD_SMTP_URL", &smtp.url())
            .with("JOBBOARD_RETENTION_INTERVAL_HOURS", "0"),
    )
    .await;
    let sender = "writer@example.com";
    let page = app.get("/").await;
    assert_eq!(page.link("Contact us"), "/contact");

    // Bad input: a message next to each field, and what was typed stays.
    let form = app.get("/contact").await;
    let refused = form
        .form("Send message")
        .fill("Subject", "Where is my invoice?")
        .fill("E-mail address", "not an address")
        .submit(&app)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["Your name", "E-mail address", "Topic", "Your message"] {
        assert!(refused.field_error(field).is_some(), "{field}");
    }
    assert_eq!(
        refused.field_value("Subject").as_deref(),
        Some("Where is my invoice?")
    );
    let page = refused
        .form("Send message")
        .fill("Your name", "Wanda Writer")
        .fill("E-mail address", sender)
        .fill("Topic", "billing")
        .fill(
            "Your message",
            "We never got the invoice for our last ad.\n\nCan you send it again?",
        )
        .submit(&app)
        .await;
    assert_eq!(page.heading(), "Check your e-mail", "{}", page.text());
    let (ops, _) = operator(&app).await;
    assert!(
        ops.get("/operator/support")
            .await
            .contains("No open inquiries.")
    );

    let confirm = smtp.received(sender, 1).await;
    assert_eq!(confirm[0].subject, "Confirm your message to jobboard");
    let page = app.get(&confirm[0].link("/contact/confirm")).await;
    let page = page.form("Send my message").submit(&app).await;
    assert_eq!(
        page.heading(),
        "Your message has reached us",
        "{}",
        page.text()
    );
    let number: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM support_inquiries WHERE email = $1"
    )
    .bind(sender)
    .fetch_one(p)
    .await)
    .unwrap();
    assert!(page.contains(&format!("It is inquiry number {number}.")));
    // Both e-mails arrived (the worker may deliver them in either order).
    let received = smtp.received(sender, 2).await;
    let receipt = format!("We received your message (number {number})");
    assert!(
        received.iter().any(|mail| mail.subject == receipt),
        "{:?}",
        received
            .iter()
            .map(|mail| &mail.subject)
            .collect::<Vec<_>>()
    );
    // The link works once.
    let again = app.get(&confirm[0].link("/contact/confirm")).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);

    // In the inbox; the operator replies (an empty reply is refused) and closes.
    let inbox = ops.get("/operator/support").await;
    let thread = ops.get(&inbox.link("Where is my invoice?")).await;
    assert!(thread.contains("We never got the invoice for our last ad."));
    assert!(thread.contains("Wanda Writer <writer@example.com>"));
    let refused = thread
        .form("Send reply")
        .fill("Your reply", "  ")
        .submit_with(&ops.client)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.field_error("Your reply").as_deref(),
        Some("Please fill this in.")
    );
    let page = refused
        .form("Send and close")
        .fill(
            "Your reply",
            "Sorry about that: it is on its way again.\n\nKind regards, support",
        )
        .submit_with(&ops.client)
        .await;
    assert!(
        page.contains("The reply is on its way and the inquiry is closed."),
        "{}",
        page.text()
    );
    assert!(page.contains("Reply by console-ops"), "{}", page.text());
    assert!(
        !page.has_form("Send reply"),
        "a closed inquiry takes no reply"
    );

    let mails = smtp.received(sender, 3).await;
    let reply = mails
        .iter()
        .find(|mail| mail.subject.starts_with("Re: "))
        .expect("the reply among the e-mails");
    assert_eq!(
        reply.subject,
        format!("Re: Where is my invoice? (inquiry {number})")
    );
    assert!(
        reply
            .text
            .contains("Sorry about that: it is on its way again.")
    );
    assert!(reply.text.contains(&format!("(inquiry {number})")));

    // Deleted 12 months after closing, as the inbox says and the retention run does.
    let closed: OffsetDateTime = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT closed_at FROM support_inquiries WHERE id = $1"
    )
    .bind(number)
    .fetch_one(p)
    .await)
    .unwrap();
    let due = jobboard::support::deletion_due(closed);
    assert_eq!(
        due,
        jobboard::privacy::registry::Period::Months(12).after(closed)
    );
    let inbox = ops.get("/operator/support").await;
    assert!(inbox.contains(&jobboard::i18n::instant(jobboard::i18n::Lang::En, due)));
    let run = |as_of: OffsetDateTime| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"));
        command
            .args([
                "retention",
                "run",
                "--as-of",
                &as_of.format(&Rfc3339).unwrap(),
            ])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &app.env.database_url)
            .env("JOBBOARD_DATA_DIR", app.env.data_path())
            .env("JOBBOARD_MASTER_KEY", "5e".repeat(32))
            .env("RUST_LOG", "warn");
        for (k, v) in CONTROLLER {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        report["rules"]["support-inquiries"]["deleted"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(run(due - time::Duration::hours(1)), 0);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM support_messages WHERE inquiry_id = $1",
            number
        )
        .await,
        2
    );
    assert_eq!(run(due + time::Duration::hours(1)), 1);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM support_inquiries WHERE id = $1",
            number
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM support_messages WHERE inquiry_id = $1",
            number
        )
        .await,
        0,
        "the thread goes with it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_support_inquiry_is_answered_by_email_and_deleted_a_year_after_closing_on_sqlite() {
    support_story(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_support_inquiry_is_answered_by_email_and_deleted_a_year_after_closing_on_postgres() {
    if TestEnv::postgres_if_configured().await.is_some() {
        support_story(Backend::Postgres).await;
    }
}

story!(
    a_seeker_sees_their_inquiries_in_the_privacy_centre_and_erasure_removes_them,
    |app| {
        app.registered_seeker("asker@example.com").await;
        app.login("asker@example.com", PASSWORD).await;
        // Signed in, the account's verified address is used and the message is filed at once.
        let form = app.get("/contact").await;
        assert_eq!(
            form.field_value("Your name").as_deref(),
            Some("Test Seeker")
        );
        assert!(form.contains("We will answer to asker@example.com"));
        let page = form
            .form("Send message")
            .fill("Topic", "applications")
            .fill("Subject", "Is my application read?")
            .fill("Your message", "question-unique-4711")
            .submit(&app)
            .await;
        assert_eq!(page.heading(), "Your message has reached us");
        app.mail("asker@example.com", "We received your message")
            .await;
        let centre = app.get("/account/privacy").await;
        assert!(centre.contains("Messages to our support"));
        assert!(centre.contains("question-unique-4711"));
        let export = app
            .client
            .get(app.url("/account/privacy/export"))
            .send()
            .await
            .unwrap();
        assert_eq!(export.status(), StatusCode::OK);
        let entries = crate::privacy_centre::zip_entries(export).await;
        let data: Value =
            serde_json::from_slice(crate::privacy_centre::entry(&entries, "data.json")).unwrap();
        let text = data.to_string();
        assert!(text.contains("question-unique-4711"), "{text}");
        // Erasure removes them.
        let page = app
            .get("/account/privacy/erase")
            .await
            .form("Erase my account now")
            .fill("Your password, to confirm", PASSWORD)
            .submit(&app)
            .await;
        assert_eq!(page.heading(), "Your account is erased", "{}", page.text());
        let left: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM support_inquiries"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(left, 0);
    }
);

/// A CSRF token of `browser`'s session (from any page with a form).
async fn csrf_of(client: &reqwest::Client, app: &TestApp) -> String {
    let page = Page::from(client.get(app.url("/contact")).send().await.unwrap()).await;
    let doc = page.document();
    doc.select(&scraper::Selector::parse("input[name=csrf]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_string))
        .expect("a CSRF token")
}

story!(
    no_console_route_lets_in_visitors_seekers_or_employers,
    |app| {
        app.registered_seeker("nosy-seeker@example.com").await;
        app.registered_employer("nosy-boss@example.com", "Nysgerrig ApS", "22222228")
            .await;
        let seeker = user_id(&app, "nosy-seeker@example.com").await;
        let company = scalar(
            &app,
            "SELECT m.company_id FROM company_members m JOIN users u ON u.id = m.user_id WHERE u.id = $1",
            user_id(&app, "nosy-boss@example.com").await,
        )
        .await;
        let mut tx = app.state.db.begin().await.unwrap();
        let inquiry = jobboard::support::store::insert(
            &mut tx,
            &jobboard::support::store::NewInquiry {
                email: "someone@example.com",
                name: "Someone",
                user_id: None,
                topic: "other",
                subject: "Private matter",
                message: "private-unique-8080",
                lang: "en",
                masked_ip: "127.0.0.0/24",
                token_hash: None,
                verify_by: jobboard::db::now(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let gets = [
            "/operator".to_string(),
            "/operator/accounts".to_string(),
            "/operator/accounts?q=nosy".to_string(),
            format!("/operator/accounts/{seeker}"),
            format!("/operator/companies/{company}"),
            "/operator/support".to_string(),
            format!("/operator/support/{inquiry}"),
        ];
        let posts = [
            format!("/operator/accounts/{seeker}/block"),
            format!("/operator/accounts/{seeker}/unblock"),
            format!("/operator/companies/{company}/block"),
            format!("/operator/companies/{company}/unblock"),
            format!("/operator/support/{inquiry}/reply"),
            format!("/operator/support/{inquiry}/close"),
        ];
        let fields = |csrf: &str| {
            vec![
                ("csrf".to_string(), csrf.to_string()),
                ("reason".into(), "spam".into()),
                ("note".into(), "Trying to get in.".into()),
                ("reply".into(), "Hijacked reply".into()),
            ]
        };
        let nothing_changed = || async {
            let blocks: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
                "SELECT COUNT(*) FROM account_blocks"
            )
            .fetch_one(p)
            .await)
            .unwrap();
            let messages = scalar(
                &app,
                "SELECT COUNT(*) FROM support_messages WHERE inquiry_id = $1",
                inquiry,
            )
            .await;
            let open = scalar(
                &app,
                "SELECT COUNT(*) FROM support_inquiries WHERE id = $1 AND state = 'open'",
                inquiry,
            )
            .await;
            assert_eq!((blocks, messages, open), (0, 1, 1));
        };

        // Anonymous visitors are sent to log in, with a valid form token or without.
        let visitor = app.other_browser();
        let csrf = csrf_of(&visitor.client, &app).await;
        for path in &gets {
            let page = visitor.get(path).await;
            assert_eq!(page.path(), "/login", "{path}");
            assert!(!page.contains("private-unique-8080"));
        }
        for path in &posts {
            let response = visitor
                .client
                .post(app.url(path))
                .form(&fields(&csrf))
                .send()
                .await
                .unwrap();
            assert_eq!(response.url().path(), "/login", "{path}");
        }
        nothing_changed().await;

        // Seekers and employers are refused.
        for email in ["nosy-seeker@example.com", "nosy-boss@example.com"] {
            let browser = app.other_browser();
            let page = browser
                .get("/login")
                .await
                .form("Log in")
                .fill("E-mail address", email)
                .fill("Password", PASSWORD)
                .submit_with(&browser.client)
                .await;
            assert_ne!(page.path(), "/login", "{email} logged in");
            let csrf = csrf_of(&browser.client, &app).await;
            for path in &gets {
                let page = browser.get(path).await;
                assert_eq!(page.status, StatusCode::FORBIDDEN, "{email} {path}");
                assert!(!page.contains("private-unique-8080"));
            }
            for path in &posts {
                let response = browser
                    .client
                    .post(app.url(path))
                    .form(&fields(&csrf))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{email} {path}");
            }
        }
        nothing_changed().await;
    }
);
