//! Retention enforcement: every rule the registry gives the sweeper keeps what is one day
//! inside its period and removes what is one day past it; inactive people are warned once, a
//! month ahead, and logging in saves them; legal holds keep what they name until lifted; one
//! run at a time, safe to kill; and a canary person left inactive leaves no identifier behind.

use jobboard::{
    privacy::registry::{Enforcement, RULES, Rule},
    retention::{
        Counts,
        sweeper::{self, Outcome, Report},
    },
};
use reqwest::StatusCode;
use time::{Duration, OffsetDateTime};

use crate::applications::seeker_applies;
use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::privacy_centre::{
    EMAIL, IDENTIFIERS, anna_applies, anna_wants_marketing, files_under, outbox_drained, scan,
};
use crate::privacy_requests::file_request;
use crate::story;

/// The daily run is off: each story runs the sweeper itself, at the dates it needs.
fn manual() -> Options {
    Options::default().with("JOBBOARD_RETENTION_INTERVAL_HOURS", "0")
}

fn micros(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(at.nanosecond() / 1000 * 1000)
        .unwrap()
}

async fn run(app: &TestApp, as_of: OffsetDateTime) -> Report {
    match sweeper::run(&app.state, Some(as_of), false).await.unwrap() {
        Outcome::Done(report) => {
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            report
        }
        Outcome::Busy(until) => panic!("the lease is held until {until}"),
    }
}

async fn dry_run(app: &TestApp, as_of: OffsetDateTime) -> Report {
    match sweeper::run(&app.state, Some(as_of), true).await.unwrap() {
        Outcome::Done(report) => report,
        Outcome::Busy(_) => unreachable!("a dry run takes no lease"),
    }
}

fn of(report: &Report, rule: &str) -> Counts {
    *report
        .rules
        .get(rule)
        .unwrap_or_else(|| panic!("no {rule} in {:?}", report.rules.keys()))
}

async fn sql(app: &TestApp, sql: &'static str, at: OffsetDateTime, id: i64) {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(sql)
        .bind(at)
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await)
    .unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> Option<i64> {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_optional(p)
    .await)
    .unwrap()
}

async fn last_login(app: &TestApp, email: &str, at: OffsetDateTime) {
    let id = user_id(app, email).await.expect("the account");
    sql(
        app,
        "UPDATE users SET last_login_at = $1, created_at = $1 WHERE id = $2",
        at,
        id,
    )
    .await;
}

fn deadline(rule: Rule, from: OffsetDateTime) -> OffsetDateTime {
    rule.info().keep.after(from)
}

fn warn_at(rule: Rule, from: OffsetDateTime) -> OffsetDateTime {
    let info = rule.info();
    info.warn_before.unwrap().before(info.keep.after(from))
}

const WARNING: &str = "Log in to keep your account";

#[test]
fn the_report_names_every_rule_the_registry_gives_the_sweeper() {
    let ids: Vec<String> = sweeper::sweeper_rules()
        .map(jobboard::privacy::registry::id_of)
        .collect();
    let expected: Vec<String> = RULES
        .iter()
        .filter(|r| r.enforced_by == Enforcement::Sweeper)
        .map(|r| jobboard::privacy::registry::id_of(r.id))
        .collect();
    assert_eq!(ids, expected);
    for id in [
        "seeker-inactive",
        "applications",
        "partner-contacts",
        "other-data",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id}");
    }
}

