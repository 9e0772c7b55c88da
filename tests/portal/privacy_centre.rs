//! The privacy centre: a job seeker sees everything held about them and who received it,
//! downloads it all as a ZIP, corrects it (the company is told), restricts processing, objects
//! to marketing, withdraws consents, ends other sessions, and erases the account — after which
//! no table, file, index or mail folder holds anything that identifies them.

use std::io::Read;

use reqwest::{StatusCode, multipart};
use scraper::Selector;

use crate::applications::{apply, pdf, upload_document};
use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

pub const NAME: &str = "Anna Andersen";
pub const EMAIL: &str = "anna@example.com";
pub const PHONE: &str = "+45 12 34 56 78";
pub const ADDRESS: &str = "Søndergade 12, 8000 Aarhus C";
pub const CV_TEXT: &str = "Anna-CV-unique-9f2c";
pub const ATTACHMENT_TEXT: &str = "Anna-attachment-unique-71be";
pub const LETTER: &str = "cover-letter-unique-5d1e: I would love to join the team.";

/// Every identifier of the person, for the scans.
pub const IDENTIFIERS: [&str; 7] = [
    NAME,
    EMAIL,
    PHONE,
    "Søndergade 12",
    CV_TEXT,
    ATTACHMENT_TEXT,
    "cover-letter-unique-5d1e",
];

pub struct World {
    pub company: fixtures::Company,
}

/// A small PNG, made here (photos are re-encoded on upload, so its bytes change).
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(16, 16, |x, y| image::Rgb([x as u8 * 10, y as u8 * 10, 99]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A company with an ad whose contact person is Karin, and Anna with a profile, a CV, an
/// attachment, a photo, a saved job and an application; Anna is logged in.
pub async fn anna_applies(app: &TestApp) -> World {
    let company = fixtures::company(app, "Nordlys ApS", "24256790").await;
    let mut ad = content("Backend developer", "Vi søger en backend-udvikler.", "751");
    ad.contact_name = Some("Karin Holm".into());
    ad.contact_email = Some("karin@nordlys.dk".into());
    let ad = fixtures::published(app, &company, ad).await;
    app.registered_seeker(EMAIL).await;
    app.login(EMAIL, PASSWORD).await;
    // A cookie decision made while logged in.
    app.get("/saved").await.form("Reject all").submit(app).await;
    let page = app
        .get("/profile")
        .await
        .form("Save profile")
        .fill("Your name", NAME)
        .fill("Address (optional)", ADDRESS)
        .fill("Phone (optional)", PHONE)
        .fill("Let verified employers find my profile", "yes")
        .submit(app)
        .await;
    assert!(page.contains("Your profile is saved."), "{}", page.text());
    let page = upload_document(app, "cv", "Anna CV.pdf", pdf(CV_TEXT)).await;
    assert!(
        page.contains("The document is uploaded."),
        "{}",
        page.text()
    );
    let page = upload_document(
        app,
        "attachment",
        "Diploma.txt",
        ATTACHMENT_TEXT.as_bytes().to_vec(),
    )
    .await;
    assert!(
        page.contains("The document is uploaded."),
        "{}",
        page.text()
    );
    let profile = app.get("/profile").await;
    let form = multipart::Form::new()
        .text("consent", "yes")
        .part("photo", multipart::Part::bytes(png()).file_name("me.png"));
    let response = app
        .client
        .post(app.url(&profile.upload_action()))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Your photo is saved.")
    );
    app.get(&format!("/jobs/{ad}"))
        .await
        .form("Save job")
        .submit(app)
        .await;
    let page = apply(app, ad, LETTER).await;
    assert!(
        page.contains("Your application has been sent."),
        "{}",
        page.text()
    );
    World { company }
}

/// Anna subscribes to the newsletter (double opt-in) and saves a daily job alert.
pub async fn anna_wants_marketing(app: &TestApp) {
    let page = app
        .get("/newsletter")
        .await
        .form("Subscribe")
        .fill("E-mail address", EMAIL)
        .submit(app)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let mail = app
        .mail(EMAIL, "Confirm your newsletter subscription")
        .await;
    let done = app
        .get(&mail.link("/newsletter/confirm"))
        .await
        .form("Confirm my subscription")
        .submit(app)
        .await;
    assert_eq!(done.heading(), "You are subscribed");
    let page = app
        .get("/jobs?q=backend")
        .await
        .form("Create job alert")
        .fill("How often", "daily")
        .submit(app)
        .await;
    assert!(page.contains("Your job alert is saved"), "{}", page.text());
}

/// Logs a second, independent browser in as `email` (another device).
pub async fn second_device(app: &TestApp, email: &str) -> TestBrowser {
    let browser = app.other_browser();
    let login = browser.get("/login").await;
    let doc = login.document();
    let csrf = doc
        .select(&Selector::parse("form input[name=csrf]").unwrap())
        .find_map(|i| i.value().attr("value").map(str::to_string))
        .expect("login form token");
    let response = browser
        .client
        .post(format!("{}/login", browser.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(browser.get("/account").await.path(), "/account");
    browser
}

/// Downloads a ZIP and returns its entries by name.
pub async fn zip_entries(response: reqwest::Response) -> Vec<(String, Vec<u8>)> {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a ZIP");
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        out.push((file.name().unwrap().to_string(), content));
    }
    out
}

pub fn entry<'a>(entries: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    entries
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c.as_slice())
        .unwrap_or_else(|| {
            panic!(
                "no {name} in the ZIP: {:?}",
                entries.iter().map(|(n, _)| n).collect::<Vec<_>>()
            )
        })
}

