//! The privacy registry and what it drives: the privacy and cookie policies (English and
//! Danish), the operator's record of processing (Art. 30), `jobboard policy`, and the check
//! that every table and storage area is declared in it.

use std::collections::BTreeSet;

use jobboard::{
    db::Db,
    i18n::Lang,
    privacy::{
        policy::POLICY_VERSION,
        registry::{self, Area, CATEGORIES, COOKIES, Category, Holds, LegalBasis, RULES, TABLES},
    },
};
use reqwest::StatusCode;
use scraper::Selector;

use crate::helpers::*;
use crate::story;

/// A page as a reader of `lang` gets it.
async fn get_in(app: &TestApp, path: &str, lang: Lang) -> Page {
    let response = app
        .client
        .get(app.url(path))
        .header("accept-language", lang.code())
        .send()
        .await
        .expect("GET");
    Page::from(response).await
}

/// The text of the elements matching `css`.
fn texts(page: &Page, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).expect("selector");
    page.document()
        .select(&selector)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn attributes(page: &Page, css: &str, attr: &str) -> BTreeSet<String> {
    let selector = Selector::parse(css).expect("selector");
    page.document()
        .select(&selector)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

story!(
    the_privacy_policy_states_everything_the_registry_holds,
    |app| {
        for lang in Lang::ALL {
            let page = get_in(&app, "/privacy", lang).await;
            assert_eq!(page.status, StatusCode::OK);
            let text = page.text();
            let expected_heading = match lang {
                Lang::En => "Privacy policy",
                Lang::Da => "Privatlivspolitik",
            };
            assert_eq!(page.heading(), expected_heading);

            // Who is responsible, from the configuration.
            for (_, value) in CONTROLLER {
                assert!(text.contains(value), "{lang:?}: controller {value} missing");
            }
            // Version and "last updated".
            let version = match lang {
                Lang::En => format!("Version {POLICY_VERSION}, last updated"),
                Lang::Da => format!("Version {POLICY_VERSION}, senest opdateret"),
            };
            assert!(text.contains(&version), "{lang:?}: no version line");

            // Every category with what it contains; every legal basis; every retention rule,
            // with its period and reason.
            for category in CATEGORIES {
                assert!(text.contains(category.name.get(lang)), "{:?}", category.id);
                assert!(
                    text.contains(&squash(category.contains.get(lang))),
                    "{:?}",
                    category.id
                );
            }
            for basis in LegalBasis::ALL {
                assert!(text.contains(basis.reference().get(lang)), "{basis:?}");
                assert!(text.contains(basis.text().get(lang)), "{basis:?}");
            }
            let rows = attributes(&page, "tr[data-rule]", "data-rule");
            let ids: BTreeSet<String> = RULES.iter().map(|rule| registry::id_of(rule.id)).collect();
            assert_eq!(rows, ids, "{lang:?}: one row per retention rule");
            for rule in RULES {
                assert!(text.contains(&squash(rule.data.get(lang))), "{:?}", rule.id);
                assert!(text.contains(&rule.keep.text(lang)), "{:?}", rule.id);
                assert!(
                    text.contains(&squash(rule.reason.get(lang))),
                    "{:?}",
                    rule.id
                );
            }
            // Recipients, the processors (this installation writes e-mail and files locally),
            // transfers, rights, and how to complain to Datatilsynet.
            assert!(text.contains(&squash(registry::transfers().get(lang))));
            for right in registry::RIGHTS {
                assert!(text.contains(right.name.get(lang)), "{}", right.article);
            }
            for fact in [
                "Carl Jacobsens Vej 35, 2500 Valby",
                "dt@datatilsynet.dk",
                "datatilsynet.dk",
            ] {
                assert!(text.contains(fact), "{lang:?}: {fact}");
            }
        }

        let page = app.get("/privacy").await;
        let text = page.text();
        assert!(text.contains(
        "Hosting: the servers, database and backups the portal runs on. (used by this installation)"
    ));
        assert!(text.contains("(not used by this installation)"));
        assert!(attributes(&page, "#cookies a", "href").contains("/cookie-policy"));
        // Each category says where it is stored, from the table declarations.
        let applications = Selector::parse("#category-applications").unwrap();
        let doc = page.document();
        let section: String = doc
            .select(&applications)
            .next()
            .expect("the applications category")
            .text()
            .collect();
        for table in registry::tables_of(Category::Applications) {
            assert!(section.contains(table), "{table} not named");
        }
        // Reading the policy sets no cookie.
        let response = app.client.get(app.url("/privacy")).send().await.unwrap();
        assert!(response.headers().get("set-cookie").is_none());
    }
);

story!(
    the_cookie_policy_lists_every_cookie_with_its_purpose_and_lifetime,
    |app| {
        for lang in Lang::ALL {
            let page = get_in(&app, "/cookie-policy", lang).await;
            assert_eq!(page.status, StatusCode::OK);
            let text = page.text();
            let names = attributes(&page, "tr[data-cookie]", "data-cookie");
            let declared: BTreeSet<String> = COOKIES.iter().map(|c| c.name.to_string()).collect();
            assert_eq!(names, declared);
            for cookie in COOKIES {
                let row = texts(&page, &format!("tr[data-cookie='{}']", cookie.name));
                let row = &row[0];
                assert!(
                    row.contains(&squash(cookie.purpose.get(lang))),
                    "{}",
                    cookie.name
                );
                assert!(row.contains(&cookie.lifetime.text(lang)), "{}", cookie.name);
            }
            for category in registry::CookieCategory::ALL {
                assert!(text.contains(category.name().get(lang)));
            }
        }
        let page = app.get("/cookie-policy").await;
        assert_eq!(page.heading(), "Cookie policy");
        let session = texts(&page, "tr[data-cookie='jobboard_session']").remove(0);
        assert!(session.contains("14 days after the last use"), "{session}");
        let consent = texts(&page, "tr[data-cookie='jobboard_consent']").remove(0);
        assert!(consent.contains("12 months"), "{consent}");
        let visit = texts(&page, "tr[data-cookie='jobboard_visit']").remove(0);
        assert!(visit.contains("30 minutes after the last use"), "{visit}");
        let campaign = texts(&page, "tr[data-cookie='jobboard_campaign']").remove(0);
        assert!(campaign.contains("30 days"), "{campaign}");
        assert!(page.contains("Only with your consent."));
        let danish = get_in(&app, "/cookie-policy", Lang::Da).await;
        assert_eq!(danish.heading(), "Cookiepolitik");
        assert!(danish.contains("14 dage efter sidste brug"));
    }
);

story!(every_page_links_to_both_policies_in_its_footer, |app| {
    app.registered_seeker("reader@example.com").await;
    for path in [
        "/",
        "/jobs",
        "/login",
        "/register",
        "/privacy",
        "/cookie-policy",
    ] {
        let page = app.get(path).await;
        let links = attributes(&page, "footer a", "href");
        assert!(links.contains("/privacy"), "{path}: {links:?}");
        assert!(links.contains("/cookie-policy"), "{path}: {links:?}");
        let labels = texts(&page, "footer a");
        assert!(labels.contains(&"Privacy policy".to_string()), "{path}");
        assert!(labels.contains(&"Cookie policy".to_string()), "{path}");
    }
    // The pages that promise something link to where it is spelled out.
    let home = app.get("/").await;
    assert!(attributes(&home, "main a", "href").contains("/privacy"));
    let register = app.get("/register").await;
    assert!(attributes(&register, "form a", "href").contains("/privacy"));
    app.login("reader@example.com", PASSWORD).await;
    let page = app.get("/applications").await;
    let links = attributes(&page, "footer a", "href");
    assert!(links.contains("/privacy"));
});

story!(
    operators_read_the_record_of_processing_and_nobody_else_does,
    |app| {
        jobboard::accounts::cli::create_operator(&app.state.db, "dpo@example.com", PASSWORD)
            .await
            .expect("operator");
        // Anonymous visitors are sent to log in; job seekers are refused.
        let page = app.get("/operator/processing-record").await;
        assert_eq!(page.path(), "/login");
        app.registered_seeker("nosy@example.com").await;
        app.login("nosy@example.com", PASSWORD).await;
        let page = app.get("/operator/processing-record").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        app.logout().await;

        app.login("dpo@example.com", PASSWORD).await;
        let overview = app.get("/operator").await;
        assert!(
            attributes(&overview, "main a", "href").contains("/operator/processing-record"),
            "the operator area links to the record"
        );
        let page = app.get("/operator/processing-record").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.heading(), "Record of processing activities");
        let text = page.text();
        for (_, value) in CONTROLLER {
            assert!(text.contains(value), "controller {value}");
        }
        // One row per data category, naming its data subjects, purposes, recipients and erasure.
        let rows = attributes(&page, "tr[data-category]", "data-category");
        assert_eq!(rows.len(), CATEGORIES.len());
        for category in CATEGORIES {
            let row = texts(
                &page,
                &format!("tr[data-category='{}']", registry::id_of(category.id)),
            )
            .remove(0);
            assert!(
                row.contains(category.subject.name().en),
                "{:?}",
                category.id
            );
            for purpose in category.purposes {
                assert!(
                    row.contains(&squash(purpose.text().en)),
                    "{:?}",
                    category.id
                );
            }
            for recipient in category.recipients {
                assert!(
                    row.contains(&squash(recipient.text().en)),
                    "{:?}",
                    category.id
                );
            }
        }
        for measure in registry::SECURITY_MEASURES {
            assert!(text.contains(&squash(measure.en)));
        }
        for table in TABLES {
            assert!(text.contains(table.name), "{}", table.name);
        }
        assert!(text.contains(registry::fingerprint()));
        let rules = attributes(&page, "tr[data-rule]", "data-rule");
        assert_eq!(rules.len(), RULES.len());
    }
);

