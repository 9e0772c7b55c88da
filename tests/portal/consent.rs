//! Cookie consent, as visitors live it: the banner asks before anything beyond the strictly
//! necessary is stored, every decision leaves a record and a receipt, withdrawal deletes the
//! cookies, a new policy or a year's time asks again, and only consenting visitors are counted.

use std::sync::Arc;

use jobboard::{
    db_run,
    privacy::{consent, policy::POLICY_VERSION},
};
use reqwest::{StatusCode, cookie::CookieStore};
use sha2::{Digest, Sha256};

use crate::{
    browser::Browser,
    helpers::{PASSWORD, Page, TestApp},
    story,
};

const NECESSARY: [&str; 2] = ["jobboard_consent", "jobboard_session"];

/// The names of the cookies a reqwest cookie jar holds for the portal.
fn cookie_names(app: &TestApp, jar: &reqwest::cookie::Jar) -> Vec<String> {
    let url = reqwest::Url::parse(&app.base).expect("base url");
    let mut names: Vec<String> = jar
        .cookies(&url)
        .and_then(|h| h.to_str().ok().map(str::to_string))
        .map(|h| {
            h.split("; ")
                .filter_map(|c| c.split('=').next())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn jar_cookie(app: &TestApp, jar: &reqwest::cookie::Jar, name: &str) -> Option<String> {
    let url = reqwest::Url::parse(&app.base).expect("base url");
    let header = jar.cookies(&url)?;
    header
        .to_str()
        .ok()?
        .split("; ")
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(str::to_string)
}

/// A second, independent browser with its own cookie jar.
fn new_browser() -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()
        .expect("client");
    (client, jar)
}

async fn get_with(app: &TestApp, client: &reqwest::Client, path: &str) -> Page {
    Page::from(client.get(app.url(path)).send().await.expect("GET")).await
}

/// One stored decision, as the tests read it back.
#[derive(Debug, sqlx::FromRow)]
struct Record {
    consent_id: String,
    policy_version: String,
    text_hash: String,
    lang: String,
    preferences: bool,
    statistics: bool,
    marketing: bool,
    method: String,
    page: String,
    masked_ip: String,
    user_id: Option<i64>,
}

async fn records(app: &TestApp) -> Vec<Record> {
    db_run!(pool & app.state.db, |p| sqlx::query_as(
        "SELECT consent_id, policy_version, text_hash, lang, preferences, statistics, marketing, \
         method, page, masked_ip, user_id FROM cookie_consents ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .expect("records")
}

async fn shown_text(app: &TestApp, hash: &str) -> String {
    db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT body FROM consent_texts WHERE text_hash = $1"
    )
    .bind(hash)
    .fetch_one(p)
    .await)
    .expect("the text behind the hash")
}

async fn page_views(app: &TestApp) -> i64 {
    db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM page_views"
    )
    .fetch_one(p)
    .await)
    .expect("count")
}

fn has_banner(page: &Page) -> bool {
    page.has_form("Accept all") && page.has_form("Reject all") && page.has_form("Choose")
}

fn sets_cookies(page: &Page) -> Vec<String> {
    page.headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect()
}

