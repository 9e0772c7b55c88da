//! Operators' sign-in: the first login sets up TOTP (the secret on the page, a QR code drawn as
//! SVG, ten recovery codes shown once) with a code computed here as an authenticator app does;
//! later logins ask for the code, or a recovery code, each good once; a change of these sign-in
//! details is e-mailed; a block asks for the code again once the last check is older than the
//! window, and an idle operator session ends; the configuration relaxes the second factor only
//! for the embedded demo.

use std::time::Duration;

use jobboard::db_run;
use reqwest::StatusCode;

use crate::browser::Browser;
use crate::helpers::*;
use crate::story;

const OPS: &str = "mfa-ops@example.com";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn password_step(browser: &TestBrowser, email: &str) -> Page {
    browser
        .get("/login")
        .await
        .form("Log in")
        .fill("E-mail address", email)
        .fill("Password", PASSWORD)
        .submit_with(&browser.client)
        .await
}

story!(an_operator_sets_up_totp_and_signs_in_with_codes, |app| {
    let id = jobboard::accounts::cli::create_operator(&app.state.db, OPS, PASSWORD)
        .await
        .unwrap();
    let ops = app.other_browser();

    // The password alone does not reach the console: the first login sets up the factor.
    let setup = password_step(&ops, OPS).await;
    assert_eq!(
        setup.path(),
        "/login/second-factor/enrol",
        "{}",
        setup.text()
    );
    assert_eq!(ops.get("/operator").await.path(), "/login");
    let setup = ops.get("/login/second-factor/enrol").await;
    let secret = setup
        .document()
        .select(&scraper::Selector::parse("#totp-secret").unwrap())
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    assert!(setup.body.contains("<svg") && setup.body.contains("<path"));
    assert!(setup.body.contains(&format!(
        "otpauth://totp/jobboard:mfa-ops%40example.com?secret={secret}"
    )));

    // A wrong code is refused next to the field; the right one, computed here, is taken.
    let wrong = setup
        .form("Confirm and continue")
        .fill("Code the app shows now", "000000")
        .submit_with(&ops.client)
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.field_error("Code the app shows now").is_some());
    let code = totp_code(&secret, OPS, now());
    let codes = wrong
        .form("Confirm and continue")
        .fill("Code the app shows now", &code)
        .submit_with(&ops.client)
        .await;
    assert_eq!(codes.path(), "/operator/security/recovery-codes");
    let recovery: Vec<String> = codes
        .document()
        .select(&scraper::Selector::parse("#recovery-codes code").unwrap())
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(recovery.len(), 10);
    // Shown once.
    let again = ops.get("/operator/security/recovery-codes").await;
    assert!(!again.contains(&recovery[0]));
    assert_eq!(ops.get("/operator").await.heading(), "Operator console");

    // The secret is stored sealed, the recovery codes only as hashes.
    let stored: Vec<u8> = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT totp_secret FROM operator_factors WHERE user_id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await)
    .unwrap();
    let raw = totp_rs::Secret::try_from_base32(&secret).unwrap();
    assert!(
        !stored
            .windows(raw.as_bytes().len())
            .any(|w| w == raw.as_bytes())
    );
    let hashes: Vec<String> = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT code_hash FROM operator_recovery_codes WHERE user_id = $1"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(hashes.len(), 10);
    assert!(hashes.iter().all(|h| !recovery.contains(h)));

    // The operator is told by e-mail, and the audit log has it.
    let mail = app.mail(OPS, "Your sign-in details changed").await;
    assert!(
        mail.text
            .contains("a second factor (authenticator app) was set up")
    );
    let entries: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM operator_audit WHERE operator_id = $1 AND action = 'enrolled_second_factor'"
    )
    .bind(id)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(entries, 1);

    // Next time the code is asked for; the code just used does not work twice.
    let other = app.other_browser();
    let step = password_step(&other, OPS).await;
    assert_eq!(step.path(), "/login/second-factor");
    let replay = step
        .form("Continue")
        .fill(
            "Code from your authenticator app, or a recovery code",
            &code,
        )
        .submit_with(&other.client)
        .await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.get("/operator").await.path(), "/login");
    // A recovery code works, once.
    let step = other.get("/login/second-factor").await;
    let page = step
        .form("Continue")
        .fill(
            "Code from your authenticator app, or a recovery code",
            &recovery[3].to_uppercase(),
        )
        .submit_with(&other.client)
        .await;
    assert_eq!(page.path(), "/operator", "{}", page.text());
    let third = app.other_browser();
    let step = password_step(&third, OPS).await;
    let page = step
        .form("Continue")
        .fill(
            "Code from your authenticator app, or a recovery code",
            &recovery[3],
        )
        .submit_with(&third.client)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    // New recovery codes replace the old ones, and that is e-mailed too.
    let security = other.get("/operator/security").await;
    assert!(security.contains("Unused recovery codes: 9."));
    let fresh = security
        .form("Make new recovery codes (the old ones stop working)")
        .submit_with(&other.client)
        .await;
    let renewed: Vec<String> = fresh
        .document()
        .select(&scraper::Selector::parse("#recovery-codes code").unwrap())
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(renewed.len(), 10);
    assert!(renewed.iter().all(|c| !recovery.contains(c)));
    let mails = app.mails_to(OPS, 2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.text.contains("new recovery codes were made"))
    );
});

