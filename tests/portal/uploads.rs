//! Uploads leave nothing behind that no row owns: one file per upload field, a refused part
//! takes the whole upload with it, and each person stores only up to their quota.

use reqwest::{StatusCode, multipart};

use crate::applications::{pdf, upload_document};
use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

/// The person's `files` rows.
pub async fn file_rows(app: &TestApp) -> i64 {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM files"
    )
    .fetch_one(p)
    .await)
    .unwrap()
}

/// Every object in the local store (`files/` and `pending/`, staging files included), without
/// the throwaway probes of `/readyz`.
pub fn stored_objects(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if !path.to_string_lossy().contains("readyz") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.env.data_path().join("files"), &mut out);
    out
}

async fn post_upload(app: &TestApp, form: multipart::Form) -> Page {
    let action = app.get("/documents").await.upload_action();
    let response = app
        .client
        .post(app.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Page::from(response).await
}

fn file(bytes: Vec<u8>, name: &str) -> multipart::Part {
    multipart::Part::bytes(bytes).file_name(name.to_string())
}

story!(
    an_upload_with_two_files_or_a_refused_part_stores_nothing,
    |app| {
        app.registered_seeker("parts@example.com").await;
        app.login("parts@example.com", PASSWORD).await;

        // Two files in one upload field: once both would have been stored for one row.
        let page = post_upload(
            &app,
            multipart::Form::new()
                .text("kind", "cv")
                .part("file", file(pdf("first"), "first.pdf"))
                .part("file", file(pdf("second"), "second.pdf")),
        )
        .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("Please upload one file at a time."),
            "{}",
            page.text()
        );

        // A good file, then a program: the good one must not stay behind either.
        let page = post_upload(
            &app,
            multipart::Form::new()
                .text("kind", "cv")
                .part("file", file(pdf("good"), "good.pdf"))
                .part("file", file(b"\x7fELF\x02\x01 program".to_vec(), "cv.pdf")),
        )
        .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Two CVs in one application.
        let company = fixtures::company(&app, "Dele ApS", "24256790").await;
        let ad = fixtures::published(
            &app,
            &company,
            content("Kok", "Vi søger en kok til vores køkken.", "101"),
        )
        .await;
        let action = app.get(&format!("/jobs/{ad}/apply")).await.upload_action();
        let response = app
            .client
            .post(app.url(&action))
            .multipart(
                multipart::Form::new()
                    .text("cover_letter", "I would like to cook in your kitchen.")
                    .part("cv_upload", file(pdf("cv one"), "one.pdf"))
                    .part("cv_upload", file(pdf("cv two"), "two.pdf")),
            )
            .send()
            .await
            .unwrap();
        let page = Page::from(response).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            page.field_error("Upload your CV").as_deref(),
            Some("Please upload one file at a time.")
        );

        assert_eq!(file_rows(&app).await, 0);
        assert_eq!(stored_objects(&app), Vec::<std::path::PathBuf>::new());
        let pending: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM pending_objects"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(pending, 0, "nothing is left for the sweep either");
    }
);

story!(
    each_person_stores_only_up_to_the_quota,
    Options::default()
        .with("JOBBOARD_QUOTA_FILES", "3")
        .with("JOBBOARD_QUOTA_BYTES", "6000"),
    |app| {
        app.registered_seeker("quota@example.com").await;
        app.login("quota@example.com", PASSWORD).await;
        let text = |n: usize| "CV line. ".repeat(n).into_bytes();

        // Bytes: 4,500 of 6,000 used, then a file of 1,800 would go over.
        let page = upload_document(&app, "cv", "big.txt", text(500)).await;
        assert!(
            page.contains("The document is uploaded."),
            "{}",
            page.text()
        );
        let page = upload_document(&app, "attachment", "more.txt", text(200)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("You have reached your storage limit. Your files take up 5 kB of 6 kB (1 of 3 files)."),
            "{}",
            page.text()
        );
        assert_eq!(file_rows(&app).await, 1);

        // Files: the third fits, the fourth does not.
        for name in ["a.txt", "b.txt"] {
            let page = upload_document(&app, "attachment", name, text(10)).await;
            assert!(
                page.contains("The document is uploaded."),
                "{}",
                page.text()
            );
        }
        let page = upload_document(&app, "attachment", "c.txt", text(1)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("(3 of 3 files)"), "{}", page.text());

        // Parallel uploads cannot squeeze past the limit together.
        delete_one(&app, "a.txt").await;
        delete_one(&app, "b.txt").await;
        assert_eq!(file_rows(&app).await, 1);
        let names: Vec<String> = (0..6).map(|i| format!("p{i}.txt")).collect();
        let uploads = names
            .iter()
            .map(|name| upload_document(&app, "attachment", name, "short".into()));
        futures_util::future::join_all(uploads).await;
        assert_eq!(file_rows(&app).await, 3);
        let objects = stored_objects(&app);
        assert_eq!(objects.len(), 3, "one object per row: {objects:?}");
    }
);

async fn delete_one(app: &TestApp, name: &str) {
    let page = app.get("/documents").await;
    let page = page.form(&format!("Delete — {name}")).submit(app).await;
    assert!(page.contains("The document is deleted."), "{}", page.text());
}