story!(
    nothing_beyond_the_necessary_is_stored_before_a_choice_in_a_real_browser,
    |app| {
        let browser = Browser::start().await;
        // A visitor arrives through a campaign link.
        browser
            .goto(&app.url("/jobs?utm_source=newsletter&utm_campaign=spring"))
            .await;
        assert!(browser.has_button("Accept all").await);
        assert!(browser.has_button("Reject all").await);
        assert!(browser.has_button("Choose").await);
        assert!(
            browser.has_button("Search").await,
            "the page under the banner is usable"
        );
        assert!(browser.text().await.contains("Cookies on jobboard"));
        browser.goto(&app.url("/")).await;
        browser.goto(&app.url("/login")).await;
        let before: Vec<String> = browser.cookie_names().await;
        assert!(
            before.iter().all(|n| NECESSARY.contains(&n.as_str())),
            "only necessary cookies before a choice: {before:?}"
        );
        assert_eq!(browser.storage_entries().await, 0, "no web storage");
        assert_eq!(
            page_views(&app).await,
            0,
            "nobody is counted before a choice"
        );

        // Reject all, by clicking the button (the site has no script for it).
        browser
            .goto(&app.url("/jobs?utm_source=newsletter&utm_campaign=spring"))
            .await;
        browser.click_button("Reject all").await;
        let url = browser.current_url().await;
        assert_eq!(url.path(), "/jobs", "back on the page the visitor was on");
        assert!(
            !browser.has_button("Reject all").await,
            "the banner is gone"
        );
        browser.goto(&app.url("/")).await;
        let after_reject = browser.cookie_names().await;
        assert!(after_reject.contains(&"jobboard_consent".to_string()));
        assert!(
            after_reject.iter().all(|n| NECESSARY.contains(&n.as_str())),
            "rejecting sets nothing more: {after_reject:?}"
        );
        assert_eq!(page_views(&app).await, 0);
        let consent_cookie = browser
            .cookies()
            .await
            .into_iter()
            .find(|c| c.name == "jobboard_consent")
            .expect("the consent cookie");
        assert!(
            consent_cookie.value.ends_with(".p0s0m0"),
            "{consent_cookie:?}"
        );

        // "Cookie settings" in the footer reopens the choice; accepting turns the rest on.
        browser
            .goto(&app.url("/jobs?utm_source=newsletter&utm_campaign=spring"))
            .await;
        browser.click_link("Cookie settings").await;
        assert_eq!(browser.current_url().await.path(), "/cookies/settings");
        browser.click_button("Accept all").await;
        let names = browser.cookie_names().await;
        assert!(names.contains(&"jobboard_visit".to_string()), "{names:?}");
        assert!(
            names.contains(&"jobboard_campaign".to_string()),
            "{names:?}"
        );
        assert!(page_views(&app).await >= 1);

        // One button withdraws, and the cookies of the withdrawn categories are gone.
        browser.click_link("Cookie settings").await;
        browser.click_button("Withdraw my consent").await;
        let withdrawn = browser.cookie_names().await;
        assert!(
            withdrawn.iter().all(|n| NECESSARY.contains(&n.as_str())),
            "withdrawal deletes the cookies: {withdrawn:?}"
        );
        let methods: Vec<String> = records(&app).await.into_iter().map(|r| r.method).collect();
        assert_eq!(methods, ["reject_all", "accept_all", "withdraw"]);
    }
);

story!(reject_all_works_with_a_plain_form_post, |app| {
    let page = app.get("/jobs?q=nurse").await;
    assert!(has_banner(&page), "{}", page.text());
    assert!(
        sets_cookies(&page).is_empty(),
        "asking sets no cookie at all: {:?}",
        sets_cookies(&page)
    );
    let page = page.form("Reject all").submit(&app).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.url.path(), "/jobs");
    assert_eq!(page.url.query(), Some("q=nurse"));
    assert!(!has_banner(&page), "the banner is gone after the choice");
    assert_eq!(cookie_names(&app, &app.jar), ["jobboard_consent"]);

    let stored = records(&app).await;
    assert_eq!(stored.len(), 1);
    let record = &stored[0];
    assert_eq!(record.method, "reject_all");
    assert!(!record.preferences && !record.statistics && !record.marketing);
    assert_eq!(record.page, "/jobs", "the page, without its query string");
    assert_eq!(record.masked_ip, "127.0.0.0/24");
    assert_eq!(record.policy_version, POLICY_VERSION);
    assert_eq!(record.lang, "en");
    assert_eq!(record.user_id, None);
    let text = shown_text(&app, &record.text_hash).await;
    assert!(text.contains("Reject all") && text.contains("Cookies on jobboard"));
    assert_eq!(
        record.text_hash,
        jobboard::secrets::encode_hex(&Sha256::digest(text.as_bytes())),
        "the hash is the SHA-256 of the exact text"
    );
    let cookie = jar_cookie(&app, &app.jar, "jobboard_consent").expect("consent cookie");
    assert!(cookie.starts_with(&record.consent_id));
});