story!(
    a_block_asks_for_the_code_again_and_an_idle_session_ends,
    Options::default()
        .with("JOBBOARD_OPERATOR_REAUTH_SECONDS", "2")
        .with("JOBBOARD_OPERATOR_IDLE_SECONDS", "8"),
    |app| {
        app.registered_seeker("blockme@example.com").await;
        let seeker: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT id FROM users WHERE email = $1"
        )
        .bind("blockme@example.com")
        .fetch_one(p)
        .await)
        .unwrap();
        jobboard::accounts::cli::create_operator(&app.state.db, OPS, PASSWORD)
            .await
            .unwrap();
        let ops = app.other_browser();
        let page = password_step(&ops, OPS).await;
        let page = pass_second_factor(&ops.client, &ops.base, OPS, page).await;
        assert_eq!(page.path(), "/operator");
        let account = format!("/operator/accounts/{seeker}");
        let form = ops.get(&account).await.form("Block account");

        // Past the window, the block is not carried out: the code is asked for first.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let asked = form
            .clone()
            .fill("Reason", "spam")
            .fill("Note", "Sent the same message to forty companies.")
            .submit_with(&ops.client)
            .await;
        assert_eq!(asked.path(), "/login/second-factor", "{}", asked.text());
        assert!(asked.contains("Confirm it is you"));
        let blocked_at = || async {
            db_run!(pool & app.state.db, |p| sqlx::query_scalar::<
                _,
                Option<String>,
            >(
                "SELECT CAST(blocked_at AS TEXT) FROM users WHERE id = $1"
            )
            .bind(seeker)
            .fetch_one(p)
            .await)
            .unwrap()
        };
        assert_eq!(blocked_at().await, None);
        let code = fresh_code(&ops.base, OPS, &secret_of(&ops.base)).await;
        let back = asked
            .form("Continue")
            .fill(
                "Code from your authenticator app, or a recovery code",
                &code,
            )
            .submit_with(&ops.client)
            .await;
        assert_eq!(back.path(), account);
        let done = back
            .form("Block account")
            .fill("Reason", "spam")
            .fill("Note", "Sent the same message to forty companies.")
            .submit_with(&ops.client)
            .await;
        assert_eq!(done.path(), account);
        assert!(blocked_at().await.is_some());

        // Unused past its idle limit, the operator's session ends.
        tokio::time::sleep(Duration::from_secs(9)).await;
        assert_eq!(ops.get("/operator").await.path(), "/login");
    }
);

/// The secret the harness set up for `OPS` on this server.
fn secret_of(base: &str) -> String {
    harness_secret(base, OPS).expect("the harness set up the factor")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_factor_is_relaxed_only_for_the_demo() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let serve = |extra: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &env.database_url)
            .env("JOBBOARD_DATA_DIR", env.data_path())
            .env("JOBBOARD_ADDR", format!("127.0.0.1:{}", free_port()))
            .env("RUST_LOG", "warn");
        for (k, v) in extra {
            command.env(k, v);
        }
        command.output().unwrap()
    };
    let out = serve(&[("JOBBOARD_OPERATOR_MFA", "optional")]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only with `serve --demo`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The demo operator signs in with the README's password alone.
    let mut config = TestApp::config(&env, "127.0.0.1:0".parse().unwrap(), Options::default());
    config.demo = true;
    assert!(!config.operator_mfa_required());
    config.check_operator_mfa().unwrap();
    config.operator_mfa = Some(jobboard::config::OperatorMfa::Required);
    assert!(config.operator_mfa_required());
}

/// The passkeys of an operator, by name, with whether each was used.
async fn passkeys_of(app: &TestApp, user: i64) -> Vec<(String, bool)> {
    db_run!(pool & app.state.db, |p| sqlx::query_as(
        "SELECT name, last_used_at IS NOT NULL FROM operator_passkeys WHERE user_id = $1 ORDER BY id"
    )
    .bind(user)
    .fetch_all(p)
    .await)
    .unwrap()
}