story!(
    the_centre_shows_everything_and_the_export_contains_it,
    |app| {
        let _world = anna_applies(&app).await;
        anna_wants_marketing(&app).await;
        // A second login, so there is a history and another session.
        let other = second_device(&app, EMAIL).await;

        let account = app.get("/account").await;
        assert!(account.contains("Privacy centre"));
        let page = app.get("/account/privacy").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.heading(), "Privacy centre");
        for shown in [
            NAME,
            EMAIL,
            ADDRESS,
            PHONE,
            "Anna CV.pdf",
            "Diploma.txt",
            "Backend developer",
            "Nordlys ApS",
            "Karin Holm <karin@nordlys.dk>",
            "cover-letter-unique-5d1e",
            "Login history",
            "127.0.0.0/24",
            "Who received your data",
            "Consents",
            "Saved jobs",
            "Where you are logged in",
            "This session",
            "Consented to showing the photo",
            "Consented to showing the profile to employers",
            "E-mail with secure links",
            "Cookie choices",
            "Rejected all",
            "Newsletter and job-alert consents",
            "Subscribed",
            "Job alerts",
            "Daily",
        ] {
            assert!(
                page.contains(shown),
                "the centre does not show {shown:?}:\n{}",
                page.text()
            );
        }

        // The export: every piece of data, documented, with each file's bytes.
        let response = app
            .client
            .get(app.url("/account/privacy/export"))
            .send()
            .await
            .unwrap();
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let entries = zip_entries(response).await;
        let data: serde_json::Value = serde_json::from_slice(entry(&entries, "data.json")).unwrap();
        let sections = &data["sections"];
        assert_eq!(data["format"], "jobboard-export/1");
        assert_eq!(sections["account"]["name"], NAME);
        assert_eq!(sections["account"]["email"], EMAIL);
        assert_eq!(sections["profile"]["address"], ADDRESS);
        assert_eq!(sections["profile"]["phone"], PHONE);
        assert_eq!(sections["profile"]["visible_to_employers"], true);
        let files = sections["files"].as_array().unwrap();
        assert_eq!(files.len(), 3, "CV, attachment and photo: {files:?}");
        for f in files {
            let path = f["export_path"].as_str().unwrap();
            let bytes = entry(&entries, path);
            match f["kind"].as_str().unwrap() {
                "cv" => assert_eq!(bytes, pdf(CV_TEXT).as_slice()),
                "attachment" => assert_eq!(bytes, ATTACHMENT_TEXT.as_bytes()),
                _ => assert!(bytes.starts_with(b"\x89PNG") || bytes.starts_with(&[0xFF, 0xD8])),
            }
        }
        let applications = sections["applications"].as_array().unwrap();
        assert_eq!(applications.len(), 1);
        assert_eq!(applications[0]["job_title"], "Backend developer");
        assert_eq!(applications[0]["company_name"], "Nordlys ApS");
        assert_eq!(applications[0]["cover_letter"], LETTER);
        let sent_cv = applications[0]["documents"][0]["export_path"]
            .as_str()
            .unwrap();
        assert_eq!(entry(&entries, sent_cv), pdf(CV_TEXT).as_slice());
        let disclosures = sections["disclosures"].as_array().unwrap();
        assert!(
            disclosures
                .iter()
                .any(|d| d["recipient"] == "Karin Holm <karin@nordlys.dk>"
                    && d["channel"] == "email_link")
        );
        assert!(disclosures.iter().any(|d| d["channel"] == "inbox"));
        let consents = sections["consents"].as_array().unwrap();
        assert!(
            consents
                .iter()
                .any(|c| c["consent"] == "photo" && c["given"] == true)
        );
        assert!(
            consents
                .iter()
                .any(|c| c["consent"] == "candidate_visibility" && c["given"] == true)
        );
        assert_eq!(sections["saved_jobs"].as_array().unwrap().len(), 1);
        assert_eq!(sections["cookie_consents"][0]["method"], "reject_all");
        assert_eq!(sections["newsletter"][0]["subscription"], "confirmed");
        assert_eq!(sections["job_alerts"][0]["frequency"], "daily");
        assert_eq!(sections["job_alerts"][0]["search"], "q=backend");
        let steps = sections["marketing_consents"].as_array().unwrap();
        assert!(
            steps
                .iter()
                .any(|c| c["purpose"] == "newsletter" && c["step"] == "confirmed")
        );
        assert!(steps.iter().any(|c| c["purpose"] == "job_alert"));
        let logins = sections["logins"].as_array().unwrap();
        assert!(logins.len() >= 2, "{logins:?}");
        assert!(logins.iter().all(|l| l["masked_ip"] == "127.0.0.0/24"));
        assert!(sections["sessions"].as_array().unwrap().len() >= 2);
        assert!(
            sections["emails"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["subject"].as_str().unwrap().contains("Backend developer"))
        );
        // Documented: a README for people and a JSON Schema describing each field.
        let readme = String::from_utf8(entry(&entries, "README.txt").to_vec()).unwrap();
        assert!(readme.contains("cover_letter: Cover letter") && readme.contains("## disclosures"));
        let schema: serde_json::Value =
            serde_json::from_slice(entry(&entries, "schema.json")).unwrap();
        assert_eq!(
            schema["properties"]["sections"]["properties"]["profile"]["properties"]["phone"]["description"],
            "Phone"
        );
        // The download is in the person's history.
        assert!(
            app.get("/account/privacy")
                .await
                .contains("Downloaded a copy of the data")
        );

        // Withdrawing consents, each on its own; ending the other session.
        let page = app
            .get("/account/privacy")
            .await
            .form("Withdraw consent to show my photo")
            .submit(&app)
            .await;
        assert!(page.contains("Your consent is withdrawn and the photo is deleted."));
        assert!(page.contains("Withdrew consent to showing the photo"));
        assert!(!page.has_form("Withdraw consent to show my photo"));
        let page = page
            .form("Unsubscribe from the newsletter")
            .submit(&app)
            .await;
        assert!(page.contains("You are unsubscribed from the newsletter."));
        assert!(page.contains("Withdrawn"));
        let page = page
            .form("Withdraw consent to show my profile to employers")
            .submit(&app)
            .await;
        assert!(page.contains("Your profile is no longer shown to employers."));
        assert_eq!(other.get("/account").await.status, StatusCode::OK);
        assert!(!other.get("/account").await.path().starts_with("/login"));
        let page = page.form("Log out all other sessions").submit(&app).await;
        assert!(page.contains("Sessions ended: 1."), "{}", page.text());
        assert!(other.get("/account").await.path().starts_with("/login"));
        assert!(app.get("/account").await.path().starts_with("/account"));
    }
);