story!(a_forged_or_foreign_decision_is_refused, |app| {
    let page = app.get("/").await;
    let forged = page.form("Accept all").without("csrf").submit(&app).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let cross_site = app
        .client
        .post(app.url("/cookies"))
        .header("origin", "https://evil.example")
        .form(&[("method", "accept_all"), ("shown", "banner")])
        .send()
        .await
        .expect("POST");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert!(records(&app).await.is_empty());

    // The page to go back to must be ours: no open redirect.
    let page = app.get("/").await;
    let response = app
        .client
        .post(app.url("/cookies"))
        .form(&[
            ("csrf", field(&page, "csrf").as_str()),
            ("method", "reject_all"),
            ("shown", "banner"),
            ("back", "https://evil.example/"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.url().as_str(), app.url("/"));
});

/// A hidden field's value in the banner.
fn field(page: &Page, name: &str) -> String {
    let doc = page.document();
    let selector = scraper::Selector::parse(&format!(".cookie-banner input[name='{name}']"))
        .expect("selector");
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_else(|| panic!("no {name} in the banner"))
        .to_string()
}

story!(
    accepting_all_sets_the_cookies_of_each_category_and_counts_the_visit,
    |app| {
        let page = app
            .get("/jobs?utm_source=partner&utm_campaign=autumn")
            .await;
        assert!(sets_cookies(&page).is_empty());
        assert_eq!(page_views(&app).await, 0, "not counted before a choice");
        let page = page.form("Accept all").submit(&app).await;
        assert_eq!(page.url.path(), "/jobs");
        let names = cookie_names(&app, &app.jar);
        assert!(names.contains(&"jobboard_visit".to_string()), "{names:?}");
        assert!(
            names.contains(&"jobboard_campaign".to_string()),
            "{names:?}"
        );
        let record = records(&app).await.pop().expect("a record");
        assert_eq!(record.method, "accept_all");
        assert!(record.preferences && record.statistics && record.marketing);

        // Other modules (the newsletter sign-up) read the campaign through the consent.
        let mut headers = reqwest::header::HeaderMap::new();
        let url = reqwest::Url::parse(&app.base).unwrap();
        headers.insert(
            reqwest::header::COOKIE,
            app.jar.cookies(&url).expect("cookies"),
        );
        let campaign = consent::campaign_from_headers(&app.state.db, &headers)
            .await
            .unwrap()
            .expect("a campaign");
        assert_eq!(
            (campaign.source.as_str(), campaign.campaign.as_str()),
            ("partner", "autumn")
        );
        let state = consent::consent_from_headers(&app.state.db, &headers)
            .await
            .unwrap();
        assert!(state.allows(consent::Category::Statistics));

        // The language switch remembers the language beyond the session.
        let page = app.get("/").await;
        page.form("Dansk").submit(&app).await;
        assert_eq!(
            jar_cookie(&app, &app.jar, "jobboard_lang").as_deref(),
            Some("da")
        );
        // A new session in the same browser (the session cookie gone) is still in Danish.
        let url = reqwest::Url::parse(&app.base).unwrap();
        let consent_cookie = jar_cookie(&app, &app.jar, "jobboard_consent").unwrap();
        let (later, later_jar) = new_browser();
        later_jar.add_cookie_str(&format!("jobboard_consent={consent_cookie}"), &url);
        later_jar.add_cookie_str("jobboard_lang=da", &url);
        let page = get_with(&app, &later, "/").await;
        assert!(page.contains("Cookieindstillinger"), "{}", page.text());
        // Without the consent the language cookie is ignored, and deleted.
        let (stranger, stranger_jar) = new_browser();
        stranger_jar.add_cookie_str("jobboard_lang=da", &url);
        let page = get_with(&app, &stranger, "/").await;
        assert!(page.contains("Cookie settings"));
        assert!(cookie_names(&app, &stranger_jar).is_empty());

        let visit = jar_cookie(&app, &app.jar, "jobboard_visit").unwrap();
        app.get("/jobs").await;
        assert_eq!(
            jar_cookie(&app, &app.jar, "jobboard_visit").unwrap(),
            visit,
            "one visit across page views"
        );
    }
);

story!(choosing_categories_records_exactly_the_choice, |app| {
    let page = app.get("/jobs").await;
    let settings = page.form("Choose").submit(&app).await;
    assert_eq!(settings.url.path(), "/cookies/settings");
    assert_eq!(settings.heading(), "Cookie settings");
    for category in ["Preferences", "Statistics", "Marketing"] {
        assert!(settings.contains(category));
    }
    let doc = settings.document();
    let necessary = scraper::Selector::parse("#cookie-necessary").unwrap();
    let necessary = doc.select(&necessary).next().expect("a necessary checkbox");
    assert!(necessary.value().attr("disabled").is_some());
    assert!(necessary.value().attr("checked").is_some());
    assert!(settings.contains("Strictly necessary (always on)"));
    for cookie in [
        "jobboard_session",
        "jobboard_consent",
        "jobboard_lang",
        "jobboard_visit",
        "jobboard_campaign",
    ] {
        assert!(settings.contains(cookie), "{cookie} is explained");
    }

    let page = settings
        .form("Save my choices")
        .fill("Statistics", "on")
        .submit(&app)
        .await;
    assert_eq!(page.url.path(), "/jobs", "back where the visitor was");
    let record = records(&app).await.pop().expect("a record");
    assert_eq!(record.method, "choose");
    assert!(!record.preferences && record.statistics && !record.marketing);
    assert_eq!(record.page, "/jobs");
    assert_eq!(record.masked_ip, "127.0.0.0/24");
    let text = shown_text(&app, &record.text_hash).await;
    assert!(text.contains("Save my choices") && text.contains("jobboard_visit"));
    let names = cookie_names(&app, &app.jar);
    assert!(names.contains(&"jobboard_visit".to_string()));
    assert!(!names.contains(&"jobboard_lang".to_string()));

    // Without preference consent the language stays in the session only.
    let page = app.get("/").await;
    page.form("Dansk").submit(&app).await;
    assert_eq!(jar_cookie(&app, &app.jar, "jobboard_lang"), None);
    app.get("/").await.form("English").submit(&app).await;

    // A logged-in person's decisions carry their account.
    jobboard::accounts::cli::create_operator(&app.state.db, "ops@example.com", PASSWORD)
        .await
        .unwrap();
    app.login("ops@example.com", PASSWORD).await;
    let settings = app.get("/cookies/settings").await;
    let checked = settings.document();
    let statistics = scraper::Selector::parse("#cookie-statistics[checked]").unwrap();
    assert!(
        checked.select(&statistics).next().is_some(),
        "the current choice is shown"
    );
    settings.form("Accept all").submit(&app).await;
    let record = records(&app).await.pop().unwrap();
    assert!(record.user_id.is_some());
});

story!(withdrawal_is_one_button_and_deletes_the_cookies, |app| {
    let page = app.get("/jobs?utm_source=ads&utm_campaign=x").await;
    page.form("Accept all").submit(&app).await;
    app.get("/").await.form("Dansk").submit(&app).await;
    let names = cookie_names(&app, &app.jar);
    for name in ["jobboard_visit", "jobboard_campaign", "jobboard_lang"] {
        assert!(names.contains(&name.to_string()), "{name} in {names:?}");
    }
    let settings = app.get("/cookies/settings?back=/jobs").await;
    let page = settings
        .form("Træk mit samtykke tilbage")
        .submit(&app)
        .await;
    assert_eq!(page.url.path(), "/jobs");
    let names = cookie_names(&app, &app.jar);
    assert!(
        names.iter().all(|n| NECESSARY.contains(&n.as_str())),
        "only necessary cookies remain: {names:?}"
    );
    let stored = records(&app).await;
    let last = stored.last().unwrap();
    assert_eq!(last.method, "withdraw");
    assert_eq!(last.lang, "da", "the text in the language shown");
    assert!(!last.preferences && !last.statistics && !last.marketing);
    assert_eq!(
        stored[0].consent_id, last.consent_id,
        "one history per browser"
    );
    let views = page_views(&app).await;
    app.get("/jobs").await;
    assert_eq!(
        page_views(&app).await,
        views,
        "no counting after withdrawal"
    );
});

story!(the_receipt_lists_every_decision, |app| {
    let page = app.get("/").await;
    page.form("Accept all").submit(&app).await;
    let settings = app.get("/cookies/settings").await;
    settings.form("Reject all").submit(&app).await;
    let stored = records(&app).await;

    let receipt = app.get("/cookies/receipt").await;
    assert_eq!(receipt.heading(), "Receipt of your cookie decisions");
    for record in &stored {
        assert!(receipt.contains(&record.consent_id));
        assert!(receipt.contains(&record.text_hash));
    }
    assert!(receipt.contains("Accepted all") && receipt.contains("Rejected all"));
    assert!(receipt.contains("127.0.0.0/24"));

    let response = app
        .client
        .get(app.url("/cookies/receipt.json"))
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment"))
    );
    let json: serde_json::Value = response.json().await.unwrap();
    let decisions = json["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["method"], "accept_all");
    assert_eq!(decisions[0]["choices"]["statistics"], true);
    assert_eq!(decisions[1]["method"], "reject_all");
    assert_eq!(decisions[1]["choices"]["necessary"], true);
    assert_eq!(decisions[1]["choices"]["marketing"], false);
    assert_eq!(decisions[1]["policy_version"], POLICY_VERSION);
    assert_eq!(decisions[1]["masked_ip"], "127.0.0.0/24");
    assert_eq!(decisions[1]["text_hash"], stored[1].text_hash.as_str());
    let text = decisions[1]["text"].as_str().unwrap();
    assert_eq!(
        jobboard::secrets::encode_hex(&Sha256::digest(text.as_bytes())),
        stored[1].text_hash
    );
    assert!(decisions[0]["decided_at"].as_str().is_some());

    // Another browser sees none of it.
    let (other, _) = new_browser();
    let foreign = get_with(&app, &other, "/cookies/receipt").await;
    assert!(foreign.contains("No decision has been recorded"));
});

story!(a_new_policy_version_asks_again, |app| {
    let page = app.get("/").await;
    page.form("Accept all").submit(&app).await;
    let page = app.get("/jobs").await;
    assert!(!has_banner(&page));
    assert!(cookie_names(&app, &app.jar).contains(&"jobboard_visit".to_string()));

    db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE cookie_consents SET policy_version = '0'"
    )
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let views = page_views(&app).await;
    let page = app.get("/jobs").await;
    assert!(has_banner(&page), "asked again under the new policy");
    assert!(page.contains("Our cookie policy has changed since you made your choice"));
    assert_eq!(page_views(&app).await, views, "not counted meanwhile");
    assert_eq!(
        cookie_names(&app, &app.jar),
        ["jobboard_consent"],
        "the cookies of the old consent are deleted"
    );
    page.form("Reject all").submit(&app).await;
    let stored = records(&app).await;
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1].policy_version, POLICY_VERSION);
    assert_eq!(
        stored[1].consent_id, stored[0].consent_id,
        "the same history goes on"
    );
    let text = shown_text(&app, &stored[1].text_hash).await;
    assert!(
        text.contains("Our cookie policy has changed"),
        "the reason was shown: {text}"
    );
    assert!(!has_banner(&app.get("/jobs").await));
});