async fn log_in_in(browser: &Browser, site: &str, email: &str) {
    browser.goto(&format!("{site}/login")).await;
    browser.fill("E-mail address", email).await;
    browser.fill("Password", PASSWORD).await;
    browser.click_button("Log in").await;
}

story!(
    an_operator_signs_in_with_a_passkey_made_in_the_browser,
    |app| {
        const KEYS: &str = "passkey-ops@example.com";
        let id = jobboard::accounts::cli::create_operator(&app.state.db, KEYS, PASSWORD)
            .await
            .unwrap();

        // Opened at 127.0.0.1, the set-up page says where passkeys work (a domain name, never an
        // IP address): localhost on the same port.
        let site = app.base.replace("127.0.0.1", "localhost");
        let plain = app.other_browser();
        let setup = password_step(&plain, KEYS).await;
        assert_eq!(setup.path(), "/login/second-factor/enrol");
        assert!(
            setup.contains(&format!("work only at its own address, {site}")),
            "{}",
            setup.text()
        );

        // In a browser with a passkey authenticator, at localhost, the first sign-in sets one up.
        let browser = Browser::start().await;
        browser.add_virtual_authenticator().await;
        log_in_in(&browser, &site, KEYS).await;
        assert_eq!(
            browser.current_url().await.path(),
            "/login/second-factor/enrol"
        );
        browser
            .fill(
                "Name of the passkey (for example: Work laptop)",
                "Test laptop",
            )
            .await;
        browser.click_button("Set up a passkey").await;
        assert_eq!(
            browser.current_url().await.path(),
            "/operator/security/recovery-codes",
            "{}",
            browser.text().await
        );
        let codes = browser
            .eval("return document.querySelectorAll('#recovery-codes code').length;")
            .await;
        assert_eq!(codes, 10);
        assert_eq!(passkeys_of(&app, id).await, [("Test laptop".into(), false)]);
        let mail = app.mail(KEYS, "Your sign-in details changed").await;
        assert!(
            mail.text
                .contains("a passkey named “Test laptop” was added")
        );

        // The next sign-in asks for the passkey, and the passkey alone completes it.
        browser.goto(&format!("{site}/operator")).await;
        browser.click_button("Log out").await;
        log_in_in(&browser, &site, KEYS).await;
        assert_eq!(browser.current_url().await.path(), "/login/second-factor");
        assert!(browser.text().await.contains("Recovery code"));
        browser.click_button("Use your passkey").await;
        assert_eq!(
            browser.current_url().await.path(),
            "/operator",
            "{}",
            browser.text().await
        );
        assert_eq!(passkeys_of(&app, id).await, [("Test laptop".into(), true)]);

        // The only second factor cannot be removed.
        browser.goto(&format!("{site}/operator/security")).await;
        assert!(browser.text().await.contains("Test laptop"));
        browser.click_button("Remove").await;
        assert!(
            browser
                .text()
                .await
                .contains("That is your only second factor")
        );
        assert_eq!(passkeys_of(&app, id).await.len(), 1);

        // With an authenticator app beside it (no new recovery codes), the passkey can go.
        browser.click_link("Set up an authenticator app").await;
        let secret = browser
            .eval("return document.getElementById('totp-secret').textContent;")
            .await;
        let code = totp_code(secret.as_str().unwrap(), KEYS, now());
        browser.fill("Code the app shows now", &code).await;
        browser.click_button("Confirm and continue").await;
        assert_eq!(browser.current_url().await.path(), "/operator/security");
        let page = browser.text().await;
        assert!(page.contains("The authenticator app is set up."), "{page}");
        assert!(page.contains("Unused recovery codes: 10."), "{page}");
        browser.click_button("Remove").await;
        assert!(
            browser
                .text()
                .await
                .contains("The second factor is removed.")
        );
        assert!(passkeys_of(&app, id).await.is_empty());
        let mails = app.mails_to(KEYS, 3).await;
        assert!(mails.iter().any(|m| {
            m.text
                .contains("the passkey named “Test laptop” was removed")
        }));
        let changes: Vec<String> = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT action FROM operator_audit WHERE operator_id = $1 ORDER BY id"
        )
        .bind(id)
        .fetch_all(p)
        .await)
        .unwrap();
        assert_eq!(
            changes,
            ["added_passkey", "enrolled_second_factor", "removed_passkey"]
        );
    }
);