/// Through a real SMTP server: the company that received the application is sent the
/// corrected values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_reaches_the_company_over_smtp() {
    let smtp = SmtpServer::start().await;
    let env = TestEnv::new(Backend::Sqlite).await;
    let app = TestApp::start(
        env,
        Options::default().with("JOBBOARD_SMTP_URL", &smtp.url()),
    )
    .await;
    let company = fixtures::company(&app, "Nordlys ApS", "24256790").await;
    let mut ad = content("Backend developer", "Vi søger en backend-udvikler.", "751");
    ad.contact_name = Some("Karin Holm".into());
    ad.contact_email = Some("karin@nordlys.dk".into());
    let ad = fixtures::published(&app, &company, ad).await;
    app.get("/register")
        .await
        .form("Create account")
        .fill("Your name", NAME)
        .fill("E-mail address", EMAIL)
        .fill("New password", PASSWORD)
        .submit(&app)
        .await;
    let verify = smtp.received(EMAIL, 1).await.remove(0);
    app.get(&verify.link("/verify-email"))
        .await
        .form("Verify my e-mail address")
        .submit(&app)
        .await;
    app.login(EMAIL, PASSWORD).await;
    upload_document(&app, "cv", "cv.pdf", pdf(CV_TEXT)).await;
    apply(&app, ad, LETTER).await;
    smtp.received("karin@nordlys.dk", 1).await;

    assert!(
        app.get("/account/privacy")
            .await
            .contains("Correct my data")
    );
    let page = app.get("/account/privacy/correct").await;
    assert_eq!(page.heading(), "Correct my data");
    let page = page
        .form("Save the correction")
        .fill("Your name", "Anna Andersen-Berg")
        .fill("Phone (optional)", "+45 99 88 77 66")
        .submit(&app)
        .await;
    assert!(
        // The contact person and the company's member (who had it in the inbox).
        page.contains("Your data is corrected. Recipients told: 2."),
        "{}",
        page.text()
    );
    assert!(page.contains("Anna Andersen-Berg") && page.contains("+45 99 88 77 66"));
    assert!(page.contains("Corrected data"));
    let told = smtp.received("karin@nordlys.dk", 2).await;
    let mail = told
        .iter()
        .find(|m| m.subject.contains("Rettede oplysninger"))
        .expect("the correction e-mail, in the ad's language");
    assert!(mail.text.contains("Anna Andersen-Berg"), "{}", mail.text);
    assert!(mail.text.contains("+45 99 88 77 66"), "{}", mail.text);
    assert!(mail.text.contains("Backend developer"));
    let bad = app
        .get("/account/privacy/correct")
        .await
        .form("Save the correction")
        .fill("Phone (optional)", "call me")
        .submit(&app)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Every text and binary column of every table (read from the schema), the raw bytes of the
