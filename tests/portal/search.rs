//! Search, the public API and the feeds: the index follows every change, facets and radius
//! are right, the OpenAPI document describes what the API returns, and an inactive ad's
//! contact person is gone from every public place.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

async fn api(app: &TestApp, query: &str) -> Value {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/search?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

fn ids(result: &Value) -> Vec<i64> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// Waits until this node's index does (or does not) hold ad `id`.
async fn indexed(app: &TestApp, id: i64, present: bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.state.search.contains(id).unwrap() != present {
        assert!(
            Instant::now() < deadline,
            "the index never {} ad {id}",
            if present { "added" } else { "removed" }
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the search for `query` does (or does not) find ad `id`.
async fn eventually(app: &TestApp, query: &str, id: i64, present: bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if ids(&api(app, query).await).contains(&id) == present {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "ad {id} {} for {query}",
            if present {
                "never appeared"
            } else {
                "never disappeared"
            }
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

story!(
    the_index_follows_publication_edits_closing_and_expiry,
    |app| {
        let company = fixtures::company(&app, "Fjordkraft ApS", "24256790").await;
        let id = fixtures::published(
            &app,
            &company,
            content(
                "Erfaren softwareudvikler",
                "Vi søger udviklere til vores platform i skyen.",
                "751",
            ),
        )
        .await;
        // Danish stemming: "udviklerne" and "udvikler" share a stem.
        eventually(&app, "q=udviklerne", id, true).await;
        // Typo tolerance.
        eventually(&app, "q=softwareudvikelr", id, true).await;

        // An edit goes live only when approved.
        let mut edited = content(
            "Erfaren dataingeniør",
            "Vi søger en ingeniør til vores dataplatform.",
            "751",
        );
        edited.occupation_id = "data-engineer".into();
        jobboard::ads::lifecycle::save_edit(&app.state, id, company.id, company.user, &edited)
            .await
            .unwrap();
        jobboard::ads::lifecycle::submit(&app.state, jobboard::i18n::Lang::En.tr(), id, company.id)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        eventually(&app, "q=softwareudvikler", id, true).await;
        jobboard::ads::lifecycle::approve(&app.state, id, company.operator)
            .await
            .unwrap();
        eventually(&app, "q=dataingeniør", id, true).await;
        eventually(&app, "q=softwareudvikler", id, false).await;

        // Closing removes it.
        jobboard::ads::lifecycle::close(&app.state, jobboard::i18n::Lang::En.tr(), id, company.id)
            .await
            .unwrap();
        eventually(&app, "q=dataingeniør", id, false).await;
        indexed(&app, id, false).await;

        // Expiry removes another.
        let other = fixtures::published(
            &app,
            &company,
            content(
                "Lagermedarbejder",
                "Vi søger en lagermedarbejder til vores lager.",
                "101",
            ),
        )
        .await;
        eventually(&app, "q=lagermedarbejder", other, true).await;
        jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
            "UPDATE ads SET expires_at = $1 WHERE id = $2"
        )
        .bind(time::OffsetDateTime::now_utc() - time::Duration::minutes(1))
        .bind(other)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        indexed(&app, other, false).await;
        eventually(&app, "q=lagermedarbejder", other, false).await;
    }
);

story!(facets_count_and_filters_combine, |app| {
    let company = fixtures::company(&app, "Tælleværket A/S", "10150817").await;
    let mut last = 0;
    for (municipality, remote, kind) in [
        ("101", "no", "permanent"),
        ("101", "hybrid", "permanent"),
        ("751", "hybrid", "temporary"),
        ("0180", "fully", "permanent"),
    ] {
        let mut c = content(
            "Projektleder",
            "Vi søger en projektleder med overblik og erfaring.",
            municipality,
        );
        c.remote = jobboard::ads::domain::Remote::parse(remote).unwrap();
        c.employment_type = jobboard::ads::domain::EmploymentType::parse(kind).unwrap();
        last = fixtures::published(&app, &company, c).await;
    }
    eventually(&app, "q=projektleder", last, true).await;
    let result = api(
        &app,
        "q=projektleder&stats=municipality,region,remote,employment-type",
    )
    .await;
    assert_eq!(result["total"], 4);
    let facet = |name: &str, value: &str| -> u64 {
        result["stats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["facet"] == name)
            .unwrap()["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["value"] == value)
            .map(|v| v["count"].as_u64().unwrap())
            .unwrap_or(0)
    };
    assert_eq!(facet("municipality", "101"), 2);
    assert_eq!(facet("municipality", "751"), 1);
    assert_eq!(
        facet("region", "1084"),
        2,
        "Copenhagen is in Region Hovedstaden"
    );
    assert_eq!(facet("region", "01"), 1, "Stockholm is in Stockholms län");
    assert_eq!(facet("remote", "hybrid"), 2);
    assert_eq!(facet("employment-type", "permanent"), 3);
    // Values of one filter are OR-ed, different filters AND-ed.
    assert_eq!(
        api(&app, "q=projektleder&municipality=101&municipality=751").await["total"],
        3
    );
    assert_eq!(
        api(
            &app,
            "q=projektleder&remote=hybrid&employment-type=permanent"
        )
        .await["total"],
        1
    );
    assert_eq!(
        api(&app, "q=projektleder&region=Region%20Hovedstaden").await["total"],
        2
    );

    // The search page shows the same counts, as filters a person can tick.
    let page = app.get("/jobs?q=projektleder").await;
    assert!(page.contains("4 jobs"));
    let page = page
        .form("Apply filters")
        .fill("København (2)", "101")
        .submit(&app)
        .await;
    assert!(page.contains("2 jobs"), "{}", page.text());
});

story!(
    radius_search_includes_neighbours_and_excludes_far_places,
    |app| {
        let company = fixtures::company(&app, "Afstand ApS", "24256790").await;
        let aarhus = fixtures::published(
            &app,
            &company,
            content("Tømrer", "Tømrer søges til byggeri i Aarhus.", "751"),
        )
        .await;
        let skanderborg = fixtures::published(
            &app,
            &company,
            content("Tømrer", "Tømrer søges til byggeri i Skanderborg.", "746"),
        )
        .await;
        let copenhagen = fixtures::published(
            &app,
            &company,
            content("Tømrer", "Tømrer søges til byggeri i København.", "101"),
        )
        .await;
        eventually(&app, "q=tømrer", copenhagen, true).await;
        let near_aarhus = ids(&api(&app, "q=tømrer&lat=56.1629&lon=10.2039&radius-km=30").await);
        assert!(near_aarhus.contains(&aarhus) && near_aarhus.contains(&skanderborg));
        assert!(!near_aarhus.contains(&copenhagen));
        let page = app
            .get("/jobs?q=t%C3%B8mrer&near=Aarhus&radius-km=25")
            .await;
        assert!(page.contains("2 jobs"), "{}", page.text());
        let near_copenhagen =
            ids(&api(&app, "q=tømrer&lat=55.6761&lon=12.5683&radius-km=10").await);
        assert_eq!(near_copenhagen, vec![copenhagen]);
    }
);

story!(bad_parameters_get_400_naming_the_parameter, |app| {
    for (query, parameter) in [
        ("limit=1000", "limit"),
        ("offset=-5", "offset"),
        ("sort=random", "sort"),
        ("employment-type=forever", "employment-type"),
        ("municipality=Atlantis", "municipality"),
        ("lat=56&radius-km=10", "lon"),
        ("published-after=tomorrowish", "published-after"),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/search?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["parameter"], parameter, "{query}: {body}");
    }
    let response = app
        .client
        .get(app.url("/api/v1/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/jobs?sort=sideways").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.client
            .get(app.url("/api/v1/ads/abc"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.client
            .get(app.url("/api/v1/ads/999999"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
});

story!(
    the_api_is_cacheable_cors_enabled_and_rate_limited,
    Options::default().with("JOBBOARD_API_RATE", "2"),
    |app| {
        let response = app
            .client
            .get(app.url("/api/v1/search?q=x"))
            .header("origin", "https://other.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
        let etag = response.headers()["etag"].to_str().unwrap().to_string();
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age")
        );
        let response = app
            .client
            .get(app.url("/api/v1/search?q=x"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        // Two a second with bursts of ten: the burst runs out.
        let mut limited = None;
        for _ in 0..30 {
            let response = app
                .client
                .get(app.url("/api/v1/search?q=y"))
                .send()
                .await
                .unwrap();
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(response);
                break;
            }
        }
        let limited = limited.expect("the limit trips");
        assert!(
            limited.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
                >= 1
        );
    }
);

story!(the_openapi_document_describes_what_the_api_returns, |app| {
    let company = fixtures::company(&app, "Dokumentation ApS", "24256790").await;
    let id = fixtures::published(
        &app,
        &company,
        content(
            "Teknisk skribent",
            "Vi søger en skribent til vores dokumentation.",
            "461",
        ),
    )
    .await;
    eventually(&app, "q=skribent", id, true).await;
    let doc: Value = app.get_json("/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/search",
        "/api/v1/ads/{id}",
        "/api/v1/stream",
        "/api/v1/typeahead",
    ] {
        assert!(
            doc["paths"][path]["get"]["responses"]["200"].is_object(),
            "{path} is documented"
        );
    }
    let search = api(&app, "q=skribent&stats=region").await;
    conforms(&doc, &search, "SearchResult");
    let ad: Value = app.get_json(&format!("/api/v1/ads/{id}")).await;
    conforms(&doc, &ad, "ApiAd");
    assert!(
        ad["description_html"]
            .as_str()
            .unwrap()
            .contains("dokumentation")
    );
    let stream: Value = app
        .get_json("/api/v1/stream?since=2000-01-01T00:00:00Z")
        .await;
    conforms(&doc, &stream, "StreamResult");
    assert!(stream["changes"].as_array().unwrap().iter().any(|c| {
        c["id"].as_str().and_then(|s| s.parse::<i64>().ok()) == Some(id)
            && c["change"] == "published"
    }));
    let error: Value = app.get_json("/api/v1/search?limit=x").await;
    conforms(&doc, &error, "ApiError");
});

/// Checks a JSON value against a schema of the document: every property the answer has is
/// documented, and every required property is there. Follows `$ref`s and arrays.
fn conforms(doc: &Value, value: &Value, schema: &str) {
    let schema = &doc["components"]["schemas"][schema];
    assert!(schema.is_object(), "schema {schema} exists");
    check(doc, value, schema, "$");
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => &doc["components"]["schemas"][reference.rsplit('/').next().unwrap()],
        None => schema,
    }
}

fn check(doc: &Value, value: &Value, schema: &Value, at: &str) {
    let schema = resolve(doc, schema);
    // Nullable references come as oneOf/anyOf [null, $ref].
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            if value.is_null() {
                return;
            }
            let option = options
                .iter()
                .find(|o| o.get("type") != Some(&Value::from("null")))
                .unwrap();
            return check(doc, value, option, at);
        }
    }
    match value {
        Value::Object(map) => {
            let properties = schema["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{at}: no properties in {schema}"));
            for (key, item) in map {
                let property = properties
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} is not documented"));
                check(doc, item, property, &format!("{at}.{key}"));
            }
            for required in schema["required"].as_array().into_iter().flatten() {
                assert!(
                    map.contains_key(required.as_str().unwrap()),
                    "{at}.{required} is required but missing"
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check(doc, item, &schema["items"], &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

story!(
    an_inactive_ads_contact_person_appears_nowhere_public,
    |app| {
        let company = fixtures::company(&app, "Privat ApS", "24256790").await;
        let id = fixtures::published(
            &app,
            &company,
            content(
                "Bogholder",
                "Vi søger en bogholder med styr på tallene.",
                "147",
            ),
        )
        .await;
        eventually(&app, "q=bogholder", id, true).await;
        let public_places = |app: &TestApp| {
            let app_url = app.base.clone();
            let client = app.client.clone();
            async move {
                let mut bodies = Vec::new();
                for path in [
                    format!("/jobs/{id}"),
                    "/jobs?q=bogholder".to_string(),
                    "/jobs.atom".to_string(),
                    "/sitemap.xml".to_string(),
                    "/api/v1/search?q=bogholder".to_string(),
                    format!("/api/v1/ads/{id}"),
                    "/api/v1/stream?since=2000-01-01T00:00:00Z".to_string(),
                ] {
                    bodies.push(
                        client
                            .get(format!("{app_url}{path}"))
                            .send()
                            .await
                            .unwrap()
                            .text()
                            .await
                            .unwrap(),
                    );
                }
                bodies.join("\n")
            }
        };
        let while_published = public_places(&app).await;
        assert!(
            while_published.contains("Kirsten Kontaktperson"),
            "shown while published"
        );

        jobboard::ads::lifecycle::close(&app.state, jobboard::i18n::Lang::En.tr(), id, company.id)
            .await
            .unwrap();
        indexed(&app, id, false).await;
        let after = public_places(&app).await;
        for personal in [
            "Kirsten Kontaktperson",
            "kirsten@kontakt.example.com",
            "87 65 43 21",
        ] {
            assert!(!after.contains(personal), "{personal} still public");
        }
        let stream: Value = app
            .get_json("/api/v1/stream?since=2000-01-01T00:00:00Z")
            .await;
        assert!(stream["changes"].as_array().unwrap().iter().any(|c| {
            c["id"].as_str().and_then(|s| s.parse::<i64>().ok()) == Some(id)
                && c["change"] == "removed"
        }));
        assert_eq!(
            app.client
                .get(app.url(&format!("/api/v1/ads/{id}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::GONE
        );
    }
);

story!(the_atom_feed_sitemap_and_robots_are_well_formed, |app| {
    let company = fixtures::company(&app, "Feed & Co ApS", "24256790").await;
    let id = fixtures::published(
        &app,
        &company,
        content(
            "Kok <til> kantinen & caféen",
            "Vi søger en kok til vores kantine.",
            "101",
        ),
    )
    .await;
    eventually(&app, "q=kok", id, true).await;
    let response = app
        .client
        .get(app.url("/jobs.atom?municipality=101"))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed = response.text().await.unwrap();
    let entries = xml_elements(&feed, "entry");
    assert_eq!(entries, 1, "{feed}");
    assert!(feed.contains("Kok &lt;til&gt; kantinen &amp; caféen"));
    assert_eq!(
        xml_elements(
            &app.client
                .get(app.url("/jobs.atom?municipality=751"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
            "entry"
        ),
        0
    );
    let sitemap = app
        .client
        .get(app.url("/sitemap.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(xml_elements(&sitemap, "url") >= 3 && sitemap.contains(&format!("/jobs/{id}</loc>")));
    let robots = app
        .client
        .get(app.url("/robots.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(robots.contains("Sitemap: ") && robots.contains("Disallow: /employer"));
});

/// Counts elements after checking the whole document parses as XML.
fn xml_elements(xml: &str, name: &str) -> usize {
    use quick_xml::{Reader, events::Event};
    let mut reader = Reader::from_str(xml);
    let mut count = 0;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.name().into_inner() == name => count += 1,
            Event::Eof => return count,
            _ => {}
        }
    }
}

story!(no_results_offer_spelling_suggestions_and_a_way_out, |app| {
    let company = fixtures::company(&app, "Stavning ApS", "24256790").await;
    let id = fixtures::published(
        &app,
        &company,
        content(
            "Sygeplejerske",
            "Vi søger en sygeplejerske til afdelingen.",
            "101",
        ),
    )
    .await;
    eventually(&app, "q=sygeplejerske", id, true).await;
    let page = app.get("/jobs?q=sygeplejerske&municipality=751").await;
    assert!(page.contains("No jobs match your search"));
    assert!(page.contains("Search again without the filters"));
    let typeahead: Value = app.get_json("/api/v1/typeahead?q=sygep").await;
    assert!(
        typeahead["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().starts_with("sygep")),
        "{typeahead}"
    );
    let page = app.get("/jobs?q=sygeplejerske").await;
    assert!(page.body.contains("<mark>"), "snippets highlight the words");
});

/// Two servers on one PostgreSQL database, each with its own index, agree within seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_postgres_both_find_a_new_ad() {
    let Some(env) = TestEnv::postgres_if_configured().await else {
        return;
    };
    let other_node = env.same_database_other_node();
    let first = TestApp::start(env, Options::default()).await;
    let second = TestApp::start(other_node, Options::default()).await;
    let company = fixtures::company(&first, "To Noder ApS", "24256790").await;
    let id = fixtures::published(
        &first,
        &company,
        content(
            "Elektriker",
            "Vi søger en elektriker til installationer.",
            "851",
        ),
    )
    .await;
    eventually(&first, "q=elektriker", id, true).await;
    eventually(&second, "q=elektriker", id, true).await;
}
