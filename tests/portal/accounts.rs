//! Registering, verifying, logging in and out, resetting and changing credentials.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::story;

story!(a_seeker_registers_verifies_logs_in_and_out, |app| {
    let page = app.get("/register").await;
    assert_eq!(page.heading(), "Register as a job seeker");
    let page = page
        .form("Create account")
        .fill("Your name", "Anna Jensen")
        .fill("E-mail address", "Anna@Example.com")
        .fill("New password", PASSWORD)
        .submit(&app)
        .await;
    assert_eq!(page.heading(), "Check your e-mail");

    // Not verified yet: logging in is refused, and a fresh link is sent.
    let page = app.login("anna@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.contains("Please verify your e-mail address first"));

    // The second link (sent at the refused login) replaces the first.
    let mails = app.mails_to("anna@example.com", 2).await;
    let mail = mails.last().expect("the newest e-mail");
    assert_eq!(mail.subject, "Verify your e-mail address");
    assert!(mail.text.contains("Hello Anna Jensen"));
    assert!(
        mail.html.contains("Verify my e-mail address"),
        "the HTML part has the action"
    );
    let page = app.get(&mail.link("/verify-email")).await;
    assert_eq!(page.heading(), "Verify your e-mail address");
    let page = page.form("Verify my e-mail address").submit(&app).await;
    assert_eq!(page.path(), "/login");
    assert!(page.contains("Your e-mail address is verified"));

    let page = app.login("anna@example.com", PASSWORD).await;
    assert_eq!(page.path(), "/", "a seeker starts on the front page");
    let page = app.get("/account").await;
    assert!(page.contains("anna@example.com"));
    assert!(page.contains("Job seeker"));
    let session = app.session_cookie().expect("a session cookie");

    let page = app.logout().await;
    assert!(page.contains("You are logged out"));
    // The old session is gone server-side: replaying its cookie gets nobody in.
    let stored: i64 = count_sessions_with_id(&app, &session).await;
    assert_eq!(stored, 0, "logout deleted the session row");
    let page = app.get("/account").await;
    assert_eq!(
        page.path(),
        "/login",
        "logged out people are sent to log in"
    );
});

async fn count_sessions_with_id(app: &TestApp, id: &str) -> i64 {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions WHERE id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await)
    .expect("count sessions")
}

story!(a_verification_link_works_once, |app| {
    app.registered_seeker("once@example.com").await;
    let mail = app
        .mail("once@example.com", "Verify your e-mail address")
        .await;
    let page = app.get(&mail.link("/verify-email")).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.contains("This link is not valid any more"));
});

story!(an_employer_registers_with_its_company, |app| {
    app.registered_employer("hr@nordlys.dk", "Nordlys ApS", "DK 24256790")
        .await;
    let page = app.login("hr@nordlys.dk", PASSWORD).await;
    assert_eq!(
        page.path(),
        "/employer/ads",
        "an employer starts on the ads"
    );
    let page = app.get("/account").await;
    assert!(page.contains("Nordlys ApS"));
    assert!(page.contains("24256790"));
    assert!(page.contains("Employer"));
});

story!(
    an_invalid_cvr_is_explained_next_to_the_field_and_input_is_kept,
    |app| {
        let page = app.get("/register?as=employer").await;
        let page = page
            .form("Create account")
            .fill("Your name", "Lars Holm")
            .fill("E-mail address", "lars@example.com")
            .fill("New password", PASSWORD)
            .fill("Company name", "Holm Byg A/S")
            .fill("CVR number", "12345678")
            .submit(&app)
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            page.field_error("CVR number").as_deref(),
            Some("This is not a valid CVR number. Please check the digits.")
        );
        assert_eq!(
            page.field_value("Company name").as_deref(),
            Some("Holm Byg A/S")
        );
        assert_eq!(
            page.field_value("E-mail address").as_deref(),
            Some("lars@example.com")
        );
        assert_eq!(
            page.field_value("New password").as_deref(),
            Some(""),
            "passwords are never echoed"
        );

        let page = page
            .form("Create account")
            .fill("CVR number", "1234")
            .fill("New password", PASSWORD)
            .submit(&app)
            .await;
        assert_eq!(
            page.field_error("CVR number").as_deref(),
            Some("A CVR number has 8 digits.")
        );

        let users: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        let companies: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM companies"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!((users, companies), (0, 0), "nothing half-written");
    }
);

story!(a_second_company_with_the_same_cvr_is_refused, |app| {
    app.registered_employer("first@nordlys.dk", "Nordlys ApS", "24256790")
        .await;
    let page = app.get("/register?as=employer").await;
    let page = page
        .form("Create account")
        .fill("Your name", "Other Person")
        .fill("E-mail address", "second@nordlys.dk")
        .fill("New password", PASSWORD)
        .fill("Company name", "Nordlys")
        .fill("CVR number", "24256790")
        .submit(&app)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("CVR number")
            .unwrap_or_default()
            .contains("already registered")
    );
});