/// SQLite file and its WAL (where deleted rows would linger), the stored objects, the search
/// index folder and the mail folder: where any identifier still appears.
pub async fn scan(app: &TestApp, identifiers: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let needles: Vec<String> = identifiers.iter().map(|s| s.to_lowercase()).collect();
    let hits = |text: &str| -> Option<String> {
        let lower = text.to_lowercase();
        needles.iter().find(|n| lower.contains(n.as_str())).cloned()
    };
    let columns: Vec<(String, String, String)> = match &app.state.db {
        jobboard::db::Db::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, p.name, upper(p.type) FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        jobboard::db::Db::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    let mut scanned = 0;
    for (table, column, kind) in columns {
        let kind = kind.to_lowercase();
        let texty = ["text", "char", "blob", "bytea", "json"]
            .iter()
            .any(|k| kind.contains(k));
        if !texty {
            continue;
        }
        scanned += 1;
        let values: Vec<Option<String>> = match &app.state.db {
            jobboard::db::Db::Sqlite(pool) => {
                let sql = format!("SELECT CAST(\"{column}\" AS BLOB) FROM \"{table}\"");
                let raw: Vec<Option<Vec<u8>>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .fetch_all(pool)
                    .await
                    .unwrap();
                raw.into_iter()
                    .map(|v| v.map(|b| String::from_utf8_lossy(&b).into_owned()))
                    .collect()
            }
            jobboard::db::Db::Postgres(pool) => {
                let expr = if kind == "bytea" {
                    format!("encode(\"{column}\", 'escape')")
                } else {
                    format!("\"{column}\"::text")
                };
                let sql = format!("SELECT {expr} FROM \"{table}\"");
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .fetch_all(pool)
                    .await
                    .unwrap()
            }
        };
        for value in values.into_iter().flatten() {
            if let Some(n) = hits(&value) {
                found.push(format!("table {table}.{column}: {n}"));
            }
        }
    }
    assert!(
        scanned > 40,
        "the scan reads the whole schema ({scanned} columns)"
    );
    let root = app.env.data_path();
    if app.env.backend == Backend::Sqlite {
        for file in ["jobboard.db", "jobboard.db-wal"] {
            let bytes = std::fs::read(root.join(file)).unwrap_or_default();
            let raw = String::from_utf8_lossy(&bytes).to_lowercase();
            for needle in needles.iter().filter(|n| raw.contains(n.as_str())) {
                found.push(format!("raw {file}: {needle}"));
            }
        }
    }
    for folder in ["files", "search-index"] {
        for path in files_under(&root.join(folder)) {
            let bytes = std::fs::read(&path).unwrap_or_default();
            if let Some(n) = hits(&String::from_utf8_lossy(&bytes)) {
                found.push(format!("{}: {n}", path.display()));
            }
        }
    }
    for path in files_under(&app.mail_dir()) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(mail) = Mail::parse(&bytes) {
            text.push_str(&format!(
                "{} {} {} {}",
                mail.to, mail.subject, mail.text, mail.html
            ));
        }
        if let Some(n) = hits(&text) {
            found.push(format!("{}: {n}", path.display()));
        }
    }
    found
}

pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Waits until the outbox has delivered everything queued.
pub async fn outbox_drained(app: &TestApp) {
    for _ in 0..150 {
        let pending: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        if pending == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the outbox did not drain");
}

/// What the law makes us keep after an erasure, and where the scan may find it: the proof of
/// newsletter and job-alert consent and its withdrawal (2 years), in its table and so in the
/// raw database file.
fn legally_kept(finding: &str) -> bool {
    finding.starts_with("table marketing_consents.email")
        || finding == format!("raw jobboard.db: {EMAIL}")
        || finding == format!("raw jobboard.db-wal: {EMAIL}")
}

story!(erasure_leaves_nothing_that_identifies_the_person, |app| {
    let world = anna_applies(&app).await;
    anna_wants_marketing(&app).await;
    outbox_drained(&app).await;
    // The scan finds the person everywhere before the erasure (so it would notice leftovers).
    let before = scan(&app, &IDENTIFIERS).await;
    let mut expected = vec![
        "table users.name",
        "table seeker_profiles.phone",
        "table applications.cover_letter",
        ".eml",
    ];
    if app.env.backend == Backend::Sqlite {
        expected.push("raw jobboard.db");
    }
    for expected in expected {
        assert!(
            before.iter().any(|f| f.contains(expected)),
            "scan misses {expected}: {before:?}"
        );
    }
    let objects_before = files_under(&app.env.data_path().join("files")).len();
    assert!(
        objects_before >= 4,
        "CV, attachment, photo and the application's copy"
    );

    assert!(
        app.get("/account/privacy")
            .await
            .contains("Erase my account")
    );
    let page = app.get("/account/privacy/erase").await;
    assert_eq!(page.heading(), "Erase my account");
    let wrong = page
        .form("Erase my account now")
        .fill("Your password, to confirm", "not my password")
        .submit(&app)
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.field_error("Your password, to confirm").as_deref(),
        Some("The password is not correct.")
    );
    let page = wrong
        .form("Erase my account now")
        .fill("Your password, to confirm", PASSWORD)
        .submit(&app)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.heading(), "Your account is erased");
    assert!(
        // The contact person and the company's member (who had it in the inbox).
        page.contains("People at the companies told that your application was erased: 2."),
        "{}",
        page.text()
    );
    for kept in [
        "A record of this erasure",
        "GDPR Art. 5(2) and 17",
        "Database backups",
        "Your cookie decisions, without any link to you",
        "The record of your newsletter and job-alert consents",
    ] {
        assert!(
            page.contains(kept),
            "the confirmation does not list {kept:?}"
        );
    }
    // Logged out, and the account is gone.
    assert!(app.get("/account").await.path().starts_with("/login"));
    let again = app.login(EMAIL, PASSWORD).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);

    // The company is told, without the name.
    let told = app.mail("karin@nordlys.dk", "er slettet (nr.").await;
    assert!(told.text.contains("Backend developer"));
    outbox_drained(&app).await;
    let after = scan(&app, &IDENTIFIERS).await;
    let unexpected: Vec<&String> = after.iter().filter(|f| !legally_kept(f)).collect();
    assert!(
        unexpected.is_empty(),
        "identifiers left after erasure: {unexpected:#?}"
    );
    assert!(
        after.iter().all(|f| f.ends_with(EMAIL)),
        "only the address, as proof of consent: {after:?}"
    );
    assert!(
        files_under(&app.env.data_path().join("files")).is_empty(),
        "no stored object is left"
    );
    // The documentation of the erasure exists and names nobody.
    let (records, summary): (i64, String) =
        jobboard::db_run!(pool & app.state.db, |p| sqlx::query_as(
            "SELECT COUNT(*), MAX(summary) FROM erasure_records"
        )
        .fetch_one(p)
        .await)
        .unwrap();
    assert_eq!(records, 1);
    assert!(
        summary.contains("\"applications\":1") && summary.contains("\"files\""),
        "{summary}"
    );
    assert!(
        summary.contains("\"job_alerts\":1") && summary.contains("\"newsletter\":1"),
        "{summary}"
    );
    let remaining: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications WHERE company_id = $1"
    )
    .bind(world.company.id)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(remaining, 0);
});