story!(consent_older_than_twelve_months_asks_again, |app| {
    let page = app.get("/").await;
    page.form("Accept all").submit(&app).await;
    assert!(!has_banner(&app.get("/").await));
    let thirteen_months_ago = jobboard::db::now() - time::Duration::days(395);
    db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE cookie_consents SET decided_at = $1"
    )
    .bind(thirteen_months_ago)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    // The cookie is still in the browser; the record's age decides.
    assert!(cookie_names(&app, &app.jar).contains(&"jobboard_consent".to_string()));
    let page = app.get("/").await;
    assert!(has_banner(&page));
    assert!(page.contains("Your choice is more than 12 months old"));
});

story!(
    page_views_are_counted_only_with_consent_and_charted_for_operators,
    |app| {
        // A visitor who never chooses, and one who rejects: not counted.
        let (undecided, undecided_jar) = new_browser();
        for path in ["/", "/jobs", "/login"] {
            get_with(&app, &undecided, path).await;
        }
        assert!(
            cookie_names(&app, &undecided_jar)
                .iter()
                .all(|n| n == "jobboard_session"),
            "the login form's session is the only cookie"
        );
        let (rejecting, rejecting_jar) = new_browser();
        let page = get_with(&app, &rejecting, "/").await;
        page.form("Reject all").submit_with(&rejecting).await;
        get_with(&app, &rejecting, "/jobs").await;
        assert_eq!(cookie_names(&app, &rejecting_jar), ["jobboard_consent"]);
        assert_eq!(page_views(&app).await, 0);

        // One who consents to statistics is counted, by route and without the query string.
        let (counted, counted_jar) = new_browser();
        let page = get_with(&app, &counted, "/jobs?utm_source=mail&utm_campaign=winter").await;
        page.form("Accept all").submit_with(&counted).await;
        get_with(&app, &counted, "/jobs?q=secret").await;
        get_with(&app, &counted, "/").await;
        assert!(cookie_names(&app, &counted_jar).contains(&"jobboard_visit".to_string()));
        let rows: Vec<(String, String, String)> = db_run!(pool & app.state.db, |p| sqlx::query_as(
            "SELECT route, masked_ip, visit_id FROM page_views ORDER BY id"
        )
        .fetch_all(p)
        .await)
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|(_, ip, _)| ip == "127.0.0.0/24"));
        assert!(rows.iter().all(|(route, _, _)| !route.contains('?')));
        assert!(
            rows.iter().all(|(_, _, visit)| *visit == rows[0].2),
            "one visit"
        );

        // Operators see the chart; nobody else does.
        jobboard::accounts::cli::create_operator(&app.state.db, "ops@example.com", PASSWORD)
            .await
            .unwrap();
        app.registered_seeker("seeker@example.com").await;
        app.login("seeker@example.com", PASSWORD).await;
        assert_eq!(
            app.get("/operator/statistics").await.status,
            StatusCode::FORBIDDEN
        );
        app.logout().await;
        assert_eq!(app.get("/operator/statistics").await.path(), "/login");
        app.login("ops@example.com", PASSWORD).await;
        let overview = app.get("/operator").await;
        assert!(
            overview.contains("Statistics"),
            "linked in the operator area"
        );
        let stats = app.get("/operator/statistics").await;
        assert_eq!(stats.status, StatusCode::OK);
        assert_eq!(stats.heading(), "Statistics");
        let doc = stats.document();
        let today = jobboard::calendar::today().to_string();
        let bar = |chart: &str| {
            let selector =
                scraper::Selector::parse(&format!("#{chart} ~ svg rect[data-day='{today}']"))
                    .unwrap();
            doc.select(&selector)
                .next()
                .and_then(|r| r.value().attr("data-value").map(str::to_string))
                .unwrap_or_else(|| panic!("no bar for today in {chart}"))
        };
        assert_eq!(bar("visits-chart"), "1");
        // The operator's own page views are counted only if the operator consented (they did not).
        assert_eq!(bar("views-chart"), "3");
        assert!(
            stats.contains("mail") && stats.contains("winter"),
            "visits per campaign"
        );
        let bars = scraper::Selector::parse("#visits-chart ~ svg rect").unwrap();
        assert_eq!(doc.select(&bars).count(), 30, "thirty days");
    }
);

