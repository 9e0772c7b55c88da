//! Applying: a seeker uploads a CV, applies, the company's contact receives the e-mail and
//! downloads the CV through its link; status changes reach the seeker; withdrawal deletes the
//! application and its files. Plus the authorisation matrix and upload attacks.

use reqwest::{StatusCode, multipart};

use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

/// A minimal but complete PDF.
pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

/// Uploads a document through the documents page's form (multipart, CSRF token in the URL).
pub async fn upload_document(app: &TestApp, kind: &str, name: &str, bytes: Vec<u8>) -> Page {
    let action = app.get("/documents").await.upload_action();
    let form = multipart::Form::new().text("kind", kind.to_string()).part(
        "file",
        multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let response = app
        .client
        .post(app.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Page::from(response).await
}

/// `email` (a registered seeker) logs in, uploads a CV and applies to `ad`; returns the
/// application's id, with nobody logged in.
pub async fn seeker_applies(app: &TestApp, email: &str, ad: i64) -> i64 {
    app.login(email, PASSWORD).await;
    upload_document(app, "cv", "CV.pdf", pdf("A CV")).await;
    let page = apply(app, ad, "I would like the job.").await;
    assert!(
        page.contains("Your application has been sent."),
        "{}",
        page.text()
    );
    app.logout().await;
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT ap.id FROM applications ap JOIN users u ON u.id = ap.seeker_id \
         WHERE u.email = $1 AND ap.ad_id = $2"
    )
    .bind(email)
    .bind(ad)
    .fetch_one(p)
    .await)
    .unwrap()
}