story!(
    restriction_hides_the_profile_and_freezes_the_pipeline,
    |app| {
        let world = anna_applies(&app).await;
        anna_wants_marketing(&app).await;
        let later = time::OffsetDateTime::now_utc() + time::Duration::days(8);
        assert_eq!(newsletter_to(&app).await, [EMAIL]);
        assert_eq!(due_alerts(&app, later).await, 1);
        // The employer can log in.
        jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
            "UPDATE users SET password_hash = $1 WHERE id = $2"
        )
        .bind(app.state.hasher.hash(PASSWORD).await.unwrap())
        .bind(world.company.user)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        fixtures::verify_company(&app, "24256790").await;
        let employer = app.other_browser();
        let login = employer.get("/login").await;
        let csrf = login
            .document()
            .select(&Selector::parse("form input[name=csrf]").unwrap())
            .find_map(|i| i.value().attr("value").map(str::to_string))
            .unwrap();
        employer
            .client
            .post(format!("{}/login", employer.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "hr@24256790.example.com"),
                ("password", PASSWORD),
                ("next", ""),
            ])
            .send()
            .await
            .unwrap();
        assert!(employer.get("/employer/candidates").await.contains(NAME));

        let page = app
            .get("/account/privacy")
            .await
            .form("Restrict processing of my data")
            .submit(&app)
            .await;
        assert!(page.contains("Processing of your data is now restricted."));
        assert!(page.contains("Restricted processing"));
        app.mail(EMAIL, "Processing of your data is restricted")
            .await;
        assert!(!employer.get("/employer/candidates").await.contains(NAME));
        // No newsletter and no job alert while restricted.
        assert!(newsletter_to(&app).await.is_empty());
        assert_eq!(due_alerts(&app, later).await, 0);
        let inbox = employer.get("/employer/applications").await;
        let link = inbox
            .document()
            .select(&Selector::parse("a[href^='/employer/applications/']").unwrap())
            .find_map(|a| a.value().attr("href").map(str::to_string))
            .expect("the application in the inbox");
        let show = employer.get(&link).await;
        assert!(show.contains("The applicant has restricted processing of their data"));
        assert!(!show.has_form("Save status"));
        // A crafted status change is refused and no e-mail goes to the person.
        let csrf = show
            .document()
            .select(&Selector::parse("input[name=csrf]").unwrap())
            .find_map(|i| i.value().attr("value").map(str::to_string))
            .unwrap();
        employer
            .client
            .post(format!("{}{link}/status", employer.base))
            .form(&[("csrf", csrf.as_str()), ("status", "interview")])
            .send()
            .await
            .unwrap();
        assert!(employer.get(&link).await.contains("Received"));
        let status: String = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT status FROM applications"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(status, "received");

        // Objection to direct marketing is recorded and shown.
        let page = app
            .get("/account/privacy")
            .await
            .form("Object to direct marketing")
            .submit(&app)
            .await;
        assert!(page.contains("Your objection is recorded"));
        assert!(page.contains("Objected to direct marketing"));
        let data: serde_json::Value = {
            let entries = zip_entries(
                app.client
                    .get(app.url("/account/privacy/export"))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            serde_json::from_slice(entry(&entries, "data.json")).unwrap()
        };
        assert!(data["sections"]["processing"]["restricted_since"].is_string());
        assert!(data["sections"]["processing"]["marketing_objection_since"].is_string());
        // The objection stops direct marketing for good: the alert and the subscription end,
        // each step in the consent record.
        assert_eq!(data["sections"]["job_alerts"][0]["alert_status"], "stopped");
        assert_eq!(
            data["sections"]["job_alerts"][0]["stop_reason"],
            "objection"
        );
        assert_eq!(
            data["sections"]["newsletter"][0]["subscription"],
            "unsubscribed"
        );
        let steps = data["sections"]["marketing_consents"].as_array().unwrap();
        assert_eq!(
            steps
                .iter()
                .filter(|c| c["step"] == "withdrawn" && c["reason"] == "objection")
                .count(),
            2
        );

        // Lifted: visible again, and the pipeline moves.
        let page = app
            .get("/account/privacy")
            .await
            .form("Lift the restriction")
            .submit(&app)
            .await;
        assert!(page.contains("The restriction is lifted."));
        assert!(employer.get("/employer/candidates").await.contains(NAME));
        assert!(
            !employer
                .get(&link)
                .await
                .contains("The applicant has restricted processing")
        );
        // Lifting the restriction does not lift the objection.
        assert!(newsletter_to(&app).await.is_empty());
        assert_eq!(due_alerts(&app, later).await, 0);
    }
);

