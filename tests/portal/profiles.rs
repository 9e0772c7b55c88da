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
            .check("Registered nurse")
            .check("Aarhus")
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
            !page.contains("Sofie Berg") && page.contains("Your company is not verified yet"),
            "a valid CVR is not a verified employer: {}",
            page.text()
        );
        app.logout().await;

        // An operator checks the company and verifies it; who and when is shown.
        jobboard::accounts::cli::create_operator(&app.state.db, "ops@portal.dk", PASSWORD)
            .await
            .expect("operator");
        app.login("ops@portal.dk", PASSWORD).await;
        let page = app
            .get("/operator/companies")
            .await
            .form("Verify company — Nordlys ApS")
            .submit(&app)
            .await;
        assert!(page.contains("The company is verified"), "{}", page.text());
        assert!(page.contains("by ops@portal.dk"), "{}", page.text());
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
    jobboard::ads::lifecycle::close(&app.state, jobboard::i18n::Lang::En.tr(), id, company.id)
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

/// A small JPEG carrying an EXIF segment with a GPS position, as phones write them.
fn photo_with_gps() -> Vec<u8> {
    use image::ImageEncoder;
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(
            &[200u8; 16 * 16 * 3],
            16,
            16,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\0\0\0\0\0".to_vec();
    tiff.extend_from_slice(b"GPSLatitude 55.6761 N GPSLongitude 12.5683 E\0");
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

story!(
    a_photo_is_shown_only_with_consent_and_without_its_location,
    |app| {
        app.registered_seeker("photo@example.com").await;
        app.login("photo@example.com", PASSWORD).await;
        let page = app.get("/profile").await;
        let photo = photo_with_gps();
        assert!(photo.windows(3).any(|w| w == b"GPS"));
        // Without ticking consent, nothing is stored.
        let form = reqwest::multipart::Form::new().part(
            "photo",
            reqwest::multipart::Part::bytes(photo.clone()).file_name("me.jpg"),
        );
        let response = app
            .client
            .post(app.url(&page.upload_action()))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Tick the consent box")
        );
        let page = app.get("/profile").await;
        let form = reqwest::multipart::Form::new().text("consent", "yes").part(
            "photo",
            reqwest::multipart::Part::bytes(photo).file_name("me.jpg"),
        );
        let response = app
            .client
            .post(app.url(&page.upload_action()))
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
        let stored = app
            .client
            .get(app.url("/profile/photo"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(&stored[..2], &[0xFF, 0xD8], "still a JPEG");
        assert!(
            !stored.windows(4).any(|w| w == b"Exif") && !stored.windows(3).any(|w| w == b"GPS"),
            "metadata stripped"
        );
        app.get("/profile")
            .await
            .form("Save profile")
            .fill("Let verified employers find my profile", "yes")
            .submit(&app)
            .await;
        let user: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT id FROM users WHERE email = 'photo@example.com'"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        app.logout().await;

        app.registered_employer("hr@foto.dk", "Foto ApS", "24256790")
            .await;
        app.login("hr@foto.dk", PASSWORD).await;
        assert_eq!(
            app.client
                .get(app.url(&format!("/employer/candidates/{user}/photo")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND,
            "an unverified company sees no photo"
        );
        fixtures::verify_company(&app, "24256790").await;
        assert!(
            app.get("/employer/candidates")
                .await
                .body
                .contains(&format!("/employer/candidates/{user}/photo"))
        );
        assert_eq!(
            app.client
                .get(app.url(&format!("/employer/candidates/{user}/photo")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        app.logout().await;

        // Withdrawing consent deletes the photo everywhere at once.
        app.login("photo@example.com", PASSWORD).await;
        let page = app
            .get("/profile")
            .await
            .form("Withdraw consent and delete the photo")
            .submit(&app)
            .await;
        assert!(page.contains("Your consent is withdrawn and the photo is deleted."));
        let photos: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM files WHERE kind = 'photo'"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(photos, 0);
        app.logout().await;
        app.login("hr@foto.dk", PASSWORD).await;
        assert_eq!(
            app.client
                .get(app.url(&format!("/employer/candidates/{user}/photo")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
    }
);
