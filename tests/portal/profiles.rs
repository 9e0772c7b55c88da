//! The job seeker's profile, its opt-in visibility, and saved jobs.

use reqwest::StatusCode;

use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

story!(
    a_seeker_keeps_a_profile_that_employers_see_only_after_opting_in,
    |app| {
        app.registered_seeker("sofie@example.com").await;
        app.login("sofie@example.com", PASSWORD).await;
        let page = app.get("/profile").await;
        assert_eq!(page.heading(), "My profile");
        let page = page
            .form("Save profile")
            .fill("Your name", "Sofie Berg")
            .fill("Address (optional)", "Strandvejen 1, 8000 Aarhus C")
            .fill("Phone (optional)", "+45 11 22 33 44")
            .fill("Occupations I am interested in", "nurse")
            .fill("Where I would like to work", "751")
            .submit(&app)
            .await;
        assert!(page.contains("Your profile is saved."));
        assert_eq!(
            page.field_value("Address (optional)").as_deref(),
            Some("Strandvejen 1, 8000 Aarhus C")
        );
        let bad = page
            .form("Save profile")
            .fill("Phone (optional)", "call me maybe")
            .submit(&app)
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.field_error("Phone (optional)").is_some());
        app.logout().await;

        app.registered_employer("hr@nordlys.dk", "Nordlys ApS", "24256790")
            .await;
        app.login("hr@nordlys.dk", PASSWORD).await;
        assert!(
            !app.get("/employer/candidates").await.contains("Sofie Berg"),
            "hidden by default"
        );
        assert_eq!(app.get("/profile").await.status, StatusCode::FORBIDDEN);
        app.logout().await;

        app.login("sofie@example.com", PASSWORD).await;
        app.get("/profile")
            .await
            .form("Save profile")
            .fill("Let verified employers find my profile", "yes")
            .submit(&app)
            .await;
        app.logout().await;
        app.login("hr@nordlys.dk", PASSWORD).await;
        let page = app.get("/employer/candidates").await;
        assert!(
            page.contains("Sofie Berg")
                && page.contains("Registered nurse")
                && page.contains("Aarhus")
        );
        for private in ["Strandvejen", "11 22 33 44", "sofie@example.com"] {
            assert!(
                !page.body.contains(private),
                "{private} is not shown to employers"
            );
        }
    }
);

story!(saved_jobs_stay_listed_after_they_expire, |app| {
    let company = fixtures::company(&app, "Gemt ApS", "10150817").await;
    let id = fixtures::published(
        &app,
        &company,
        content("Pædagog", "Vi søger en pædagog til vores børnehave.", "461"),
    )
    .await;
    app.registered_seeker("saver@example.com").await;
    app.login("saver@example.com", PASSWORD).await;
    let page = app
        .get(&format!("/jobs/{id}"))
        .await
        .form("Save job")
        .submit(&app)
        .await;
    assert!(page.contains("The job is saved."));
    assert!(page.has_form("Remove from saved jobs"));
    assert!(app.get("/saved").await.contains("Pædagog"));
    jobboard::ads::lifecycle::close(&app.state, jobboard::web::Lang::En.tr(), id, company.id)
        .await
        .unwrap();
    let page = app.get("/saved").await;
    assert!(page.contains("Pædagog") && page.contains("No longer available"));
    let page = page
        .form("Remove from saved jobs — Pædagog")
        .submit(&app)
        .await;
    assert!(page.contains("You have not saved any jobs yet."));
});