/// Applies through the ad's form with a cover letter and the default CV.
pub async fn apply(app: &TestApp, ad: i64, letter: &str) -> Page {
    let page = app.get(&format!("/jobs/{ad}/apply")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let doc = page.document();
    let form = doc
        .select(&scraper::Selector::parse("form[enctype='multipart/form-data']").unwrap())
        .next()
        .expect("apply form");
    let action = form.value().attr("action").unwrap().to_string();
    let cv = form
        .select(&scraper::Selector::parse("input[name=cv][checked]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_string));
    let mut parts = multipart::Form::new().text("cover_letter", letter.to_string());
    if let Some(cv) = cv {
        parts = parts.text("cv", cv);
    }
    let response = app
        .client
        .post(app.url(&action))
        .multipart(parts)
        .send()
        .await
        .unwrap();
    Page::from(response).await
}

/// Withdraws the application for `title` from My applications, confirming the step.
pub async fn withdraw(app: &TestApp, title: &str) -> Page {
    let list = app.get("/applications").await;
    let confirm = app
        .get(&list.link(&format!("Withdraw application — {title}")))
        .await;
    assert_eq!(confirm.heading(), "Withdraw your application?");
    confirm
        .form("Yes, withdraw my application")
        .submit(app)
        .await
}

struct Setting {
    company: fixtures::Company,
    ad: i64,
}

/// A company with a published ad taking applications on the site, and a seeker with a CV.
async fn setting(app: &TestApp) -> Setting {
    let company = fixtures::company(app, "Nordlys ApS", "24256790").await;
    let mut ad = content(
        "Backend developer",
        "Vi søger en backend-udvikler til vores team.",
        "751",
    );
    ad.contact_name = Some("Karin Holm".into());
    ad.contact_email = Some("karin@nordlys.dk".into());
    let ad = fixtures::published(app, &company, ad).await;
    app.registered_seeker("anna@example.com").await;
    app.login("anna@example.com", PASSWORD).await;
    let page = upload_document(app, "cv", "Anna CV.pdf", pdf("Anna's CV")).await;
    assert!(
        page.contains("The document is uploaded."),
        "{}",
        page.text()
    );
    Setting { company, ad }
}

story!(a_seeker_applies_and_the_company_receives_it, |app| {
    let s = setting(&app).await;
    let page = apply(
        &app,
        s.ad,
        "I would love to build your Rust services in Aarhus.",
    )
    .await;
    assert!(
        page.contains("Your application has been sent."),
        "{}",
        page.text()
    );
    assert_eq!(page.heading(), "My applications");
    assert!(page.contains("Received"));
    assert!(
        page.contains("Nordlys ApS")
            && page.contains("Company inbox on jobboard")
            && page.contains("Karin Holm <karin@nordlys.dk>")
    );
    assert!(page.contains("Will be deleted on"));
    let confirmation = app
        .mail("anna@example.com", "Your application: Backend developer")
        .await;
    assert!(
        confirmation
            .text
            .contains("Nordlys ApS received: cover letter, cv: Anna_CV.pdf")
            || confirmation.text.contains("cv:")
    );

    // The contact person gets it in the language of the ad (Danish), with a link straight to
    // the CV that works without logging in.
    let mail = app
        .mail("karin@nordlys.dk", "Ny ansøgning: Backend developer")
        .await;
    assert!(
        mail.text
            .contains("I would love to build your Rust services")
    );
    let link = mail.link("/shared/applications/");
    let response = app
        .other_browser()
        .client
        .get(app.url(&link))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=")
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        pdf("Anna's CV").as_slice()
    );
    // A tampered link does not work.
    let tampered = link.replace("sig=", "sig=0");
    assert_eq!(
        app.other_browser()
            .client
            .get(app.url(&tampered))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
});

story!(
    the_employer_works_the_pipeline_and_the_seeker_sees_it,
    |app| {
        let s = setting(&app).await;
        apply(&app, s.ad, "Please consider me for the backend position.").await;
        app.logout().await;
        // The employer logs in through the pages.
        jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
            "UPDATE users SET password_hash = $1 WHERE id = $2"
        )
        .bind(app.state.hasher.hash(PASSWORD).await.unwrap())
        .bind(s.company.user)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        app.login("hr@24256790.example.com", PASSWORD).await;
        let inbox = app.get("/employer/applications").await;
        assert_eq!(inbox.heading(), "Applications");
        assert!(inbox.contains("Test Seeker") && inbox.contains("Backend developer"));
        let id: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT id FROM applications"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        let page = app.get(&format!("/employer/applications/{id}")).await;
        assert!(page.contains("Please consider me"));
        let download = app
            .client
            .get(app.url(&format!(
                "/employer/applications/{id}/files/{}",
                file_of(&app, id).await
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), StatusCode::OK);
        let page = page
            .form("Save status")
            .fill("Status", "interview")
            .submit(&app)
            .await;
        assert!(page.contains("The status is saved"));
        let page = page
            .form("Add note")
            .fill("New note", "Strong Rust background.")
            .submit(&app)
            .await;
        assert!(page.contains("Strong Rust background."));
        let filtered = app.get("/employer/applications?status=interview").await;
        assert!(filtered.contains("Test Seeker"));
        assert!(
            !app.get("/employer/applications?status=offer")
                .await
                .contains("Test Seeker")
        );
        let page = app
            .get(&format!("/employer/applications/{id}/reject"))
            .await;
        let page = page.form("Reject and send").submit(&app).await;
        assert!(page.contains("The applicant has been told by e-mail."));
        let rejection = app
            .mail(
                "anna@example.com",
                "Your application for Backend developer at Nordlys ApS",
            )
            .await;
        assert!(rejection.text.contains("other candidates"));
        app.logout().await;

        app.login("anna@example.com", PASSWORD).await;
        let mine = app.get("/applications").await;
        assert!(mine.contains("Rejected"));
        assert!(
            !mine.contains("Strong Rust background"),
            "notes are private to the company"
        );
        app.mail("anna@example.com", "News about your application")
            .await;
    }
);

async fn file_of(app: &TestApp, application: i64) -> i64 {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT file_id FROM application_files WHERE application_id = $1"
    )
    .bind(application)
    .fetch_one(p)
    .await)
    .unwrap()
}

story!(
    withdrawing_deletes_the_application_and_its_files_and_tells_the_company,
    |app| {
        let s = setting(&app).await;
        apply(&app, s.ad, "I am applying and will withdraw again.").await;
        let id: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT id FROM applications"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        let key: String = jobboard::db_run!(pool &app.state.db, |p| sqlx::query_scalar(
        "SELECT f.storage_key FROM files f JOIN application_files af ON af.file_id = f.id WHERE af.application_id = $1"
    ).bind(id).fetch_one(p).await).unwrap();
        let link = app
            .mail("karin@nordlys.dk", "Ny ansøgning")
            .await
            .link("/shared/applications/");
        let page = withdraw(&app, "Backend developer").await;
        assert!(page.contains("Your application has been withdrawn and deleted."));
        let (applications, files): (i64, i64) = jobboard::db_run!(pool &app.state.db, |p| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM applications), (SELECT COUNT(*) FROM files WHERE kind = 'application')"
    ).fetch_one(p).await).unwrap();
        assert_eq!((applications, files), (0, 0));
        assert!(
            !app.state
                .files
                .exists(&jobboard::files::StorageKey::parse(&key).unwrap())
                .await
                .unwrap(),
            "the object is gone"
        );
        assert_eq!(
            app.other_browser()
                .client
                .get(app.url(&link))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        app.mail(
            "karin@nordlys.dk",
            "Ansøgning trukket tilbage: Backend developer",
        )
        .await;
        // The record of the earlier hand-over stays visible to the seeker.
        assert!(page.contains("Earlier hand-overs"));
    }
);