story!(
    every_table_is_declared_in_the_registry_and_every_declared_table_exists,
    |app| {
        let actual = table_names(&app.state.db).await;
        let declared: BTreeSet<String> = TABLES.iter().map(|t| t.name.to_string()).collect();
        let undeclared: Vec<_> = actual.difference(&declared).collect();
        assert!(
            undeclared.is_empty(),
            "tables not declared in src/privacy/registry/storage.rs (declare each as holding \
         personal data, with its categories, or as holding none): {undeclared:?}"
        );
        let missing: Vec<_> = declared.difference(&actual).collect();
        assert!(
            missing.is_empty(),
            "tables declared in the registry but not in the schema: {missing:?}"
        );
        // The declarations that say "personal data" name categories the policy describes.
        for table in TABLES {
            if let Holds::PersonalData(categories) = table.holds {
                for category in categories {
                    assert!(CATEGORIES.iter().any(|c| c.id == *category));
                }
            }
        }
    }
);

/// Every table in the real schema: SQLite's catalogue (without SQLite's own `sqlite_*`
/// tables) or PostgreSQL's information schema.
async fn table_names(db: &Db) -> BTreeSet<String> {
    let names: Vec<(String,)> = match db {
        Db::Sqlite(pool) => sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(pool)
        .await
        .expect("sqlite_master"),
        Db::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(pool)
        .await
        .expect("information_schema"),
    };
    names.into_iter().map(|(name,)| name).collect()
}