story!(
    statistics_are_deleted_twelve_months_after_collection,
    crate::helpers::Options::default().with("JOBBOARD_RETENTION_INTERVAL_HOURS", "0"),
    |app| {
        let page = app.get("/").await;
        page.form("Accept all").submit(&app).await;
        app.get("/jobs?utm_source=mail&utm_campaign=old").await;
        let views = page_views(&app).await;
        assert!(views >= 2);
        // Backdate one page view and the campaign arrival by thirteen months.
        let long_ago = jobboard::db::now() - time::Duration::days(395);
        db_run!(pool & app.state.db, |p| sqlx::query(
            "UPDATE page_views SET viewed_at = $1 WHERE id = (SELECT MIN(id) FROM page_views)"
        )
        .bind(long_ago)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        db_run!(pool & app.state.db, |p| sqlx::query(
            "UPDATE campaign_visits SET visited_at = $1"
        )
        .bind(long_ago)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();

        // The retention sweeper (daily in `serve`) applies the visitor-data rule.
        let outcome = jobboard::retention::sweeper::run(&app.state, None, false)
            .await
            .unwrap();
        let jobboard::retention::sweeper::Outcome::Done(report) = outcome else {
            panic!("another run held the lease");
        };
        assert_eq!(
            report.rules["visitor-data"].deleted, 2,
            "the old view and arrival"
        );
        let campaigns: i64 = db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM campaign_visits"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(campaigns, 0);
        assert_eq!(page_views(&app).await, views - 1, "recent ones are kept");
    }
);
