//! Job ads from draft to expiry, moderation, and what the public may see.

use reqwest::StatusCode;
use scraper::Selector;

use crate::helpers::*;
use crate::story;

const OPERATOR: &str = "moderator@example.com";

/// An employer of "Nordlys ApS" logged in, and an operator account to switch to.
async fn employer_and_operator(app: &TestApp) {
    jobboard::accounts::cli::create_operator(&app.state.db, OPERATOR, PASSWORD)
        .await
        .expect("operator");
    app.registered_employer("hr@nordlys.dk", "Nordlys ApS", "24256790")
        .await;
    app.login("hr@nordlys.dk", PASSWORD).await;
}

/// Fills the ad form as an employer would.
fn filled(page: &Page, title: &str) -> Form {
    page.form("Save draft")
        .fill("Job title", title)
        .fill("Description", "We are looking for a **backend developer** to build our Rust services.\n\n- Good salary\n- Flexible hours")
        .fill("Occupation", "software-developer")
        .fill("Municipality", "751")
        .fill("Lowest salary", "45000")
        .fill("Highest salary", "55000")
        .fill("Contact name", "Karin Holm")
        .fill("Contact e-mail", "karin@nordlys.dk")
        .fill("Contact phone (optional)", "+45 12 34 56 78")
}

/// Creates a draft through the form and returns its id.
async fn draft(app: &TestApp, title: &str) -> i64 {
    let page = app.get("/employer/ads/new").await;
    assert_eq!(page.heading(), "New job ad");
    let page = filled(&page, title).submit(app).await;
    assert!(
        page.contains("The ad is saved as a draft"),
        "{}",
        page.text()
    );
    page.path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .expect("ad id in the URL")
}

async fn as_operator(app: &TestApp) {
    app.logout().await;
    app.login(OPERATOR, PASSWORD).await;
}

async fn as_employer(app: &TestApp) {
    app.logout().await;
    app.login("hr@nordlys.dk", PASSWORD).await;
}

async fn approve(app: &TestApp, id: i64) {
    let queue = app.get("/operator/moderation").await;
    assert_eq!(queue.heading(), "Moderation queue");
    let page = app.get(&format!("/operator/moderation/{id}")).await;
    let page = page.form("Approve and publish").submit(app).await;
    assert!(
        page.contains("The ad is approved and published"),
        "{}",
        page.text()
    );
}