story!(nobody_else_reaches_an_application_or_a_document, |app| {
    let s = setting(&app).await;
    apply(&app, s.ad, "This application is private to Nordlys.").await;
    let application: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM applications"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let cv: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM files WHERE kind = 'cv'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let copy = file_of(&app, application).await;
    let private = [
        "/profile".to_string(),
        "/documents".to_string(),
        format!("/documents/{cv}/download"),
        "/applications".to_string(),
        format!("/employer/applications/{application}"),
        format!("/employer/applications/{application}/files/{copy}"),
        format!("/employer/applications/{application}/reject"),
        format!("/shared/applications/{application}/files/{copy}"),
    ];
    let owner_only = |path: &str| {
        path.starts_with("/profile")
            || path.starts_with("/documents")
            || path.starts_with("/applications")
    };
    app.logout().await;

    // Anonymous: sent to log in, or refused.
    for path in &private {
        let page = app.get(path).await;
        assert!(
            page.path() == "/login"
                || matches!(page.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "anonymous reached {path}"
        );
    }
    // Another seeker and another company.
    app.registered_seeker("other@example.com").await;
    app.login("other@example.com", PASSWORD).await;
    for path in &private {
        let page = app.get(path).await;
        if owner_only(path) && !path.contains(&cv.to_string()) {
            assert!(
                !page.body.contains("Anna CV") && !page.body.contains("private to Nordlys"),
                "{path} shows Anna's data to another seeker"
            );
        } else {
            assert!(
                matches!(page.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "another seeker reached {path}: {}",
                page.status
            );
        }
    }
    app.logout().await;
    app.registered_employer("hr@other.dk", "Other A/S", "10150817")
        .await;
    app.login("hr@other.dk", PASSWORD).await;
    for path in &private {
        let page = app.get(path).await;
        if path == "/employer/applications" {
            continue;
        }
        assert!(
            matches!(page.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "another company reached {path}: {}",
            page.status
        );
    }
    assert!(
        !app.get("/employer/applications")
            .await
            .contains("Test Seeker")
    );
    // Notes and status changes are refused too.
    let page = app
        .post_form(
            &format!("/employer/applications/{application}/notes"),
            &[("note", "x")],
        )
        .await;
    assert!(matches!(
        page.status,
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
    ));
});

story!(
    uploads_are_checked_by_content_and_leave_nothing_behind_when_refused,
    |app| {
        app.registered_seeker("uploader@example.com").await;
        app.login("uploader@example.com", PASSWORD).await;
        let objects = || {
            let dir = app.env.data_path().join("files");
            let mut count = 0;
            for entry in walk(&dir) {
                if entry.is_file() {
                    count += 1;
                }
            }
            count
        };
        let before = objects();
        for (name, bytes, why) in [
            (
                "cv.pdf",
                b"MZ\x90\x00\x03\x00\x00\x00this is a windows program".to_vec(),
                "a renamed executable",
            ),
            (
                "cv.pdf",
                b"\x7fELF\x02\x01\x01\x00 linux program".to_vec(),
                "a renamed ELF",
            ),
            (
                "cv.pdf",
                b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec(),
                "a truncated PDF",
            ),
            ("big.txt", vec![b'a'; 11_000_000], "an oversized file"),
        ] {
            let page = upload_document(&app, "cv", name, bytes).await;
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{why} was accepted"
            );
            assert!(
                page.contains("The file was not accepted"),
                "{why}: {}",
                page.text()
            );
        }
        let rows: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM files"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(rows, 0);
        assert_eq!(objects(), before, "no object left behind");

        // A path-traversal name is made safe.
        let page = upload_document(
            &app,
            "attachment",
            "../../etc/passwd.txt",
            b"plain text attachment".to_vec(),
        )
        .await;
        assert!(page.contains("The document is uploaded."));
        let safe: String = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT safe_name FROM files"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert!(!safe.contains('/') && !safe.contains(".."), "{safe}");
    }
);

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

story!(
    an_ad_that_takes_applications_elsewhere_shows_that_instead_of_the_form,
    |app| {
        let company = fixtures::company(&app, "Ekstern ApS", "24256790").await;
        let mut external = content(
            "Tekniker",
            "Vi søger en tekniker til service af vores anlæg.",
            "101",
        );
        external.apply_method = jobboard::ads::domain::ApplyMethod::Url;
        external.apply_url = Some("https://jobs.ekstern.example.com/42".into());
        let ad = fixtures::published(&app, &company, external).await;
        app.registered_seeker("elsewhere@example.com").await;
        app.login("elsewhere@example.com", PASSWORD).await;
        let page = app.get(&format!("/jobs/{ad}")).await;
        assert!(page.contains("Apply on the company's website"));
        assert!(!page.has_form("Apply for this job") && !page.contains("Apply for this job"));
        assert_eq!(
            app.get(&format!("/jobs/{ad}/apply")).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

/// The same file path on S3: runs when `TEST_S3_ENDPOINT` points at an S3-protocol server
/// (`.ci/run` starts moto_server on loopback) and fails if that server is unusable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_through_s3_the_same_way() {
    let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
        return;
    };
    let token = jobboard::secrets::random_token()
        .to_lowercase()
        .replace(['-', '_'], "");
    let bucket = format!("jobboard-test-{}", &token[..12]);
    let http = reqwest::Client::new();
    let created = http
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("the S3 server answers");
    assert!(
        created.status().is_success(),
        "create bucket: {}",
        created.status()
    );
    let objects = || {
        let (http, endpoint, bucket) = (http.clone(), endpoint.clone(), bucket.clone());
        async move {
            let listing = http
                .get(format!("{endpoint}/{bucket}?list-type=2"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            listing.matches("<Key>").count()
        }
    };
    let env = TestEnv::new(Backend::Sqlite).await;
    let options = Options::default()
        .with("JOBBOARD_S3_BUCKET", &bucket)
        .with("JOBBOARD_S3_ENDPOINT", &endpoint)
        .with("JOBBOARD_S3_REGION", "us-east-1");
    let app = TestApp::start(env, options).await;
    assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
    assert!(
        !app.env.data_path().join("files").exists(),
        "no local files folder on S3"
    );
    let s = setting(&app).await;
    let stored = objects().await;
    assert!(stored >= 1, "the CV is in the bucket");
    let page = upload_document(&app, "cv", "cv.pdf", b"\x7fELF\x02\x01 program".to_vec()).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        objects().await,
        stored,
        "a refused upload leaves nothing in the bucket"
    );

    apply(&app, s.ad, "Applying through S3-backed storage.").await;
    let link = app
        .mail("karin@nordlys.dk", "Ny ansøgning")
        .await
        .link("/shared/applications/");
    let body = app
        .other_browser()
        .client
        .get(app.url(&link))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(body.as_ref(), pdf("Anna's CV").as_slice());
    let in_bucket = objects().await;
    withdraw(&app, "Backend developer").await;
    assert_eq!(
        objects().await,
        in_bucket - 1,
        "the application's copy is deleted from the bucket"
    );
}

story!(
    a_connection_lost_in_the_middle_of_an_upload_leaves_nothing_behind,
    |app| {
        app.registered_seeker("flaky@example.com").await;
        app.login("flaky@example.com", PASSWORD).await;
        let action = app.get("/documents").await.upload_action();
        // A body that sends the start of a large PDF, then the connection breaks.
        let boundary = "----jobboard-test-boundary";
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ncv\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"cv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        );
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
            Ok(head.into_bytes()),
            Ok(vec![b'x'; 300_000]),
            Err(std::io::Error::other("the network went away")),
        ];
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
        let result = app
            .client
            .post(app.url(&action))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await;
        assert!(result.is_err() || !result.unwrap().status().is_success());
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let rows: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM files"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(rows, 0);
        let leftovers: Vec<_> = walk(&app.env.data_path().join("files"))
            .into_iter()
            .filter(|p| !p.to_string_lossy().contains("readyz"))
            .collect();
        assert!(leftovers.is_empty(), "objects left behind: {leftovers:?}");
    }
);

/// Through a real SMTP server: the contact person's e-mail first links to the CV (the default),
/// then — once the company chose attachments — carries the CV itself, and the seeker sees each
/// hand-over recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_can_receive_applications_as_attachments_over_smtp() {
    let smtp = SmtpServer::start().await;
    let env = TestEnv::new(Backend::Sqlite).await;
    let app = TestApp::start(
        env,
        Options::default().with("JOBBOARD_SMTP_URL", &smtp.url()),
    )
    .await;
    let company = fixtures::company(&app, "Vedhæft ApS", "24256790").await;
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE users SET password_hash = $1 WHERE id = $2"
    )
    .bind(app.state.hasher.hash(PASSWORD).await.unwrap())
    .bind(company.user)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    app.login("hr@24256790.example.com", PASSWORD).await;
    let page = app.get("/employer/settings").await;
    let page = page
        .form("Save settings")
        .fill("An e-mail with the documents attached", "attachments")
        .submit(&app)
        .await;
    assert!(page.contains("The settings are saved."));
    app.logout().await;

    let mut ad = content(
        "Lagerchef",
        "Vi søger en lagerchef til vores lager i Odense.",
        "461",
    );
    ad.contact_email = Some("chef@vedhaeft.dk".into());
    let ad = fixtures::published(&app, &company, ad).await;
    // Registration goes through SMTP too: verify from the server's mailbox.
    let page = app
        .get("/register")
        .await
        .form("Create account")
        .fill("Your name", "Test Seeker")
        .fill("E-mail address", "smtp-seeker@example.com")
        .fill("New password", PASSWORD)
        .submit(&app)
        .await;
    assert_eq!(page.heading(), "Check your e-mail");
    let verify = smtp.received("smtp-seeker@example.com", 1).await.remove(0);
    app.get(&verify.link("/verify-email"))
        .await
        .form("Verify my e-mail address")
        .submit(&app)
        .await;
    app.login("smtp-seeker@example.com", PASSWORD).await;
    upload_document(&app, "cv", "cv.pdf", pdf("attached CV")).await;

    // Before the switch: the default, a secure link, which downloads the CV.
    let mut first = content(
        "Lagermedarbejder",
        "Vi søger en lagermedarbejder til vores lager.",
        "461",
    );
    first.contact_email = Some("chef@vedhaeft.dk".into());
    let first = fixtures::published(&app, &company, first).await;
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE companies SET forward_attachments = $1 WHERE id = $2"
    )
    .bind(false)
    .bind(company.id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    apply(
        &app,
        first,
        "Applying first for the warehouse position here.",
    )
    .await;
    let linked = smtp.received("chef@vedhaeft.dk", 1).await.remove(0);
    let cv = app
        .other_browser()
        .client
        .get(app.url(&linked.link("/shared/applications/")))
        .send()
        .await
        .unwrap();
    assert_eq!(cv.status(), StatusCode::OK);
    assert_eq!(
        cv.bytes().await.unwrap().as_ref(),
        pdf("attached CV").as_slice()
    );
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE companies SET forward_attachments = $1 WHERE id = $2"
    )
    .bind(true)
    .bind(company.id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();

    let page = apply(&app, ad, "Please find my CV attached to this application.").await;
    assert!(page.contains("E-mail with attachments"), "{}", page.text());

    let mail = smtp
        .received("chef@vedhaeft.dk", 2)
        .await
        .into_iter()
        .find(|m| m.subject.contains("Lagerchef"))
        .unwrap();
    let message = mail_parser::MessageParser::default()
        .parse(mail.raw.as_bytes())
        .unwrap();
    let attachment = message.attachments().next().expect("the CV is attached");
    assert_eq!(attachment.contents(), pdf("attached CV").as_slice());
    assert!(
        mail.text.contains("The documents are attached")
            || mail.text.contains("Dokumenterne er vedhæftet")
    );
    // The worker clears the queued attachment right after the SMTP server accepted the mail,
    // which may be a moment after the test saw it arrive.
    let mut left = -1_i64;
    for _ in 0..100 {
        left = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox_attachments"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "nothing of the attachment stays queued once sent");
}
