//! Attacks on accounts: a revoked session that tries to come back, floods of registrations and
//! wrong passwords, enumeration by timing, and the e-mails an attacker could make us send.

use reqwest::StatusCode;
use tower_sessions::{SessionStore, session::Id};

use crate::helpers::*;
use crate::story;

/// Resets the password of `email` from a browser of its own, through the e-mailed link.
async fn reset_password_elsewhere(app: &TestApp, email: &str, new_password: &str) {
    let owner = app.other_browser();
    let page = owner.get("/password/forgot").await;
    page.form("Send me a link")
        .fill("E-mail address", email)
        .submit_with(&owner.client)
        .await;
    let mail = app.mail(email, "Choose a new password").await;
    let page = owner.get(&mail.link("/password/reset")).await;
    let page = page
        .form("Save the new password")
        .fill("New password", new_password)
        .fill("Repeat the new password", new_password)
        .submit_with(&owner.client)
        .await;
    assert!(
        page.contains("Your password has been changed"),
        "{}",
        page.text()
    );
}

story!(
    a_request_in_flight_while_its_session_is_revoked_does_not_bring_it_back,
    |app| {
        app.registered_seeker("stolen@example.com").await;
        app.login("stolen@example.com", PASSWORD).await;
        let cookie = app.session_cookie().expect("a session after login");
        let id: Id = cookie.parse().expect("a session id");
        // A request of the thief's session has loaded it and is still running...
        let store = jobboard::db::session_store::DbSessionStore::new(app.state.db.clone());
        let mut in_flight = store.load(&id).await.unwrap().expect("the session is live");
        // ...while the owner resets the password, which ends every session...
        reset_password_elsewhere(&app, "stolen@example.com", "the owner's new secret").await;
        assert!(store.load(&id).await.unwrap().is_none());
        // ...then the request finishes and saves its session (here: a flash message).
        in_flight.data.insert(
            "flash".into(),
            serde_json::json!([{"kind": "info", "text": "x"}]),
        );
        store.save(&in_flight).await.unwrap();
        assert!(
            store.load(&id).await.unwrap().is_none(),
            "the revoked session stays revoked"
        );
        let sessions: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE id = $1"
        )
        .bind(&cookie)
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(sessions, 0);
        assert_eq!(app.get("/account").await.path(), "/login");
    }
);

story!(
    a_session_renewed_by_a_request_in_flight_while_all_sessions_end_is_refused,
    |app| {
        app.registered_seeker("renewed@example.com").await;
        app.login("renewed@example.com", PASSWORD).await;
        let id: Id = app.session_cookie().unwrap().parse().unwrap();
        let store = jobboard::db::session_store::DbSessionStore::new(app.state.db.clone());
        let in_flight = store.load(&id).await.unwrap().expect("the session is live");
        reset_password_elsewhere(&app, "renewed@example.com", "the owner's new secret").await;
        // The request in flight renews its session id (as an e-mail or password change does),
        // which stores its record afresh under a new id.
        let mut renewed = in_flight.clone();
        renewed.id = Id::default();
        store.create(&mut renewed).await.unwrap();
        let thief = reqwest::Client::new();
        let response = thief
            .get(app.url("/account"))
            .header("cookie", format!("jobboard_session={}", renewed.id))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.url().path(),
            "/login",
            "the renewed session is not signed in"
        );
        assert!(
            store.load(&renewed.id).await.unwrap().is_none(),
            "and it is ended at once"
        );
        // The owner's own new login works.
        let owner = app
            .login("renewed@example.com", "the owner's new secret")
            .await;
        assert_eq!(owner.path(), "/", "a seeker's start page");
    }
);

/// Fills in the seeker registration form and sends it.
async fn register(app: &TestApp, name: &str, email: &str, password: &str) -> Page {
    app.get("/register")
        .await
        .form("Create account")
        .fill("Your name", name)
        .fill("E-mail address", email)
        .fill("New password", password)
        .submit(app)
        .await
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await)
    .unwrap()
}