story!(
    inactive_seekers_are_warned_a_month_ahead_and_erased_unless_they_log_in,
    manual(),
    |app| {
        for email in ["ida@example.com", "jens@example.com", "karl@example.com"] {
            app.registered_seeker(email).await;
        }
        let login = micros(OffsetDateTime::now_utc() - Duration::days(420));
        last_login(&app, "ida@example.com", login).await;
        last_login(&app, "karl@example.com", login).await;
        last_login(&app, "jens@example.com", login + Duration::days(2)).await;
        let rule = Rule::SeekerInactive;
        let warn = warn_at(rule, login);
        let due = deadline(rule, login);

        // A day before the warning is due: nothing.
        let report = run(&app, warn - Duration::days(1)).await;
        assert_eq!(of(&report, "seeker-inactive"), Counts::default());
        // On the day: Ida and Karl are warned, once, through the outbox.
        let report = run(&app, warn).await;
        assert_eq!(of(&report, "seeker-inactive").warned, 2);
        let mail = app.mail("ida@example.com", WARNING).await;
        let date = jobboard::i18n::instant(jobboard::i18n::Lang::En, due);
        assert!(mail.text.contains(&date), "{date} in {}", mail.text);
        assert!(mail.text.contains("/login"), "{}", mail.text);
        let again = run(&app, warn).await;
        assert_eq!(of(&again, "seeker-inactive").warned, 0, "nobody twice");
        outbox_drained(&app).await;
        assert_eq!(
            app.mails_to("ida@example.com", 1)
                .await
                .iter()
                .filter(|m| m.subject == WARNING)
                .count(),
            1
        );
        assert!(
            app.mails_to("jens@example.com", 1)
                .await
                .iter()
                .all(|m| m.subject != WARNING)
        );

        // Karl logs in: that keeps his account.
        app.login("karl@example.com", PASSWORD).await;
        app.logout().await;

        // A day before the deadline Ida is still there (and Jens is warned now).
        let report = run(&app, due - Duration::days(1)).await;
        assert_eq!(of(&report, "seeker-inactive").deleted, 0);
        assert_eq!(of(&report, "seeker-inactive").warned, 1);
        assert!(user_id(&app, "ida@example.com").await.is_some());
        // A day past it, only Ida goes, through the privacy centre's erasure.
        let report = run(&app, due + Duration::days(1)).await;
        assert_eq!(of(&report, "seeker-inactive").deleted, 1);
        assert!(user_id(&app, "ida@example.com").await.is_none());
        assert!(
            user_id(&app, "jens@example.com").await.is_some(),
            "warned late, so a month more"
        );
        assert!(user_id(&app, "karl@example.com").await.is_some());
        let karl = user_id(&app, "karl@example.com").await.unwrap();
        let warnings: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM retention_warnings WHERE user_id = $1"
        )
        .bind(karl)
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(warnings, 0, "his login made the warning void");
        assert_eq!(
            app.login("ida@example.com", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        let via: String = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT requested_via FROM erasure_records"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(via, "retention");
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM outbox WHERE recipient = 'ida@example.com'"
            )
            .await,
            0,
            "her e-mails went with her"
        );

        // The same code, later and without changing anything, sees Jens's turn coming.
        let later = dry_run(&app, due + Duration::days(40)).await;
        assert!(later.dry_run);
        assert_eq!(of(&later, "seeker-inactive").deleted, 1);
        assert!(user_id(&app, "jens@example.com").await.is_some());
    }
);

story!(
    employer_accounts_go_a_year_after_the_last_login_and_live_ad,
    manual(),
    |app| {
        let gone = fixtures::company(&app, "Gammel ApS", "24256790").await;
        let active = fixtures::company(&app, "Aktiv ApS", "10150817").await;
        let old_ad =
            fixtures::published(&app, &gone, content("Lager", "Lagerarbejde.", "751")).await;
        fixtures::published(&app, &active, content("Kok", "Køkkenarbejde.", "751")).await;
        let ended = micros(OffsetDateTime::now_utc() - Duration::days(400));
        sql(
            &app,
            "UPDATE ads SET state = 'expired', expires_at = $1 WHERE id = $2",
            ended,
            old_ad,
        )
        .await;
        // Neither employer has logged in since long before.
        for company in [&gone, &active] {
            sql(
                &app,
                "UPDATE users SET last_login_at = $1, created_at = $1 WHERE id = $2",
                ended - Duration::days(300),
                company.user,
            )
            .await;
        }
        let rule = Rule::PartnerContacts;
        let report = run(&app, warn_at(rule, ended) - Duration::days(1)).await;
        assert_eq!(of(&report, "partner-contacts"), Counts::default());
        let report = run(&app, warn_at(rule, ended)).await;
        assert_eq!(of(&report, "partner-contacts").warned, 1);
        let mail = app.mail("hr@24256790.example.com", WARNING).await;
        assert!(
            mail.text.contains("your employer account will be deleted"),
            "{}",
            mail.text
        );
        let report = run(&app, deadline(rule, ended) - Duration::days(1)).await;
        assert_eq!(of(&report, "partner-contacts").deleted, 0);
        let report = run(&app, deadline(rule, ended) + Duration::days(1)).await;
        assert_eq!(of(&report, "partner-contacts").deleted, 1);
        assert!(user_id(&app, "hr@24256790.example.com").await.is_none());
        // The company with a live ad keeps its contact; the other company's record stays for
        // bookkeeping, without its person.
        assert!(user_id(&app, "hr@10150817.example.com").await.is_some());
        assert_eq!(count(&app, "SELECT COUNT(*) FROM companies").await, 2);
    }
);