/// Who the newsletter would go to now (the one function that decides it).
async fn newsletter_to(app: &TestApp) -> Vec<String> {
    let mut tx = app.state.db.begin().await.unwrap();
    jobboard::newsletter::store::recipients(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.email)
        .collect()
}

/// How many job alerts the worker would send at `at`.
async fn due_alerts(app: &TestApp, at: time::OffsetDateTime) -> usize {
    jobboard::alerts::store::due(&app.state.db, at, 10)
        .await
        .unwrap()
        .len()
}

story!(nobody_sees_another_persons_centre, |app| {
    let _world = anna_applies(&app).await;
    app.logout().await;
    // Anonymous: to the login page.
    assert!(
        app.get("/account/privacy")
            .await
            .path()
            .starts_with("/login")
    );
    let export = app
        .client
        .get(app.url("/account/privacy/export"))
        .send()
        .await
        .unwrap();
    assert!(export.url().path().starts_with("/login"));
    // Another seeker sees only their own data.
    app.registered_seeker("bo@example.com").await;
    app.login("bo@example.com", PASSWORD).await;
    let page = app.get("/account/privacy").await;
    assert!(page.contains("bo@example.com"));
    assert!(!page.contains(NAME) && !page.contains(EMAIL) && !page.contains(PHONE));
    let entries = zip_entries(
        app.client
            .get(app.url("/account/privacy/export"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let data = String::from_utf8(entry(&entries, "data.json").to_vec()).unwrap();
    assert!(!data.contains(EMAIL) && !data.contains(NAME));
    assert!(!entries.iter().any(|(_, c)| c == &pdf(CV_TEXT)));
    // Operators have no centre of their own (their accounts come from the CLI).
    jobboard::accounts::cli::create_operator(&app.state.db, "ops@example.com", PASSWORD)
        .await
        .unwrap();
    app.logout().await;
    app.login("ops@example.com", PASSWORD).await;
    assert_eq!(
        app.get("/account/privacy").await.status,
        StatusCode::FORBIDDEN
    );
});

story!(a_profile_edit_reaches_the_company_too, |app| {
    anna_applies(&app).await;
    let page = app
        .get("/profile")
        .await
        .form("Save profile")
        .fill("Phone (optional)", "+45 55 44 33 22")
        .submit(&app)
        .await;
    assert!(page.contains("Your profile is saved."));
    let mail = app.mail("karin@nordlys.dk", "Rettede oplysninger").await;
    assert!(mail.text.contains("+45 55 44 33 22"), "{}", mail.text);
    assert!(!mail.text.contains(ADDRESS), "only what changed is sent");
});

story!(the_privacy_centre_names_the_device_of_each_session, |app| {
    app.registered_seeker("devices@example.com").await;
    let browser = |agent: &str| {
        reqwest::Client::builder()
            .user_agent(agent)
            .cookie_provider(std::sync::Arc::new(reqwest::cookie::Jar::default()))
            .build()
            .unwrap()
    };
    let firefox =
        browser("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0");
    let iphone = browser(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    );
    for client in [&iphone, &firefox] {
        let login = Page::from(client.get(app.url("/login")).send().await.unwrap()).await;
        login
            .form("Log in")
            .fill("E-mail address", "devices@example.com")
            .fill("Password", PASSWORD)
            .submit_with(client)
            .await;
    }
    let page = Page::from(
        firefox
            .get(app.url("/account/privacy"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let text = page.text();
    assert!(text.contains("Firefox on Windows (This browser)"), "{text}");
    assert!(text.contains("Safari on iOS"), "{text}");
    assert!(
        !page.body.contains("rv:133.0"),
        "no more of the User-Agent than the family"
    );
});