story!(
    registrations_beyond_the_limit_are_refused_with_a_clear_message,
    |app| {
        for n in 0..10 {
            let page = register(&app, "Flood", &format!("flood{n}@example.com"), PASSWORD).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        }
        let page = register(&app, "Flood Eleven", "flood10@example.com", PASSWORD).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            page.contains(
                "Too many accounts have been registered from your network in the last hour. \
             Please wait 60 minutes and try again; nothing has been created."
            ),
            "{}",
            page.text()
        );
        // What was typed is kept, except the password.
        assert_eq!(
            page.field_value("Your name").as_deref(),
            Some("Flood Eleven")
        );
        assert_eq!(
            page.field_value("E-mail address").as_deref(),
            Some("flood10@example.com")
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM users").await, 10);
        // A refused registration costs no hash at all.
        let hashed = app.state.hasher.computed();
        register(&app, "Flood Twelve", "flood11@example.com", PASSWORD).await;
        assert_eq!(app.state.hasher.computed(), hashed);
    }
);

story!(
    registering_a_known_address_does_the_same_work_as_a_new_one,
    |app| {
        app.registered_seeker("known@example.com").await;
        let before = app.state.hasher.computed();
        let page = register(&app, "Someone", "new@example.com", "some password 123").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            app.state.hasher.computed(),
            before + 1,
            "a new address is hashed"
        );
        let page = register(&app, "Someone", "known@example.com", "some password 123").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            app.state.hasher.computed(),
            before + 2,
            "a known address is hashed too, so its answer takes as long"
        );
    }
);