/// Rows for the table-by-table rules, one a day inside and one a day past each cutoff.
async fn rows_around_the_cutoffs(app: &TestApp, as_of: OffsetDateTime) {
    let cutoff = |rule: Rule| rule.info().keep.before(as_of);
    let db = &app.state.db;
    let alerts = cutoff(Rule::JobAlertConsentRecords);
    for (n, at) in [
        (9001, alerts - Duration::days(1)),
        (9002, alerts + Duration::days(1)),
    ] {
        consent_row(
            app,
            "job_alert",
            &format!("alert{n}@example.com"),
            Some(n),
            at,
        )
        .await;
    }
    let news = cutoff(Rule::NewsletterConsents);
    for (email, at) in [
        ("old-news@example.com", news - Duration::days(1)),
        ("recent-news@example.com", news + Duration::days(1)),
    ] {
        consent_row(app, "newsletter", email, None, at).await;
        jobboard::db_run!(pool db, |p| sqlx::query(
            "INSERT INTO newsletter_subscribers (email, lang, status, requested_at, unsubscribed_at, updated_at) \
             VALUES ($1, 'en', 'unsubscribed', $2, $2, $2)"
        )
        .bind(email)
        .bind(at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
    let docs = cutoff(Rule::ErasureDocumentation);
    for at in [docs - Duration::days(1), docs + Duration::days(1)] {
        jobboard::db_run!(pool db, |p| sqlx::query(
            "INSERT INTO erasure_records (former_user_id, role, requested_via, summary, recipients_told, erased_at) \
             VALUES (12345, 'seeker', 'privacy_centre', '{}', 0, $1)"
        )
        .bind(at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        jobboard::db_run!(pool db, |p| sqlx::query(
            "INSERT INTO privacy_requests (email, kind, message, lang, masked_ip, state, verify_by, received_at, answer, answered_at, created_at) \
             VALUES ('asker@example.com', 'other', 'A question', 'en', '192.0.2.0/24', 'answered', $1, $1, 'An answer', $1, $1)"
        )
        .bind(at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
    // Blocks count from their lifting; one placed long ago and still in force stays.
    for (lifted, placed) in [
        (Some(docs - Duration::days(1)), docs - Duration::days(400)),
        (Some(docs + Duration::days(1)), docs - Duration::days(400)),
        (None, docs - Duration::days(400)),
    ] {
        jobboard::db_run!(pool db, |p| sqlx::query(
            "INSERT INTO account_blocks (subject_kind, subject_id, reason, note, blocked_at, lift_reason, lift_note, lifted_at) \
             VALUES ('company', 777, 'spam', 'A note', $1, 'resolved', '', $2)"
        )
        .bind(placed)
        .bind(lifted)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
    // Support inquiries count from their closing; an open one, however old, stays.
    let support = cutoff(Rule::SupportInquiries);
    for (state, closed) in [
        ("closed", Some(support - Duration::days(1))),
        ("closed", Some(support + Duration::days(1))),
        ("open", None),
    ] {
        let id: i64 = jobboard::db_run!(pool db, |p| sqlx::query_scalar(
            "INSERT INTO support_inquiries (email, name, topic, subject, lang, masked_ip, state, verify_by, created_at, received_at, closed_at) \
             VALUES ('helped@example.com', 'Helped', 'other', 'A question', 'en', '192.0.2.0/24', $1, $2, $2, $2, $3) RETURNING id"
        )
        .bind(state)
        .bind(support - Duration::days(30))
        .bind(closed)
        .fetch_one(p)
        .await)
        .unwrap();
        jobboard::db_run!(pool db, |p| sqlx::query(
            "INSERT INTO support_messages (inquiry_id, author, body, created_at) VALUES ($1, 'sender', 'Help?', $2)"
        )
        .bind(id)
        .bind(support - Duration::days(30))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
    let mail = cutoff(Rule::OtherData);
    for (n, at) in [(1, mail - Duration::days(1)), (2, mail + Duration::days(1))] {
        jobboard::db_run!(pool db, |p| sqlx::query(
            "INSERT INTO outbox (recipient, subject, body_text, body_html, message_id, next_attempt_at, sent_at, created_at) \
             VALUES ('mailed@example.com', 'Hello', '', '', $1, $2, $2, $2)"
        )
        .bind(format!("<old-{n}@example.com>"))
        .bind(at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
    let visits = cutoff(Rule::VisitorData);
    for (n, at) in [
        (1, visits - Duration::days(1)),
        (2, visits + Duration::days(1)),
    ] {
        jobboard::db_run!(pool db, |p| sqlx::query(
            "INSERT INTO page_views (viewed_on, viewed_at, route, visit_id, masked_ip) VALUES ($1, $2, '/jobs', $3, '192.0.2.0/24')"
        )
        .bind(at.date())
        .bind(at)
        .bind(format!("visit-{n}"))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
}

async fn consent_row(
    app: &TestApp,
    purpose: &str,
    email: &str,
    alert: Option<i64>,
    at: OffsetDateTime,
) {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "INSERT INTO marketing_consents (purpose, action, email, alert_id, text_shown, text_sha256, policy_version, lang, source, created_at) \
         VALUES ($1, 'withdrawn', $2, $3, 'Unsubscribe', 'x', '1', 'en', '/unsubscribe', $4)"
    )
    .bind(purpose)
    .bind(email)
    .bind(alert)
    .bind(at)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
}

story!(
    every_rule_removes_the_day_past_its_period_and_keeps_the_day_inside,
    manual(),
    |app| {
        let as_of = micros(OffsetDateTime::now_utc() + Duration::hours(1));
        let cutoff = |rule: Rule| rule.info().keep.before(as_of);
        let (past, inside) = (Duration::days(-1), Duration::days(1));

        // Applications: two seekers apply to the same ad.
        let company = fixtures::company(&app, "Nordlys ApS", "24256790").await;
        let ad =
            fixtures::published(&app, &company, content("Backend developer", "Kode.", "751")).await;
        let mut applications = Vec::new();
        for email in ["early@example.com", "later@example.com"] {
            app.registered_seeker(email).await;
            applications.push(seeker_applies(&app, email, ad).await);
        }
        let sent = cutoff(Rule::Applications);
        sql(
            &app,
            "UPDATE applications SET created_at = $1 WHERE id = $2",
            sent + past,
            applications[0],
        )
        .await;
        sql(
            &app,
            "UPDATE applications SET created_at = $1 WHERE id = $2",
            sent + inside,
            applications[1],
        )
        .await;

        // Contact persons of two closed ads.
        let mut closed = Vec::new();
        for (title, shift) in [("Lager", past), ("Kok", inside)] {
            let id = fixtures::published(&app, &company, content(title, "Arbejde.", "751")).await;
            sql(
                &app,
                "UPDATE ads SET state = 'closed', closed_at = $1 WHERE id = $2",
                cutoff(Rule::AdContactDeleted) + shift,
                id,
            )
            .await;
            closed.push(id);
        }

        // Job alerts of two seekers who stopped logging in.
        for (email, shift) in [("gone@example.com", past), ("around@example.com", inside)] {
            app.registered_seeker(email).await;
            let id = user_id(&app, email).await.unwrap();
            let mut tx = app.state.db.begin().await.unwrap();
            jobboard::alerts::store::insert(
                &mut tx,
                id,
                "q=backend",
                jobboard::alerts::store::Frequency::Daily,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            last_login(&app, email, cutoff(Rule::JobAlertsInactive) + shift).await;
        }

        // Cookie decisions of two visitors.
        for _ in 0..2 {
            let visitor = app.other_browser();
            let page = visitor.get("/jobs").await;
            page.form("Reject all").submit_with(&visitor.client).await;
        }
        let ids: Vec<i64> = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT id FROM cookie_consents ORDER BY id"
        )
        .fetch_all(p)
        .await)
        .unwrap();
        assert_eq!(ids.len(), 2);
        sql(
            &app,
            "UPDATE cookie_consents SET decided_at = $1 WHERE id = $2",
            cutoff(Rule::VisitorData) + past,
            ids[0],
        )
        .await;
        sql(
            &app,
            "UPDATE cookie_consents SET decided_at = $1 WHERE id = $2",
            cutoff(Rule::VisitorData) + inside,
            ids[1],
        )
        .await;

        rows_around_the_cutoffs(&app, as_of).await;
        outbox_drained(&app).await;
        let objects = files_under(&app.env.data_path().join("files")).len();

        // A dry run counts what the run then does, and changes nothing.
        let dry = dry_run(&app, as_of).await;
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications").await, 2);
        let report = run(&app, as_of).await;
        for rule in sweeper::sweeper_rules().map(jobboard::privacy::registry::id_of) {
            assert_eq!(
                of(&dry, &rule),
                of(&report, &rule),
                "{rule}: dry run and run agree"
            );
        }
        let deleted = |rule: &str| of(&report, rule).deleted;
        assert_eq!(deleted("applications"), 1);
        assert_eq!(deleted("ad-contact-deleted"), 1);
        assert_eq!(deleted("job-alerts-inactive"), 1);
        // The synthetic old record, and the stop the sweeper itself just recorded? No: that one
        // is new, so only the old one.
        assert_eq!(deleted("job-alert-consent-records"), 1);
        // Records and the unsubscribed address of the old newsletter reader.
        assert_eq!(deleted("newsletter-consents"), 2);
        // Erasure record, answered request and the lifted block.
        assert_eq!(deleted("erasure-documentation"), 3);
        assert_eq!(deleted("support-inquiries"), 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM account_blocks").await, 2);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM support_inquiries").await,
            2
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM support_messages").await,
            2,
            "the thread went with its inquiry"
        );
        // Cookie decision and page view.
        assert_eq!(deleted("visitor-data"), 2);
        assert_eq!(deleted("other-data"), 1);

        // What was past is gone, what was inside is there.
        let remaining: Vec<i64> = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT id FROM applications ORDER BY id"
        )
        .fetch_all(p)
        .await)
        .unwrap();
        assert_eq!(remaining, [applications[1]]);
        assert_eq!(
            files_under(&app.env.data_path().join("files")).len(),
            objects - 1,
            "the application's document copy went too"
        );
        let named: Vec<(i64, Option<String>)> = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_as(
            "SELECT ad_id, MAX(contact_name) FROM ad_revisions WHERE ad_id IN ($1, $2) GROUP BY ad_id ORDER BY ad_id"
        )
        .bind(closed[0])
        .bind(closed[1])
        .fetch_all(p)
        .await)
        .unwrap();
        assert_eq!(
            named,
            [
                (closed[0], None),
                (closed[1], Some("Kirsten Kontaktperson".into()))
            ]
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM job_alerts").await, 1);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM marketing_consents WHERE email IN ('alert9002@example.com', 'recent-news@example.com')").await,
            2
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM marketing_consents WHERE email IN ('alert9001@example.com', 'old-news@example.com')").await, 0);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM newsletter_subscribers WHERE email = 'old-news@example.com'"
            )
            .await,
            0
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM erasure_records").await, 1);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM privacy_requests").await,
            1
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM cookie_consents").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM page_views").await, 1);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM outbox WHERE recipient = 'mailed@example.com'"
            )
            .await,
            1
        );

        // A rerun finds nothing left to do.
        let rerun = run(&app, as_of).await;
        for (rule, counts) in &rerun.rules {
            assert_eq!(counts.deleted, 0, "{rule} deleted something twice");
        }
        // Every run is recorded with its counts and nothing else.
        let (runs, counts): (i64, String) = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_as(
            "SELECT COUNT(*), MIN(counts) FROM retention_runs WHERE finished_at IS NOT NULL AND error IS NULL"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(runs, 2);
        assert!(
            counts.contains("\"applications\"") && !counts.contains("@"),
            "{counts}"
        );
    }
);

story!(
    a_held_application_and_person_survive_and_go_once_released,
    manual(),
    |app| {
        let company = fixtures::company(&app, "Nordlys ApS", "24256790").await;
        let ad =
            fixtures::published(&app, &company, content("Backend developer", "Kode.", "751")).await;
        app.registered_seeker(EMAIL).await;
        let application = seeker_applies(&app, EMAIL, ad).await;
        app.registered_seeker("idle@example.com").await;
        let idle = user_id(&app, "idle@example.com").await.unwrap();
        let as_of = micros(OffsetDateTime::now_utc());
        let old = Rule::SeekerInactive.info().keep.before(as_of) - Duration::days(40);
        last_login(&app, "idle@example.com", old).await;
        sql(
            &app,
            "UPDATE applications SET created_at = $1 WHERE id = $2",
            Rule::Applications.info().keep.before(as_of) - Duration::days(10),
            application,
        )
        .await;

        // Operators only.
        app.login(EMAIL, PASSWORD).await;
        assert_eq!(
            app.get("/operator/retention/holds").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/operator/retention").await.status,
            StatusCode::FORBIDDEN
        );
        app.logout().await;
        jobboard::accounts::cli::create_operator(&app.state.db, "holds@example.com", PASSWORD)
            .await
            .unwrap();
        app.login("holds@example.com", PASSWORD).await;
        let page = app.get("/operator/retention/holds").await;
        assert_eq!(page.heading(), "Legal holds");
        let bad = page
            .form("Place the hold")
            .fill("What to hold", "application")
            .fill("Its number", "999999")
            .fill("Reason", "short")
            .submit(&app)
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            bad.field_error("Its number").as_deref(),
            Some("There is nothing with that number.")
        );
        assert!(bad.field_error("Reason").is_some());
        for (kind, number) in [("application", application), ("person", idle)] {
            let page = app
                .get("/operator/retention/holds")
                .await
                .form("Place the hold")
                .fill("What to hold", kind)
                .fill("Its number", &number.to_string())
                .fill("Reason", "Dispute over the hiring decision, case 2026-17")
                .submit(&app)
                .await;
            assert!(page.contains("The hold is placed."), "{}", page.text());
        }

        let report = run(&app, as_of).await;
        assert_eq!(of(&report, "applications").held, 1);
        assert_eq!(of(&report, "applications").deleted, 0);
        assert_eq!(of(&report, "seeker-inactive").held, 1);
        assert_eq!(of(&report, "seeker-inactive").warned, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications").await, 1);
        app.logout().await;

        // The applicant sees what is kept and why.
        app.login(EMAIL, PASSWORD).await;
        let centre = app.get("/account/privacy").await;
        assert!(
            centre.contains("Kept because of a legal hold"),
            "{}",
            centre.text()
        );
        assert!(centre.contains("Dispute over the hiring decision, case 2026-17"));
        app.logout().await;

        // Lifted, the next run deletes the application (and warns the idle person first).
        app.login("holds@example.com", PASSWORD).await;
        for _ in 0..2 {
            let page = app.get("/operator/retention/holds").await;
            let page = page.form("Lift the hold").submit(&app).await;
            assert!(page.contains("The hold is lifted"), "{}", page.text());
        }
        let page = app.get("/operator/retention/holds").await;
        assert!(page.contains("Nothing is on hold."));
        assert!(
            page.contains("Lifted holds") && page.contains("Application"),
            "{}",
            page.text()
        );
        // (As of five days ago, so that the warning's month is nearly over.)
        let report = run(&app, as_of - Duration::days(5)).await;
        assert_eq!(of(&report, "applications").deleted, 1);
        assert_eq!(of(&report, "seeker-inactive").warned, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications").await, 0);

        // The operators' page shows the runs and the forecast.
        let page = app.get("/operator/retention").await;
        assert_eq!(page.heading(), "Retention");
        assert!(page.contains("The next 30 days"), "{}", page.text());
        let doc = page.document();
        let row = doc
            .select(&scraper::Selector::parse("tr[data-rule=seeker-inactive] td").unwrap())
            .map(|td| td.text().collect::<String>())
            .collect::<Vec<_>>();
        assert_eq!(
            row.first().map(String::as_str),
            Some("1"),
            "the idle person goes within 30 days: {row:?}"
        );
        assert!(page.contains("Past runs"));
    }
);

story!(
    one_run_at_a_time_and_a_killed_run_is_finished_by_the_next,
    manual(),
    |app| {
        let as_of = micros(OffsetDateTime::now_utc());
        let old = Rule::VisitorData.info().keep.before(as_of) - Duration::days(1);
        // Many old page views, so the run takes a while.
        for chunk in 0..10 {
            let mut tx = app.state.db.begin().await.unwrap();
            for n in 0..300 {
                jobboard::db_run!(tx &mut tx, |c| sqlx::query(
                "INSERT INTO page_views (viewed_on, viewed_at, route, visit_id, masked_ip) VALUES ($1, $2, '/jobs', $3, '192.0.2.0/24')"
            )
            .bind(old.date())
            .bind(old)
            .bind(format!("v{chunk}-{n}"))
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .unwrap();
            }
            tx.commit().await.unwrap();
        }
        let total = count(&app, "SELECT COUNT(*) FROM page_views").await;
        assert_eq!(total, 3000);

        // Another node holds the lease: this one does not run.
        jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
            "UPDATE retention_lease SET holder = 'another-node', expires_at = $1"
        )
        .bind(as_of + Duration::minutes(5))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        assert!(matches!(
            sweeper::run(&app.state, Some(as_of), false).await.unwrap(),
            Outcome::Busy(_)
        ));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM page_views").await, total);
        // Its lease expires (the node crashed): the next run may go.
        jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
            "UPDATE retention_lease SET expires_at = $1"
        )
        .bind(as_of - Duration::seconds(1))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();

        // A run killed part-way through.
        let state = app.state.clone();
        let killed = tokio::spawn(async move { sweeper::run(&state, Some(as_of), false).await });
        loop {
            let left = count(&app, "SELECT COUNT(*) FROM page_views").await;
            if left < total || killed.is_finished() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        killed.abort();
        let _ = killed.await;
        // A statement the killed run had already handed to the database may still complete
        // (SQLite's worker thread finishes it): count once the rows stop changing.
        let mut left = count(&app, "SELECT COUNT(*) FROM page_views").await;
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let now = count(&app, "SELECT COUNT(*) FROM page_views").await;
            if now == left {
                break;
            }
            left = now;
        }
        if left > 0 {
            // Killed part-way: its record says it never finished.
            assert_eq!(
                count(
                    &app,
                    "SELECT COUNT(*) FROM retention_runs WHERE finished_at IS NULL"
                )
                .await,
                1
            );
            // It still holds its lease, so nobody else runs until it expires.
            assert!(matches!(
                sweeper::run(&app.state, Some(as_of), false).await.unwrap(),
                Outcome::Busy(_)
            ));
        }
        // Killed at any point before it recorded its end (even with every row gone), its lease
        // is still held: let it expire.
        let unfinished = count(
            &app,
            "SELECT COUNT(*) FROM retention_runs WHERE finished_at IS NULL",
        )
        .await;
        if unfinished > 0 {
            jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
                "UPDATE retention_lease SET expires_at = $1"
            )
            .bind(as_of - Duration::seconds(1))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
            .unwrap();
        }
        // Two runs at once: one works, the other finds the lease taken or nothing left.
        let (a, b) = tokio::join!(
            sweeper::run(&app.state, Some(as_of), false),
            sweeper::run(&app.state, Some(as_of), false)
        );
        let worked: Vec<u64> = [a.unwrap(), b.unwrap()]
            .into_iter()
            .filter_map(|o| match o {
                Outcome::Done(r) => Some(of(&r, "visitor-data").deleted),
                Outcome::Busy(_) => None,
            })
            .collect();
        assert_eq!(
            worked.iter().sum::<u64>(),
            left as u64,
            "each row deleted once: {worked:?}"
        );
        assert!(worked.iter().filter(|&&n| n > 0).count() <= 1, "{worked:?}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM page_views").await, 0);
        // The lease is free again.
        assert!(matches!(
            sweeper::run(&app.state, Some(as_of), false).await.unwrap(),
            Outcome::Done(_)
        ));
    }
);

story!(
    the_policy_and_the_centre_say_when_the_sweeper_last_ran,
    |app| {
        // `serve` runs the sweeper by itself once a day, starting now.
        for _ in 0..100 {
            if count(
                &app,
                "SELECT COUNT(*) FROM retention_runs WHERE finished_at IS NOT NULL",
            )
            .await
                > 0
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let today = jobboard::i18n::instant(jobboard::i18n::Lang::En, OffsetDateTime::now_utc());
        let line = format!("Enforced daily by the software; last run {today}.");
        let policy = app.get("/privacy").await;
        assert!(policy.contains(&line), "{line} not in {}", policy.text());
        app.registered_seeker("reader@example.com").await;
        app.login("reader@example.com", PASSWORD).await;
        assert!(app.get("/account/privacy").await.contains(&line));
    }
);

story!(the_command_line_prints_the_report, manual(), |app| {
    let jobboard = env!("CARGO_BIN_EXE_jobboard");
    let command = |args: &[&str]| {
        let mut command = std::process::Command::new(jobboard);
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &app.env.database_url)
            .env("JOBBOARD_DATA_DIR", app.env.data_path())
            .env("JOBBOARD_MASTER_KEY", "5e".repeat(32))
            .env("RUST_LOG", "warn");
        for (k, v) in CONTROLLER {
            command.env(k, v);
        }
        command.output().unwrap()
    };
    let out = command(&["retention", "run", "--dry-run", "--as-of", "2031-01-01"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["dry_run"], true);
    assert!(
        report["as_of"]
            .as_str()
            .unwrap()
            .starts_with("2031-01-01T23:00:00")
    );
    for rule in sweeper::sweeper_rules().map(jobboard::privacy::registry::id_of) {
        for key in ["deleted", "anonymised", "hidden", "held", "warned"] {
            assert!(
                report["rules"][&rule][key].is_u64(),
                "{rule}.{key} in {report}"
            );
        }
    }
    let out = command(&["retention", "run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM retention_runs").await,
        1,
        "a dry run is not recorded"
    );
    let bad = command(&["retention", "run", "--as-of", "soon"]);
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--as-of must be a date"), "{stderr}");
});

story!(
    a_canary_left_inactive_leaves_no_identifier_anywhere,
    manual(),
    |app| {
        // Every flow: registration, profile, CV, photo, an application forwarded to the company,
        // a saved job, a cookie decision, the newsletter, a job alert and a privacy request.
        anna_applies(&app).await;
        anna_wants_marketing(&app).await;
        app.logout().await;
        jobboard::accounts::cli::create_operator(
            &app.state.db,
            crate::privacy_requests::OPERATOR,
            PASSWORD,
        )
        .await
        .unwrap();
        let request = file_request(&app, EMAIL, "other", "Which newsletters do I get?").await;
        crate::privacy_requests::as_operator(&app).await;
        let page = app
            .get(&format!("/operator/privacy-requests/{request}"))
            .await
            .form("Send the answer")
            .fill("Answer to the person", "Only the monthly one.")
            .submit(&app)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        app.logout().await;
        outbox_drained(&app).await;
        let before = scan(&app, &IDENTIFIERS).await;
        assert!(
            before.iter().any(|f| f.contains("table users.name")),
            "{before:?}"
        );

        // Then Anna never comes back.
        let login: OffsetDateTime = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT last_login_at FROM users WHERE email = $1"
        )
        .bind(EMAIL)
        .fetch_one(p)
        .await)
        .unwrap();
        let rule = Rule::SeekerInactive;
        let report = run(&app, warn_at(rule, login)).await;
        assert_eq!(of(&report, "seeker-inactive").warned, 1);
        app.mail(EMAIL, WARNING).await;
        // (Her application went earlier, six months after it was sent.)
        assert_eq!(of(&report, "applications").deleted, 1);
        let report = run(&app, deadline(rule, login) + Duration::days(1)).await;
        assert_eq!(of(&report, "seeker-inactive").deleted, 1);
        outbox_drained(&app).await;
        // What the registry keeps (the consent proof, the answered request) is all there is.
        let kept = scan(&app, &IDENTIFIERS).await;
        assert!(
            !kept.is_empty() && kept.iter().all(|f| f.ends_with(EMAIL)),
            "{kept:#?}"
        );
        // Once their periods are over too, the last run leaves nothing.
        let report = run(&app, deadline(rule, login) + Duration::days(6 * 366)).await;
        assert!(of(&report, "newsletter-consents").deleted > 0);
        assert!(of(&report, "erasure-documentation").deleted > 0);
        let after = scan(&app, &IDENTIFIERS).await;
        assert!(after.is_empty(), "identifiers left: {after:#?}");
        assert!(files_under(&app.env.data_path().join("files")).is_empty());
    }
);
