//! The audit log: an operator who opens a seeker's account, downloads her CV and reads her
//! application leaves an entry for each look, which the console's log lists and the seeker
//! sees in her privacy centre and export (the part of the operators' work, not the operator's
//! name); and an altered or removed entry is found by the real `jobboard audit verify`.

use jobboard::db_run;
use reqwest::StatusCode;

use crate::applications::{apply, pdf, upload_document};
use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

const OPS: &str = "audit-ops@example.com";
const SEEKER: &str = "sofie@example.com";

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
    assert_eq!(page.path(), "/operator", "{}", page.text());
    (ops, id)
}

/// A seeker with a CV who applied to one ad; logged in in the app's own browser.
async fn applicant(app: &TestApp) -> (i64, i64) {
    let company = fixtures::company(app, "Revision ApS", "31313131").await;
    let ad = fixtures::published(
        app,
        &company,
        content("Revisor", "Vi søger en revisor.", "101"),
    )
    .await;
    app.registered_seeker(SEEKER).await;
    app.login(SEEKER, PASSWORD).await;
    let page = upload_document(app, "cv", "Sofie CV.pdf", pdf("Sofie's CV")).await;
    assert!(
        page.contains("The document is uploaded."),
        "{}",
        page.text()
    );
    let page = apply(app, ad, "Jeg vil gerne revidere jeres regnskaber.").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let seeker: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(SEEKER)
    .fetch_one(p)
    .await)
    .unwrap();
    let application: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM applications WHERE seeker_id = $1"
    )
    .bind(seeker)
    .fetch_one(p)
    .await)
    .unwrap();
    (seeker, application)
}

/// Runs the real binary's `audit verify` against the test's database.
fn verify(app: &TestApp) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"));
    command
        .args(["audit", "verify"])
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
}

story!(
    operator_looks_at_a_cv_and_an_application_are_shown_to_the_person,
    |app| {
        let (seeker, application) = applicant(&app).await;
        let (ops, _) = operator(&app).await;

        // The account page lists the applications and documents, without their content.
        let account = ops.get(&format!("/operator/accounts/{seeker}")).await;
        assert_eq!(account.status, StatusCode::OK);
        assert!(!account.contains("revidere jeres regnskaber"));
        let cv = account
            .document()
            .select(&scraper::Selector::parse("#content a[href*='/documents/']").unwrap())
            .next()
            .and_then(|a| a.value().attr("href").map(str::to_string))
            .expect("a link to the CV");
        let download = ops.client.get(app.url(&cv)).send().await.unwrap();
        assert_eq!(download.status(), StatusCode::OK);
        assert_eq!(
            download.bytes().await.unwrap().as_ref(),
            pdf("Sofie's CV").as_slice()
        );
        let opened = ops
            .get(&format!("/operator/applications/{application}"))
            .await;
        assert_eq!(opened.status, StatusCode::OK);
        assert!(opened.contains("Jeg vil gerne revidere jeres regnskaber."));

        // The console's log names the operator and what was opened.
        let log = ops.get(&format!("/operator/audit?subject={seeker}")).await;
        let text = log.text();
        for line in [
            "Viewed the account",
            "Downloaded a CV or attachment",
            "Opened an application",
        ] {
            assert!(text.contains(line), "{line} missing: {text}");
        }
        assert!(text.contains(&format!("Application {application}")));

        // The seeker sees each look, by the part of the operators' work, never by name.
        let centre = app.get("/account/privacy").await;
        let doc = centre.document();
        let section = doc
            .select(&scraper::Selector::parse("#section-operator_actions").unwrap())
            .next()
            .expect("the operator actions section")
            .text()
            .collect::<String>();
        for line in [
            "Account administration",
            "Viewed the account",
            "Downloaded a CV or attachment",
            "Opened an application",
        ] {
            assert!(section.contains(line), "{line} missing: {section}");
        }
        assert!(!section.contains("Test Operator") && !section.contains(OPS));
        // The export has the same entries, by code.
        let subject = jobboard::privacy::sections::Subject::of_user(&app.state.db, seeker)
            .await
            .unwrap()
            .unwrap();
        let (export, _) = jobboard::privacy::export::collect(&app.state, &subject)
            .await
            .unwrap();
        let export = &export["sections"];
        let actions: Vec<&str> = export["operator_actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "viewed_application",
                "downloaded_document",
                "viewed_account"
            ]
        );
        assert!(export["operator_actions"][0].get("operator").is_none());
    }
);

story!(a_tampered_audit_entry_is_found_by_audit_verify, |app| {
    let (seeker, application) = applicant(&app).await;
    let (ops, _) = operator(&app).await;
    ops.get(&format!("/operator/accounts/{seeker}")).await;
    ops.get(&format!("/operator/applications/{application}"))
        .await;
    ops.get(&format!("/operator/accounts/{seeker}")).await;

    let out = verify(&app);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("audit log intact:"), "{stdout}");

    // Someone with database access hides that the application was opened.
    let entry: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM operator_audit WHERE action = 'viewed_application'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE operator_audit SET action = 'viewed_account', object_kind = 'account', object_id = subject_user_id WHERE id = $1"
    )
    .bind(entry)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let out = verify(&app);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("audit log broken at entry {entry}")),
        "{stderr}"
    );

    // Removing it instead breaks the link of the entry after it.
    db_run!(pool & app.state.db, |p| sqlx::query(
        "DELETE FROM operator_audit WHERE id = $1"
    )
    .bind(entry)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let next: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT MIN(id) FROM operator_audit WHERE id > $1"
    )
    .bind(entry)
    .fetch_one(p)
    .await)
    .unwrap();
    let out = verify(&app);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("broken at entry {next}")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
});