story!(
    a_hundred_parallel_wrong_passwords_get_no_more_checks_than_the_limit,
    |app| {
        app.registered_seeker("target@example.com").await;
        let form = app
            .get("/login")
            .await
            .form("Log in")
            .fill("E-mail address", "target@example.com")
            .fill("Password", "guess guess guess");
        let before = app.state.hasher.computed();
        let guesses: Vec<_> = (0..100)
            .map(|_| {
                let form = form.clone();
                let client = app.client.clone();
                tokio::spawn(async move { form.submit_with(&client).await.status })
            })
            .collect();
        let mut checked = 0;
        for guess in guesses {
            match guess.await.unwrap() {
                StatusCode::UNAUTHORIZED => checked += 1,
                StatusCode::TOO_MANY_REQUESTS => {}
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(checked, 5, "the account's limit is five failures");
        assert_eq!(
            app.state.hasher.computed() - before,
            5,
            "five passwords verified"
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM auth_attempts WHERE action = 'login' AND NOT succeeded"
            )
            .await,
            5
        );
    }
);

story!(
    the_owner_of_a_locked_account_gets_in_through_the_emailed_link,
    |app| {
        app.registered_seeker("owner@example.com").await;
        for _ in 0..5 {
            let page = app.login("owner@example.com", "guess guess guess").await;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        }
        // The attacker goes on; so does the owner, with the right password: both are held back.
        let page = app.login("owner@example.com", PASSWORD).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
        let locked = "Too many failed attempts for this account. If it is yours, we have sent you an \
                  e-mail with a link that lets you log in now; otherwise please wait 15 minutes.";
        assert!(page.contains(locked), "{}", page.text());
        // An unknown address reads the same (and nothing is sent anywhere).
        for _ in 0..6 {
            app.login("nobody@example.com", "guess guess guess").await;
        }
        assert!(app.login("nobody@example.com", "x").await.contains(locked));

        // The owner follows the link from the e-mail (one, however often the limit is hit).
        app.login("owner@example.com", "guess again").await;
        let mail = app
            .mail("owner@example.com", "Log in to your account")
            .await;
        crate::privacy_centre::outbox_drained(&app).await;
        let unlock_mails = read_mails(&app.mail_dir(), "owner@example.com")
            .into_iter()
            .filter(|m| m.subject == "Log in to your account")
            .count();
        assert_eq!(unlock_mails, 1);
        let owner = app.other_browser();
        let page = owner.get(&mail.link("/login?unlock=")).await;
        assert!(page.contains("You came from the link in our e-mail"));
        // The link does not let a wrong password through...
        let wrong = page
            .form("Log in")
            .fill("E-mail address", "owner@example.com")
            .fill("Password", "guess guess guess")
            .submit_with(&owner.client)
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        // ...and with the right one, the owner is in.
        let page = wrong
            .form("Log in")
            .fill("Password", PASSWORD)
            .submit_with(&owner.client)
            .await;
        assert_eq!(page.path(), "/", "{}", page.text());
        assert!(owner.get("/account").await.contains("owner@example.com"));
        // The link works once.
        owner
            .get("/account")
            .await
            .form("Log out")
            .submit_with(&owner.client)
            .await;
        let again = owner.get(&mail.link("/login?unlock=")).await;
        assert!(
            again.contains("This link is not valid any more."),
            "{}",
            again.text()
        );
        assert!(!again.contains("You came from the link in our e-mail"));
    }
);

/// The e-mails that arrived for `to` with `subject`, once the outbox has sent everything.
async fn delivered(app: &TestApp, to: &str, subject: &str) -> usize {
    crate::privacy_centre::outbox_drained(app).await;
    read_mails(&app.mail_dir(), to)
        .into_iter()
        .filter(|m| m.subject == subject)
        .count()
}

story!(
    someone_else_using_an_address_sends_its_owner_one_email_an_hour,
    |app| {
        app.registered_seeker("victim@example.com").await;
        for _ in 0..4 {
            let page = register(&app, "Impostor", "victim@example.com", "another password 1").await;
            assert_eq!(
                page.heading(),
                "Check your e-mail",
                "the same answer each time"
            );
        }
        assert_eq!(
            delivered(&app, "victim@example.com", "You already have an account").await,
            1
        );

        // An account of the attacker's own asks, again and again, to move to the victim's address.
        app.registered_seeker("attacker@example.com").await;
        app.login("attacker@example.com", PASSWORD).await;
        for _ in 0..4 {
            let page = app
                .get("/account/email")
                .await
                .form("Send confirmation link")
                .fill("New e-mail address", "victim@example.com")
                .fill("Current password", PASSWORD)
                .submit(&app)
                .await;
            assert!(page.contains("We have sent a confirmation link to victim@example.com"));
        }
        // The registration notes and the change requests share the address's hourly e-mail: the
        // victim has had one already.
        assert_eq!(
            delivered(
                &app,
                "victim@example.com",
                "Someone tried to use your e-mail address"
            )
            .await,
            0
        );
        // Any other address gets one confirmation link, however often it is named.
        for _ in 0..3 {
            app.get("/account/email")
                .await
                .form("Send confirmation link")
                .fill("New e-mail address", "bystander@example.com")
                .fill("Current password", PASSWORD)
                .submit(&app)
                .await;
        }
        assert_eq!(
            delivered(
                &app,
                "bystander@example.com",
                "Confirm your new e-mail address"
            )
            .await,
            1
        );
    }
);

story!(
    parallel_privacy_requests_for_one_address_stay_within_its_daily_limit,
    |app| {
        let form = app
            .get("/privacy/request")
            .await
            .form("Send request")
            .fill("E-mail address", "flooded@example.com")
            .fill("What do you ask for?", "access");
        let requests: Vec<_> = (0..30)
            .map(|_| {
                let form = form.clone();
                let client = app.client.clone();
                tokio::spawn(async move { form.submit_with(&client).await.status })
            })
            .collect();
        for request in requests {
            assert_eq!(
                request.await.unwrap(),
                StatusCode::OK,
                "the page says the same"
            );
        }
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM privacy_requests").await,
            3,
            "three a day per address"
        );
        assert_eq!(
            delivered(&app, "flooded@example.com", "Confirm your privacy request").await,
            3
        );
    }
);