story!(
    registering_a_known_address_reveals_nothing_and_creates_nothing,
    |app| {
        app.registered_seeker("taken@example.com").await;
        let page = app.get("/register").await;
        let page = page
            .form("Create account")
            .fill("Your name", "Impostor")
            .fill("E-mail address", "taken@example.com")
            .fill("New password", "another password 123")
            .submit(&app)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            page.heading(),
            "Check your e-mail",
            "the same answer as for a new address"
        );
        let mail = app
            .mail("taken@example.com", "You already have an account")
            .await;
        assert!(mail.text.contains("/password/forgot"));
        let users: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(users, 1);
        // The original password still works; the impostor's does not.
        assert_eq!(
            app.login("taken@example.com", "another password 123")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(app.login("taken@example.com", PASSWORD).await.path(), "/");
    }
);

story!(
    a_wrong_password_and_an_unknown_address_get_the_same_answer,
    |app| {
        app.registered_seeker("known@example.com").await;
        let wrong = app.login("known@example.com", "not the password").await;
        let unknown = app.login("nobody@example.com", "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        let message = "The e-mail address or the password is not correct.";
        assert!(wrong.contains(message) && unknown.contains(message));
        assert_eq!(
            wrong.field_value("E-mail address").as_deref(),
            Some("known@example.com")
        );
    }
);

story!(password_reset_requests_are_rate_limited, |app| {
    for _ in 0..3 {
        let page = app.get("/password/forgot").await;
        let page = page
            .form("Send me a link")
            .fill("E-mail address", "someone@example.com")
            .submit(&app)
            .await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let page = app.get("/password/forgot").await;
    let page = page
        .form("Send me a link")
        .fill("E-mail address", "someone@example.com")
        .submit(&app)
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Too many attempts"));
});

story!(
    a_forgotten_password_is_reset_through_the_emailed_link,
    |app| {
        app.registered_seeker("forgetful@example.com").await;
        // Logged in elsewhere: that session must end with the reset.
        let elsewhere = app.other_browser();
        let _ = elsewhere.get("/").await;

        let page = app.get("/login").await;
        let page = app
            .get(
                &page
                    .document()
                    .select(&scraper::Selector::parse("a").unwrap())
                    .find(|a| a.text().collect::<String>() == "Forgot your password?")
                    .and_then(|a| a.value().attr("href").map(str::to_string))
                    .expect("a forgot-password link"),
            )
            .await;
        let page = page
            .form("Send me a link")
            .fill("E-mail address", "forgetful@example.com")
            .submit(&app)
            .await;
        assert!(page.contains("If an account exists for that address"));
        // An unknown address gets exactly the same page and no e-mail.
        let other = app
            .get("/password/forgot")
            .await
            .form("Send me a link")
            .fill("E-mail address", "ghost@example.com")
            .submit(&app)
            .await;
        assert_eq!(other.text(), page.text());

        let mail = app
            .mail("forgetful@example.com", "Choose a new password")
            .await;
        let page = app.get(&mail.link("/password/reset")).await;
        let page = page
            .form("Save the new password")
            .fill("New password", "short")
            .fill("Repeat the new password", "short")
            .submit(&app)
            .await;
        assert_eq!(
            page.field_error("New password").as_deref(),
            Some("The password must be at least 10 characters long.")
        );
        let page = page
            .form("Save the new password")
            .fill("New password", "a brand new secret")
            .fill("Repeat the new password", "a brand new secret")
            .submit(&app)
            .await;
        assert!(
            page.contains("Your password has been changed"),
            "{}",
            page.text()
        );
        assert_eq!(
            app.login("forgetful@example.com", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.login("forgetful@example.com", "a brand new secret")
                .await
                .path(),
            "/"
        );
        app.mail("forgetful@example.com", "Your password was changed")
            .await;
        // The link was single-use.
        assert_eq!(
            app.get(&mail.link("/password/reset")).await.status,
            StatusCode::GONE
        );
    }
);

story!(the_session_id_changes_at_login, |app| {
    app.registered_seeker("fixation@example.com").await;
    let page = app.get("/login").await;
    let before = app
        .session_cookie()
        .expect("the login form starts a session for its token");
    let page = page
        .form("Log in")
        .fill("E-mail address", "fixation@example.com")
        .fill("Password", PASSWORD)
        .submit(&app)
        .await;
    assert_eq!(page.path(), "/");
    let after = app.session_cookie().expect("session after login");
    assert_ne!(before, after, "a new session id is issued at login");
    assert_eq!(
        count_sessions_with_id(&app, &before).await,
        0,
        "the pre-login session is gone"
    );
});

story!(a_form_without_its_csrf_token_is_rejected, |app| {
    app.registered_seeker("csrf@example.com").await;
    let page = app.get("/login").await;
    let page = page
        .form("Log in")
        .fill("E-mail address", "csrf@example.com")
        .fill("Password", PASSWORD)
        .without("csrf")
        .submit(&app)
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.heading(), "The form has expired");
    assert!(
        app.get("/account").await.path() == "/login",
        "not logged in"
    );

    // A token from another session does not work either.
    let page = app
        .post_form(
            "/login",
            &[
                ("csrf", "forged-token"),
                ("email", "csrf@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
});

story!(a_cross_site_post_is_rejected, |app| {
    let response = app
        .client
        .post(app.url("/language"))
        .header("origin", "https://evil.example")
        .form(&[("lang", "da")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
});

story!(an_email_change_is_confirmed_at_the_new_address, |app| {
    app.registered_seeker("old@example.com").await;
    app.login("old@example.com", PASSWORD).await;
    let page = app.get("/account/email").await;
    assert!(page.contains("Your current e-mail address is old@example.com."));
    let page = page
        .form("Send confirmation link")
        .fill("New e-mail address", "new@example.com")
        .fill("Current password", "wrong password!")
        .submit(&app)
        .await;
    assert_eq!(
        page.field_error("Current password").as_deref(),
        Some("The password is not correct.")
    );
    assert_eq!(
        page.field_value("New e-mail address").as_deref(),
        Some("new@example.com")
    );
    let page = page
        .form("Send confirmation link")
        .fill("Current password", PASSWORD)
        .submit(&app)
        .await;
    assert!(page.contains("We have sent a confirmation link to new@example.com"));
    assert!(
        page.contains("old@example.com"),
        "unchanged until confirmed"
    );
    app.mail(
        "old@example.com",
        "A change of your e-mail address was requested",
    )
    .await;

    let mail = app
        .mail("new@example.com", "Confirm your new e-mail address")
        .await;
    let page = app.get(&mail.link("/account/email/confirm")).await;
    let page = page.form("Confirm the new address").submit(&app).await;
    assert!(page.contains("Your e-mail address has been changed"));
    assert!(page.contains("new@example.com"));
    app.logout().await;
    assert_eq!(
        app.login("old@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.login("new@example.com", PASSWORD).await.path(), "/");
});

story!(a_password_change_logs_out_other_sessions, |app| {
    app.registered_seeker("changer@example.com").await;
    app.login("changer@example.com", PASSWORD).await;
    let page = app.get("/account/password").await;
    let page = page
        .form("Change password")
        .fill("Current password", PASSWORD)
        .fill("New password", "the next secret 42")
        .fill("Repeat the new password", "the next secret 42")
        .submit(&app)
        .await;
    assert!(page.contains("Your password has been changed. Other sessions have been logged out."));
    assert_eq!(page.path(), "/account", "this session continues");
    app.mail("changer@example.com", "Your password was changed")
        .await;
});

story!(
    operators_are_created_on_the_command_line_and_only_they_see_the_operator_area,
    |app| {
        // The real binary, against this test's database, with the password on stdin.
        let output = run_cli(
            &app,
            &["operator", "create", "--email", "ops@example.com"],
            "operator password 1\n",
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("created"));

        // Anonymous visitors are sent to log in; seekers are refused.
        assert_eq!(app.get("/operator").await.path(), "/login");
        app.registered_seeker("curious@example.com").await;
        app.login("curious@example.com", PASSWORD).await;
        let page = app.get("/operator").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert_eq!(page.heading(), "Access denied");
        app.logout().await;

        let page = app.login("ops@example.com", "operator password 1").await;
        assert_eq!(page.path(), "/operator");
        assert_eq!(page.heading(), "Operator console");
        assert!(page.contains("E-mails waiting to be sent"));
        assert!(
            app.get("/operator/accounts")
                .await
                .contains("curious@example.com"),
            "operators see the accounts"
        );

        // A second operator with the same address, or a short password, gets a one-line error.
        let output = run_cli(
            &app,
            &["operator", "create", "--email", "ops@example.com"],
            "operator password 2\n",
        );
        assert!(!output.status.success());
        assert_eq!(
            String::from_utf8_lossy(&output.stderr).trim(),
            "jobboard: an account with ops@example.com already exists"
        );
        let output = run_cli(
            &app,
            &["operator", "create", "--email", "ops2@example.com"],
            "short\n",
        );
        assert!(!output.status.success());
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("at least 10")
                || String::from_utf8_lossy(&output.stderr).contains("10 to 128")
        );
    }
);

fn run_cli(app: &TestApp, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"))
        .args(args)
        .env("DATABASE_URL", &app.env.database_url)
        .env("JOBBOARD_DATA_DIR", app.env.data_path())
        .env("JOBBOARD_MASTER_KEY", "5e".repeat(32))
        .envs(CONTROLLER)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run jobboard");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("jobboard finished")
}