fn json_ld(page: &Page) -> serde_json::Value {
    let doc = page.document();
    let script = doc
        .select(&Selector::parse(r#"script[type="application/ld+json"]"#).unwrap())
        .next()
        .expect("JSON-LD on the ad page");
    serde_json::from_str(&script.text().collect::<String>()).expect("JSON-LD parses")
}

story!(
    an_ad_goes_from_draft_through_review_to_published_and_expires,
    |app| {
        employer_and_operator(&app).await;
        let id = draft(&app, "Backend developer").await;
        assert_eq!(
            app.get(&format!("/jobs/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "drafts are private"
        );

        let page = app.get(&format!("/employer/ads/{id}")).await;
        assert!(page.contains("Draft"));
        let page = page.form("Submit for review").submit(&app).await;
        assert!(page.contains("submitted for review"));
        assert!(page.contains("In review"));
        assert_eq!(
            app.get(&format!("/jobs/{id}")).await.status,
            StatusCode::NOT_FOUND
        );

        as_operator(&app).await;
        approve(&app, id).await;
        let mail = app.mail("hr@nordlys.dk", "Your job ad is published").await;
        assert!(mail.text.contains("Backend developer"));

        // Anyone can now read it, with its JobPosting data for search engines.
        let page = app.other_browser().get(&format!("/jobs/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.heading(), "Backend developer");
        assert!(
            page.contains("Karin Holm") && page.contains("45.000–55.000 DKK")
                || page.contains("45,000–55,000 DKK")
        );
        let posting = json_ld(&page);
        assert_eq!(posting["@type"], "JobPosting");
        for required in [
            "title",
            "description",
            "datePosted",
            "validThrough",
            "employmentType",
            "hiringOrganization",
            "jobLocation",
            "baseSalary",
            "directApply",
            "identifier",
        ] {
            assert!(
                !posting[required].is_null(),
                "JSON-LD has {required}: {posting}"
            );
        }
        assert_eq!(posting["hiringOrganization"]["name"], "Nordlys ApS");
        assert_eq!(posting["baseSalary"]["value"]["minValue"], 45000);
        assert_eq!(posting["baseSalary"]["value"]["unitText"], "MONTH");
        assert_eq!(
            posting["jobLocation"]["address"]["addressLocality"],
            "Aarhus"
        );
        assert!(
            posting["description"]
                .as_str()
                .unwrap()
                .contains("<strong>backend developer</strong>")
        );

        // Time passes: the deadline is over, and the expiry worker takes the ad down.
        jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
            "UPDATE ads SET expires_at = $1 WHERE id = $2"
        )
        .bind(time::OffsetDateTime::now_utc() - time::Duration::minutes(1))
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        let page = wait_for_status(&app, &format!("/jobs/{id}"), StatusCode::GONE).await;
        assert_eq!(page.heading(), "This job ad is no longer available");
        assert!(page.contains("Backend developer"));
        for personal in ["Karin Holm", "karin@nordlys.dk", "12 34 56 78"] {
            assert!(
                !page.body.contains(personal),
                "an inactive ad hides {personal}"
            );
        }
        as_employer(&app).await;
        assert!(
            app.get(&format!("/employer/ads/{id}"))
                .await
                .contains("Expired")
        );
    }
);

async fn wait_for_status(app: &TestApp, path: &str, status: StatusCode) -> Page {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let page = app.get(path).await;
        if page.status == status {
            return page;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path} never answered {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

story!(
    a_rejected_ad_shows_the_reason_and_the_employer_is_emailed,
    |app| {
        employer_and_operator(&app).await;
        let id = draft(&app, "Sales representative").await;
        app.get(&format!("/employer/ads/{id}"))
            .await
            .form("Submit for review")
            .submit(&app)
            .await;
        as_operator(&app).await;
        let page = app.get(&format!("/operator/moderation/{id}")).await;
        let page = page
            .form("Reject")
            .fill("Reason for rejecting", "no")
            .submit(&app)
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a reason is required"
        );
        let page = page
            .form("Reject")
            .fill(
                "Reason for rejecting",
                "The salary range is missing the pension.",
            )
            .submit(&app)
            .await;
        assert!(page.contains("The ad is rejected"));
        assert!(page.contains("Nothing is waiting for review"));

        let mail = app
            .mail("hr@nordlys.dk", "Your job ad was not approved")
            .await;
        assert!(
            mail.text
                .contains("The salary range is missing the pension.")
        );
        as_employer(&app).await;
        let page = app.get(&format!("/employer/ads/{id}")).await;
        assert!(page.contains("Rejected"));
        assert!(page.contains("The salary range is missing the pension."));
        let decisions: i64 = jobboard::db_run!(pool &app.state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM moderation_decisions WHERE ad_id = $1 AND decision = 'rejected' AND operator_id IS NOT NULL"
    ).bind(id).fetch_one(p).await).unwrap();
        assert_eq!(decisions, 1, "the decision is recorded with who made it");
    }
);

story!(
    an_edit_of_a_published_ad_waits_for_review_while_the_old_version_stays_live,
    |app| {
        employer_and_operator(&app).await;
        let id = draft(&app, "Warehouse worker").await;
        app.get(&format!("/employer/ads/{id}"))
            .await
            .form("Submit for review")
            .submit(&app)
            .await;
        as_operator(&app).await;
        approve(&app, id).await;
        as_employer(&app).await;

        let page = app.get(&format!("/employer/ads/{id}/edit")).await;
        let page = page
            .form("Save draft")
            .fill("Job title", "Senior warehouse worker")
            .submit(&app)
            .await;
        assert!(page.contains("The published version stays online"));
        let page = page.form("Submit for review").submit(&app).await;
        assert!(page.contains("Waiting for review"));
        assert_eq!(
            app.other_browser()
                .get(&format!("/jobs/{id}"))
                .await
                .heading(),
            "Warehouse worker"
        );

        as_operator(&app).await;
        let page = app.get("/operator/moderation").await;
        assert!(page.contains("Change of a published ad"));
        approve(&app, id).await;
        assert_eq!(
            app.other_browser()
                .get(&format!("/jobs/{id}"))
                .await
                .heading(),
            "Senior warehouse worker"
        );
    }
);

story!(
    a_trusted_company_publishes_without_review_after_its_first_ad,
    |app| {
        employer_and_operator(&app).await;
        let first = draft(&app, "First ad of the company").await;
        app.get(&format!("/employer/ads/{first}"))
            .await
            .form("Submit for review")
            .submit(&app)
            .await;
        as_operator(&app).await;
        let page = app.get("/operator/companies").await;
        let page = page
            .form("Mark as trusted — Nordlys ApS")
            .submit(&app)
            .await;
        assert!(page.contains("The company is now trusted"));
        as_employer(&app).await;
        // Trusted, but the first ad is still waiting: it needs an operator.
        let second = draft(&app, "Second ad of the company").await;
        let page = app
            .get(&format!("/employer/ads/{second}"))
            .await
            .form("Submit for review")
            .submit(&app)
            .await;
        assert!(
            page.contains("submitted for review"),
            "the first ad was never published"
        );
        as_operator(&app).await;
        approve(&app, first).await;
        as_employer(&app).await;
        let third = draft(&app, "Third ad of the company").await;
        let page = app
            .get(&format!("/employer/ads/{third}"))
            .await
            .form("Submit for review")
            .submit(&app)
            .await;
        assert!(page.contains("The ad is published."), "{}", page.text());
        assert_eq!(
            app.other_browser()
                .get(&format!("/jobs/{third}"))
                .await
                .status,
            StatusCode::OK
        );
    }
);

story!(a_closed_ad_says_so_and_hides_its_contact, |app| {
    employer_and_operator(&app).await;
    let id = draft(&app, "Electrician").await;
    app.get(&format!("/employer/ads/{id}"))
        .await
        .form("Submit for review")
        .submit(&app)
        .await;
    as_operator(&app).await;
    approve(&app, id).await;
    as_employer(&app).await;
    let page = app
        .get(&format!("/employer/ads/{id}"))
        .await
        .form("Close as filled")
        .submit(&app)
        .await;
    assert!(page.contains("The ad is closed"));
    let page = app.other_browser().get(&format!("/jobs/{id}")).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.contains("The company closed it on"));
    assert!(!page.body.contains("Karin Holm"));

    // A copy starts as a new draft.
    let page = app
        .get(&format!("/employer/ads/{id}"))
        .await
        .form("Duplicate")
        .submit(&app)
        .await;
    assert!(page.contains("A copy of the ad has been created as a draft"));
    assert_ne!(page.path(), format!("/employer/ads/{id}"));
    let page = app.get("/employer/ads?state=closed").await;
    assert!(page.contains("Electrician"));
    let page = app.get("/employer/ads?q=electric").await;
    assert_eq!(
        page.document()
            .select(&Selector::parse("tbody tr").unwrap())
            .count(),
        2,
        "both the closed ad and its copy"
    );
});

story!(an_expired_ad_can_be_relisted, |app| {
    employer_and_operator(&app).await;
    let id = draft(&app, "Bus driver").await;
    app.get(&format!("/employer/ads/{id}"))
        .await
        .form("Submit for review")
        .submit(&app)
        .await;
    as_operator(&app).await;
    approve(&app, id).await;
    as_employer(&app).await;
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE ads SET expires_at = $1 WHERE id = $2"
    )
    .bind(time::OffsetDateTime::now_utc() - time::Duration::minutes(1))
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    wait_for_status(&app, &format!("/jobs/{id}"), StatusCode::GONE).await;
    let page = app
        .get(&format!("/employer/ads/{id}"))
        .await
        .form("Relist")
        .submit(&app)
        .await;
    assert!(
        page.path().ends_with("/edit"),
        "relisting starts with a check of the ad"
    );
    let page = page.form("Save draft").submit(&app).await;
    page.form("Submit for review").submit(&app).await;
    as_operator(&app).await;
    approve(&app, id).await;
    assert_eq!(
        app.other_browser().get(&format!("/jobs/{id}")).await.status,
        StatusCode::OK
    );
});

story!(the_ad_form_explains_its_errors_and_keeps_the_input, |app| {
    employer_and_operator(&app).await;
    let page = app.get("/employer/ads/new").await;
    let page = filled(&page, "Nurse")
        .fill("Highest salary", "30000")
        .fill("Working time", "part")
        .fill("Application deadline", "2001-01-01")
        .fill("How to apply", "url")
        .fill("Application web address", "javascript:alert(1)")
        .submit(&app)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("Highest salary").as_deref(),
        Some("The highest salary cannot be lower than the lowest.")
    );
    // Not written yet is fine in a draft (submitting asks for it); mistakes are not.
    assert_eq!(page.field_error("Hours per week"), None);
    assert_eq!(
        page.field_error("Application deadline").as_deref(),
        Some("The application deadline cannot be in the past.")
    );
    assert!(page.field_error("Application web address").is_some());
    assert_eq!(page.field_value("Job title").as_deref(), Some("Nurse"));
    let ads: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM ads"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(ads, 0);
});

story!(only_the_owning_company_sees_its_ads, |app| {
    employer_and_operator(&app).await;
    let id = draft(&app, "Secret plan").await;
    app.logout().await;
    app.registered_employer("hr@other.dk", "Other A/S", "10150817")
        .await;
    app.login("hr@other.dk", PASSWORD).await;
    for path in [
        format!("/employer/ads/{id}"),
        format!("/employer/ads/{id}/edit"),
    ] {
        assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert!(!app.get("/employer/ads").await.contains("Secret plan"));
    app.logout().await;
    app.registered_seeker("seeker@example.com").await;
    app.login("seeker@example.com", PASSWORD).await;
    assert_eq!(app.get("/employer/ads").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/operator/moderation").await.status,
        StatusCode::FORBIDDEN
    );
});
