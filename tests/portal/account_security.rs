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
        let store = jobboard::accounts::session_store::DbSessionStore::new(app.state.db.clone());
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