story!(
    everything_in_the_data_dir_is_a_declared_storage_area,
    |app| {
        // A seeker registers (an e-mail is written) and uploads a CV (a file is stored).
        app.registered_seeker("filer@example.com").await;
        app.login("filer@example.com", PASSWORD).await;
        let page = app.get("/documents").await;
        let upload = reqwest::multipart::Form::new().text("kind", "cv").part(
            "file",
            reqwest::multipart::Part::bytes(b"Curriculum vitae of a test person".to_vec())
                .file_name("cv.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
        let response = app
            .client
            .post(app.url(&page.upload_action()))
            .multipart(upload)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        assert!(app.get("/documents").await.contains("cv.txt"));

        let declared: BTreeSet<&str> = Area::ALL
            .iter()
            .filter_map(|a| a.data_dir_entry())
            .collect();
        let mut seen = BTreeSet::new();
        for entry in std::fs::read_dir(app.env.data_path()).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            // The SQLite database is where the declared tables live.
            if name.starts_with("jobboard.db") {
                continue;
            }
            assert!(
                declared.contains(name.as_str()),
                "{name} in the data dir is not a storage area declared in the registry"
            );
            seen.insert(name);
        }
        assert!(seen.contains("mail") && seen.contains("files"), "{seen:?}");
    }
);

fn policy_command(vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"))
        .args(args)
        .env_clear()
        .env("JOBBOARD_DATA_DIR", dir.path())
        .envs(vars.iter().copied())
        .output()
        .expect("run jobboard")
}

#[test]
fn jobboard_policy_prints_the_registry_as_json() {
    let output = policy_command(&CONTROLLER, &["policy"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["version"], POLICY_VERSION);
    assert_eq!(json["fingerprint"], registry::fingerprint());
    assert_eq!(json["controller"]["name"], "Testvirksomheden ApS");
    assert_eq!(json["controller"]["cvr"], "10150817");
    assert_eq!(json["controller"]["demo"], false);
    assert_eq!(json["processors_in_use"], serde_json::json!(["hosting"]));

    let ids = |key: &str, field: &str| -> BTreeSet<String> {
        json[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} is a list"))
            .iter()
            .map(|item| item[field].as_str().unwrap().to_string())
            .collect()
    };
    let rules = ids("retention_rules", "id");
    for id in [
        "seeker-inactive",
        "job-alerts-inactive",
        "job-alert-consent-records",
        "applications",
        "ad-contact-hidden",
        "ad-contact-deleted",
        "bookkeeping",
        "erasure-documentation",
        "visitor-data",
        "support-inquiries",
        "partner-contacts",
        "newsletter-consents",
        "other-data",
    ] {
        assert!(rules.contains(id), "rule {id}");
    }
    let applications = json["retention_rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "applications")
        .unwrap();
    assert_eq!(
        applications["keep"],
        serde_json::json!({"unit": "months", "count": 6})
    );
    assert_eq!(applications["action"], "delete");
    assert_eq!(applications["counts_from"], "application-sent");

    assert_eq!(
        ids("cookies", "name"),
        COOKIES.iter().map(|c| c.name.to_string()).collect()
    );
    assert_eq!(ids("categories", "id").len(), CATEGORIES.len());
    let seeker_account = json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "seeker-account")
        .unwrap();
    assert_eq!(
        seeker_account["tables"],
        serde_json::json!(["users", "retention_warnings"])
    );
    assert_eq!(
        seeker_account["legal_bases"],
        serde_json::json!(["contract"])
    );
    for key in [
        "purposes",
        "legal_bases",
        "recipients",
        "processors",
        "rights",
        "tables",
    ] {
        assert!(!json[key].as_array().unwrap().is_empty(), "{key}");
    }
    assert_eq!(json["transfers"]["third_countries"], serde_json::json!([]));
    assert_eq!(json["complaints"]["email"], "dt@datatilsynet.dk");
    assert_eq!(json["legal_bases"].as_array().unwrap().len(), 6);

    let help = policy_command(&[], &["policy", "--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("privacy registry"));
}

#[test]
fn production_refuses_to_start_without_a_controller() {
    let output = policy_command(
        &[
            ("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"),
            ("JOBBOARD_MASTER_KEY", &"5e".repeat(32)),
        ],
        &["policy"],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("JOBBOARD_CONTROLLER_NAME"), "{stderr}");

    // Embedded mode prints clearly labelled demo values instead.
    let output = policy_command(&[], &["policy"]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["controller"]["demo"], true);
    assert!(
        json["controller"]["name"]
            .as_str()
            .unwrap()
            .contains("demo")
    );
}

story!(
    operators_are_warned_when_files_are_stored_outside_the_eu,
    Options::default()
        .with("JOBBOARD_S3_BUCKET", "jobboard-files")
        .with("JOBBOARD_S3_REGION", "us-west-2"),
    |app| {
        jobboard::accounts::cli::create_operator(&app.state.db, "dpo@example.com", PASSWORD)
            .await
            .expect("operator");
        app.login("dpo@example.com", PASSWORD).await;
        let page = app.get("/operator/processing-record").await;
        assert!(
            page.contains(
                "stores files with Amazon S3 in the region us-west-2, outside the EU/EEA"
            ),
            "{}",
            page.text()
        );
        // The public policy names object storage as a processor this installation uses.
        let policy = app.get("/privacy").await;
        assert!(policy.contains(
            "Object storage: where uploaded files (CVs, attachments, photos) are kept, encrypted \
             with a key of each person's own. (used by this installation)"
        ));
    }
);
