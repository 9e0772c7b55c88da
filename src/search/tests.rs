use super::*;

const DAY: i64 = 86_400;
const NOW: i64 = 1_780_000_000;

fn ad(id: i64, lang: AdLang, title: &str, description: &str) -> SearchDoc {
    SearchDoc {
        id,
        lang,
        title: title.to_string(),
        description: description.to_string(),
        company: "Nordlys ApS".to_string(),
        occupation_id: "other".to_string(),
        occupation_labels: Vec::new(),
        field_id: "misc".to_string(),
        municipality_code: "101".to_string(),
        municipality_name: "København".to_string(),
        region_code: "1084".to_string(),
        employment_type: "permanent".to_string(),
        remote: "no".to_string(),
        published_at: NOW - id * DAY,
        deadline: None,
        featured_until: None,
    }
}

fn open() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(&dir.path().join("index")).unwrap();
    (dir, index)
}

fn query(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.to_string(),
        limit: 20,
        ..SearchRequest::default()
    }
}

fn ids(index: &SearchIndex, request: &SearchRequest) -> Vec<i64> {
    index
        .search(request)
        .unwrap()
        .hits
        .iter()
        .map(|hit| hit.id)
        .collect()
}

fn sorted_ids(index: &SearchIndex, request: &SearchRequest) -> Vec<i64> {
    let mut found = ids(index, request);
    found.sort();
    found
}

fn counts(facet: &[FacetCount]) -> Vec<(&str, u64)> {
    facet.iter().map(|f| (f.value.as_str(), f.count)).collect()
}

#[test]
fn index_is_send_and_sync() {
    fn is<T: Send + Sync + Clone>() {}
    is::<SearchIndex>();
    is::<Highlighter>();
}

#[test]
fn danish_words_match_other_inflections() {
    let (_dir, index) = open();
    index
        .apply(
            vec![
                ad(
                    1,
                    AdLang::Da,
                    "Erfaren udvikler",
                    "Vi søger en udvikler til vores team.",
                ),
                ad(
                    2,
                    AdLang::Da,
                    "Bogholder",
                    "Vi søger en bogholder med erfaring.",
                ),
            ],
            &[],
            1,
        )
        .unwrap();
    assert_eq!(ids(&index, &query("udviklere")), vec![1]);
    assert_eq!(ids(&index, &query("Udvikleren")), vec![1]);
    assert_eq!(ids(&index, &query("bogholdere")), vec![2]);
}

#[test]
fn english_words_match_other_inflections() {
    let (_dir, index) = open();
    index
        .apply(
            vec![
                ad(
                    1,
                    AdLang::En,
                    "Senior developer",
                    "You will be developing services.",
                ),
                ad(2, AdLang::En, "Accountant", "Bookkeeping and reporting."),
            ],
            &[],
            1,
        )
        .unwrap();
    assert_eq!(ids(&index, &query("developers")), vec![1]);
    assert_eq!(ids(&index, &query("reports")), vec![2]);
}

#[test]
fn swedish_words_match_other_inflections() {
    let (_dir, index) = open();
    index
        .apply(
            vec![
                ad(
                    1,
                    AdLang::Sv,
                    "Sjuksköterska",
                    "Vi söker sjuksköterskor till akuten.",
                ),
                ad(2, AdLang::Sv, "Lärare", "Undervisning i matematik."),
            ],
            &[],
            1,
        )
        .unwrap();
    assert_eq!(ids(&index, &query("sjuksköterskan")), vec![1]);
    assert_eq!(ids(&index, &query("lärarna")), vec![2]);
}

#[test]
fn all_words_must_match_and_titles_weigh_more() {
    let (_dir, index) = open();
    index
        .apply(
            vec![
                ad(
                    1,
                    AdLang::En,
                    "Warehouse worker",
                    "Some experience with a developer team.",
                ),
                ad(2, AdLang::En, "Developer", "Build our warehouse systems."),
                ad(3, AdLang::En, "Developer", "Build our web shop."),
            ],
            &[],
            1,
        )
        .unwrap();
    assert_eq!(
        sorted_ids(&index, &query("developer warehouse")),
        vec![1, 2]
    );
    let ranked = ids(&index, &query("developer"));
    assert_eq!(ranked.len(), 3);
    assert_eq!(ranked[2], 1, "a title match ranks above a body match");
}

#[test]
fn occupation_labels_are_searchable_in_any_language() {
    let (_dir, index) = open();
    let mut danish = ad(1, AdLang::Da, "Ny kollega søges", "Bliv en del af holdet.");
    danish.occupation_labels = vec!["Software developer".into(), "Softwareudvikler".into()];
    index.apply(vec![danish], &[], 1).unwrap();
    assert_eq!(ids(&index, &query("software developers")), vec![1]);
    assert_eq!(ids(&index, &query("softwareudviklere")), vec![1]);
}

#[test]
fn misspelt_words_still_find_ads() {
    let (_dir, index) = open();
    index
        .apply(
            vec![
                ad(
                    1,
                    AdLang::Da,
                    "Sygeplejerske",
                    "Afdelingen søger en sygeplejerske.",
                ),
                ad(2, AdLang::En, "Software developer", "Backend work."),
                ad(3, AdLang::En, "Chef", "Cooking."),
            ],
            &[],
            1,
        )
        .unwrap();
    assert_eq!(ids(&index, &query("sygeplejeske")), vec![1]);
    assert_eq!(ids(&index, &query("develper")), vec![2]);
    assert_eq!(ids(&index, &query("sofware develper")), vec![2]);
    // Three letters get no typo tolerance.
    assert!(ids(&index, &query("chf")).is_empty());
    // An exact word does not also match its neighbours.
    index
        .apply(vec![ad(4, AdLang::En, "Chief", "Leading.")], &[], 2)
        .unwrap();
    assert_eq!(ids(&index, &query("chief")), vec![4]);
}

#[test]
fn exact_matches_rank_above_typo_matches() {
    let (_dir, index) = open();
    let mut ads = vec![ad(1, AdLang::En, "Designer", "Product design.")];
    // "designr" is rare (once) and "designer" is common: the typo is expanded.
    ads.push(ad(2, AdLang::En, "Designr", "Typo in the title."));
    for id in 3..30 {
        ads.push(ad(id, AdLang::En, "Designer", "Graphic design."));
    }
    index.apply(ads, &[], 1).unwrap();
    let response = index.search(&query("designr")).unwrap();
    assert_eq!(response.total, 29);
    assert_eq!(response.hits[0].id, 2);
}

fn faceted_ads() -> Vec<SearchDoc> {
    let places = [
        ("101", "1084"),
        ("751", "1082"),
        ("751", "1082"),
        ("0180", "SE01"),
    ];
    let mut ads = Vec::new();
    for (i, (municipality, region)) in places.iter().enumerate() {
        for (j, (field, employment, remote)) in [
            ("it", "permanent", "hybrid"),
            ("it", "temporary", "no"),
            ("health", "permanent", "no"),
        ]
        .iter()
        .enumerate()
        {
            let id = (i * 3 + j + 1) as i64;
            let mut ad = ad(id, AdLang::En, "Job", "Description");
            ad.municipality_code = municipality.to_string();
            ad.region_code = region.to_string();
            ad.field_id = field.to_string();
            ad.occupation_id = format!("{field}-worker");
            ad.employment_type = employment.to_string();
            ad.remote = remote.to_string();
            ads.push(ad);
        }
    }
    ads
}

#[test]
fn facets_count_over_query_and_all_filters() {
    let (_dir, index) = open();
    index.apply(faceted_ads(), &[], 1).unwrap();

    let all = index
        .search(&SearchRequest {
            facets: true,
            limit: 20,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(all.total, 12);
    assert_eq!(
        counts(&all.facets.municipality),
        vec![("751", 6), ("0180", 3), ("101", 3)]
    );
    assert_eq!(counts(&all.facets.field), vec![("it", 8), ("health", 4)]);
    assert_eq!(counts(&all.facets.remote), vec![("no", 8), ("hybrid", 4)]);

    let filtered = index
        .search(&SearchRequest {
            municipalities: vec!["751".into(), "101".into()],
            fields: vec!["it".into()],
            facets: true,
            limit: 20,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(filtered.total, 6);
    assert_eq!(filtered.hits.len(), 6);
    assert_eq!(
        counts(&filtered.facets.municipality),
        vec![("751", 4), ("101", 2)]
    );
    assert_eq!(
        counts(&filtered.facets.region),
        vec![("1082", 4), ("1084", 2)]
    );
    assert_eq!(counts(&filtered.facets.field), vec![("it", 6)]);
    assert_eq!(counts(&filtered.facets.occupation), vec![("it-worker", 6)]);
    assert_eq!(
        counts(&filtered.facets.employment_type),
        vec![("permanent", 3), ("temporary", 3)]
    );

    let narrow = index
        .search(&SearchRequest {
            q: "job".into(),
            regions: vec!["1082".into()],
            employment_types: vec!["permanent".into()],
            remote: vec!["no".into()],
            facets: true,
            limit: 20,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(narrow.total, 2);
    assert_eq!(counts(&narrow.facets.field), vec![("health", 2)]);

    let without_facets = index.search(&query("job")).unwrap();
    assert_eq!(without_facets.facets, Facets::default());
}

#[test]
fn within_restricts_to_the_given_municipalities() {
    let (_dir, index) = open();
    index.apply(faceted_ads(), &[], 1).unwrap();
    let near = SearchRequest {
        within: Some(vec!["101".into(), "0180".into()]),
        limit: 20,
        ..SearchRequest::default()
    };
    assert_eq!(sorted_ids(&index, &near), vec![1, 2, 3, 10, 11, 12]);
    let near_and_chosen = SearchRequest {
        municipalities: vec!["101".into(), "751".into()],
        ..near.clone()
    };
    assert_eq!(sorted_ids(&index, &near_and_chosen), vec![1, 2, 3]);
    let nowhere = SearchRequest {
        within: Some(Vec::new()),
        ..near
    };
    assert_eq!(index.search(&nowhere).unwrap().total, 0);
}

#[test]
fn published_after_filters_by_date() {
    let (_dir, index) = open();
    index
        .apply(
            (1..=5)
                .map(|id| ad(id, AdLang::En, "Job", "Text"))
                .collect(),
            &[],
            1,
        )
        .unwrap();
    let recent = SearchRequest {
        published_after: Some(NOW - 2 * DAY),
        limit: 20,
        ..SearchRequest::default()
    };
    assert_eq!(sorted_ids(&index, &recent), vec![1, 2]);
}

#[test]
fn sorts_by_newest_and_by_deadline() {
    let (_dir, index) = open();
    let deadlines = [
        Some(NOW + 9 * DAY),
        None,
        Some(NOW + DAY),
        Some(NOW + 5 * DAY),
    ];
    let ads = deadlines
        .iter()
        .enumerate()
        .map(|(i, deadline)| {
            let mut ad = ad(i as i64 + 1, AdLang::En, "Cleaner", "Cleaning offices");
            ad.published_at = NOW - [3, 1, 4, 2][i] * DAY;
            ad.deadline = *deadline;
            ad
        })
        .collect();
    index.apply(ads, &[], 1).unwrap();
    let newest = SearchRequest {
        sort: Sort::Newest,
        ..query("cleaner")
    };
    assert_eq!(ids(&index, &newest), vec![2, 4, 1, 3]);
    let deadline = SearchRequest {
        sort: Sort::Deadline,
        ..query("cleaner")
    };
    assert_eq!(ids(&index, &deadline), vec![3, 4, 1, 2]);
    // Without words, relevance means newest.
    assert_eq!(ids(&index, &query("")), vec![2, 4, 1, 3]);
    let second_page = SearchRequest {
        offset: 1,
        limit: 2,
        ..deadline
    };
    let page = index.search(&second_page).unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(
        page.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![4, 1]
    );
}

#[test]
fn limits_are_enforced() {
    let (_dir, index) = open();
    let too_many = SearchRequest {
        limit: MAX_LIMIT + 1,
        ..SearchRequest::default()
    };
    assert!(matches!(index.search(&too_many), Err(Error::BadRequest(_))));
    let too_deep = SearchRequest {
        offset: MAX_OFFSET + 1,
        limit: 10,
        ..SearchRequest::default()
    };
    assert!(matches!(index.search(&too_deep), Err(Error::BadRequest(_))));
    index
        .apply(vec![ad(1, AdLang::En, "Job", "Text")], &[], 1)
        .unwrap();
    let count_only = SearchRequest {
        limit: 0,
        ..SearchRequest::default()
    };
    let response = index.search(&count_only).unwrap();
    assert_eq!((response.total, response.hits.len()), (1, 0));
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let (_dir, index) = open();
    index
        .apply(
            vec![
                ad(1, AdLang::En, "Baker", "Bread"),
                ad(2, AdLang::En, "Butcher", "Meat"),
            ],
            &[],
            1,
        )
        .unwrap();
    assert_eq!(index.num_docs(), 2);
    index
        .apply(vec![ad(1, AdLang::En, "Gardener", "Plants")], &[], 2)
        .unwrap();
    assert_eq!(index.num_docs(), 2);
    assert!(ids(&index, &query("baker")).is_empty());
    assert_eq!(ids(&index, &query("gardener")), vec![1]);
    // Applying the same batch again changes nothing.
    index
        .apply(vec![ad(1, AdLang::En, "Gardener", "Plants")], &[], 2)
        .unwrap();
    assert_eq!(index.num_docs(), 2);

    index.apply(Vec::new(), &[2, 99], 3).unwrap();
    assert_eq!(index.num_docs(), 1);
    assert!(!index.contains(2).unwrap());
    assert!(index.contains(1).unwrap());
    assert!(ids(&index, &query("butcher")).is_empty());

    // In one batch, the later of two upserts of one id wins.
    index
        .apply(
            vec![
                ad(5, AdLang::En, "Baker", "Bread"),
                ad(5, AdLang::En, "Plumber", "Pipes"),
            ],
            &[],
            4,
        )
        .unwrap();
    assert_eq!(ids(&index, &query("plumber")), vec![5]);
    assert!(ids(&index, &query("baker")).is_empty());
    assert_eq!(index.num_docs(), 2);

    // In one batch, a delete wins over an upsert of the same id.
    index
        .apply(vec![ad(3, AdLang::En, "Baker", "Bread")], &[3], 4)
        .unwrap();
    assert!(!index.contains(3).unwrap());
}

#[test]
fn checkpoint_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    {
        let index = SearchIndex::open(&path).unwrap();
        assert_eq!(index.checkpoint(), 0);
        index
            .apply(vec![ad(1, AdLang::En, "Baker", "Bread")], &[], 41)
            .unwrap();
        index.apply(Vec::new(), &[], 42).unwrap();
        assert_eq!(index.checkpoint(), 42);
    }
    let reopened = SearchIndex::open(&path).unwrap();
    assert_eq!(reopened.checkpoint(), 42);
    assert_eq!(reopened.num_docs(), 1);
    assert_eq!(ids(&reopened, &query("baker")), vec![1]);
}

#[test]
fn another_schema_version_is_wiped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    {
        let index = SearchIndex::open(&path).unwrap();
        index
            .apply(vec![ad(1, AdLang::En, "Baker", "Bread")], &[], 7)
            .unwrap();
    }
    // Rewrite the commit payload as an older version would have left it.
    let meta_path = path.join("meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta["payload"] = serde_json::Value::String(
        serde_json::json!({"schema_version": SCHEMA_VERSION - 1, "checkpoint": 7}).to_string(),
    );
    std::fs::write(&meta_path, meta.to_string()).unwrap();

    let reopened = SearchIndex::open(&path).unwrap();
    assert_eq!(reopened.checkpoint(), 0);
    assert_eq!(reopened.num_docs(), 0);
    reopened
        .apply(vec![ad(2, AdLang::En, "Baker", "Bread")], &[], 1)
        .unwrap();
    assert_eq!(ids(&reopened, &query("baker")), vec![2]);
}

#[test]
fn a_folder_that_is_not_an_index_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jobboard.db"), "precious").unwrap();
    assert!(matches!(
        SearchIndex::open(dir.path()),
        Err(Error::Config(_))
    ));
    assert!(dir.path().join("jobboard.db").exists());
}

#[test]
fn rebuild_replaces_everything() {
    let (_dir, index) = open();
    index
        .apply(vec![ad(1, AdLang::En, "Baker", "Bread")], &[], 5)
        .unwrap();
    let count = index
        .rebuild(
            (10..20).map(|id| ad(id, AdLang::Da, "Tømrer", "Byggeri")),
            9,
        )
        .unwrap();
    assert_eq!(count, 10);
    assert_eq!(index.num_docs(), 10);
    assert_eq!(index.checkpoint(), 9);
    assert!(!index.contains(1).unwrap());
    assert_eq!(index.search(&query("tømrere")).unwrap().total, 10);
    // The incremental writer comes back after a rebuild.
    index
        .apply(vec![ad(1, AdLang::En, "Baker", "Bread")], &[], 10)
        .unwrap();
    assert_eq!(index.num_docs(), 11);
}

#[test]
fn typeahead_completes_the_last_word_most_frequent_first() {
    let (_dir, index) = open();
    let mut ads = vec![
        ad(1, AdLang::Da, "Udvikler", "x"),
        ad(2, AdLang::Da, "Udvikler", "x"),
    ];
    ads.push(ad(3, AdLang::Da, "Udviklingschef", "x"));
    ads.push(ad(4, AdLang::Da, "Udsalgsmedarbejder", "x"));
    index.apply(ads, &[], 1).unwrap();
    assert_eq!(
        index.typeahead("udv", 10).unwrap(),
        vec!["udvikler", "udviklingschef"]
    );
    assert_eq!(
        index.typeahead("Senior UDVI", 1).unwrap(),
        vec!["senior udvikler"]
    );
    assert_eq!(index.typeahead("ud", 10).unwrap().len(), 3);
    assert!(index.typeahead("u", 10).unwrap().is_empty());
    assert!(index.typeahead("udvikler ", 10).unwrap().is_empty());
    // Company and place names complete too.
    assert_eq!(index.typeahead("købe", 10).unwrap(), vec!["københavn"]);
}

#[test]
fn suggests_corrections_when_nothing_is_found() {
    let (_dir, index) = open();
    let mut ads = Vec::new();
    for id in 1..=3 {
        ads.push(ad(id, AdLang::Da, "Sygeplejerske", "Afdeling"));
    }
    ads.push(ad(4, AdLang::En, "Software developer", "Backend"));
    ads.push(ad(5, AdLang::En, "Plumber", "Pipes"));
    index.apply(ads, &[], 1).unwrap();

    // Two letters wrong in a 5-letter word: beyond typo tolerance for a query, within reach
    // of a correction.
    let response = index.search(&query("plmbr")).unwrap();
    assert_eq!(response.total, 0);
    assert_eq!(response.suggestions, vec!["plumber"]);

    let response = index.search(&query("sofwar developr")).unwrap();
    assert_eq!(response.suggestions, vec!["software developer"]);

    // Correctly spelt words that just find nothing together get no suggestion.
    let response = index.search(&query("sygeplejerske backend")).unwrap();
    assert_eq!(response.total, 0);
    assert!(response.suggestions.is_empty());

    // A suggestion must find ads with the same filters.
    let response = index
        .search(&SearchRequest {
            municipalities: vec!["999".into()],
            ..query("plmbr")
        })
        .unwrap();
    assert!(response.suggestions.is_empty());

    // Found through typo tolerance: results, and the correction offered.
    for misspelt in ["sygeplejeske", "sgeplejrske"] {
        let response = index.search(&query(misspelt)).unwrap();
        assert_eq!(response.total, 3);
        assert_eq!(response.suggestions, vec!["sygeplejerske"]);
    }
}

#[test]
fn snippets_mark_matches_and_escape_html() {
    let (_dir, index) = open();
    index
        .apply(
            vec![ad(1, AdLang::Da, "Udvikler", "Vi søger udviklere")],
            &[],
            1,
        )
        .unwrap();
    let highlighter = index.highlighter("udvikler <script>").unwrap();
    let text = "Om jobbet: <b>Vi</b> søger to udviklere & en tester til \"Team\".";
    let snippet = highlighter.snippet(AdLang::Da, text, 200);
    assert_eq!(
        snippet,
        "Om jobbet: &lt;b&gt;Vi&lt;/b&gt; søger to <mark>udviklere</mark> &amp; en tester til \
         &quot;Team&quot;."
    );
    assert!(!snippet.contains("<script>"));
    // Nothing else is marked and the text is kept as it is.
    let plain = highlighter.snippet(AdLang::Da, "Ingen match her", 200);
    assert_eq!(plain, "Ingen match her");
}

#[test]
fn snippets_show_the_passage_with_the_matches() {
    let (_dir, index) = open();
    index
        .apply(
            vec![ad(1, AdLang::En, "Nurse", "Caring for patients")],
            &[],
            1,
        )
        .unwrap();
    let filler = "Lorem ipsum dolor sit amet. ".repeat(20);
    let text = format!("{filler}We need a nurse for night shifts. {filler}");
    let snippet = index
        .highlighter("nurses")
        .unwrap()
        .snippet(AdLang::En, &text, 80);
    assert!(snippet.starts_with('…'), "{snippet}");
    assert!(snippet.ends_with('…'), "{snippet}");
    assert!(
        snippet.contains("a <mark>nurse</mark> for night shifts"),
        "{snippet}"
    );
    assert!(
        snippet.chars().count() <= 80 + 2 + "<mark></mark>".len(),
        "{snippet}"
    );
}

#[test]
fn snippets_mark_typo_matches() {
    let (_dir, index) = open();
    index
        .apply(
            vec![ad(1, AdLang::En, "Developer", "Backend developer wanted")],
            &[],
            1,
        )
        .unwrap();
    let snippet =
        index
            .highlighter("develper")
            .unwrap()
            .snippet(AdLang::En, "Backend developer wanted", 100);
    assert_eq!(snippet, "Backend <mark>developer</mark> wanted");
}

#[test]
fn edit_distance_counts_swaps_as_one() {
    use super::highlight::edit_distance;
    assert_eq!(edit_distance("udvikler", "udvikler"), 0);
    assert_eq!(edit_distance("develper", "developer"), 1);
    assert_eq!(edit_distance("sgeplejrske", "sygeplejerske"), 2);
    assert_eq!(edit_distance("ab", "ba"), 1);
    assert_eq!(edit_distance("", "abc"), 3);
}

#[test]
fn a_repeated_search_sees_changes_applied_in_between() {
    let (_dir, index) = open();
    index
        .apply(vec![ad(1, AdLang::En, "Baker", "Bread")], &[], 1)
        .unwrap();
    let request = SearchRequest {
        facets: true,
        ..query("baker")
    };
    assert_eq!(index.search(&request).unwrap().total, 1);
    assert_eq!(index.search(&request).unwrap().total, 1);
    index
        .apply(vec![ad(2, AdLang::En, "Baker", "Cakes")], &[], 2)
        .unwrap();
    assert_eq!(index.search(&request).unwrap().total, 2);
    index.apply(Vec::new(), &[1, 2], 3).unwrap();
    assert_eq!(index.search(&request).unwrap().total, 0);
}

#[test]
fn the_stem_cache_does_not_change_tokens() {
    let text = "Udviklere udvikler udviklingen; developers developing; utvecklare utvecklarna \
                udviklere UDVIKLERE";
    for lang in AdLang::ALL {
        let tokens = |mut analyzer: tantivy::tokenizer::TextAnalyzer| {
            let mut stream = analyzer.token_stream(text);
            let mut tokens = Vec::new();
            while let Some(token) = stream.next() {
                tokens.push((token.text.clone(), token.offset_from, token.offset_to));
            }
            tokens
        };
        assert_eq!(
            tokens(schema::indexing_analyzer(lang)),
            tokens(schema::stemming_analyzer(lang))
        );
    }
}

/// Many ads sharing one word, with few distinct lengths (so that many scores tie, as in real
/// ads of similar length), the word in some titles, spread over several segments, with deleted
/// and replaced ads among them.
fn paging_index() -> (tempfile::TempDir, SearchIndex) {
    let (dir, index) = open();
    let places = ["101", "751", "461"];
    let types = ["permanent", "temporary", "student"];
    for batch in 0..4_i64 {
        let ads = (batch * 300 + 1..=batch * 300 + 300)
            .map(|id| {
                let padding = "opgaver ".repeat((id % 7) as usize * 3);
                let title = if id % 11 == 0 {
                    "Team lead"
                } else {
                    "Udvikler"
                };
                let lang = [AdLang::Da, AdLang::En, AdLang::Sv][(id % 3) as usize];
                let mut ad = ad(
                    id,
                    lang,
                    title,
                    &format!("Vi søger en kollega til vores team. {padding}"),
                );
                ad.municipality_code = places[(id % 3) as usize].to_string();
                ad.employment_type = types[(id % 5 % 3) as usize].to_string();
                ad.deadline = (id % 4 != 0).then_some(NOW + (id % 13) * DAY);
                ad.published_at = NOW - (id % 17) * DAY;
                ad
            })
            .collect();
        index.apply(ads, &[], batch + 1).unwrap();
    }
    let replaced = (1..=40)
        .map(|id| ad(id * 23, AdLang::Da, "Team", "Et team."))
        .collect();
    index
        .apply(replaced, &(1..=30).map(|id| id * 37).collect::<Vec<_>>(), 5)
        .unwrap();
    let segments = index.inner.reader.searcher().segment_readers().len();
    assert!(segments > 1, "{segments} segment(s)");
    (dir, index)
}

#[test]
fn deep_pages_cut_from_a_window_equal_pages_computed_alone() {
    let (_dir, index) = paging_index();
    let searcher = index.inner.reader.searcher();
    let filtered = |q: &str| SearchRequest {
        municipalities: vec!["751".into()],
        employment_types: vec!["permanent".into(), "student".into()],
        ..query(q)
    };
    let mut compared = 0;
    for base in [
        query("team"),
        query("team udvikler"),
        query("kollega"),
        query("tean"),
        query(""),
        filtered("team"),
        filtered(""),
        query("nothing-like-this"),
    ] {
        for sort in [Sort::Relevance, Sort::Newest, Sort::Deadline] {
            for facets in [false, true] {
                // Twice: the first pages of a window compute it, the rest are cut from it.
                for (offset, limit) in [
                    (0, 20),
                    (99, 20),
                    (100, 20),
                    (137, 13),
                    (640, 100),
                    (990, 20),
                    (1000, 1),
                    (1150, 20),
                    (1190, 100),
                ]
                .iter()
                .cycle()
                .take(18)
                {
                    let request = SearchRequest {
                        sort,
                        offset: *offset,
                        limit: *limit,
                        facets,
                        ..base.clone()
                    };
                    let served = index.search(&request).unwrap();
                    let alone = index.search_with(&searcher, &request).unwrap();
                    assert_eq!(served, alone, "{request:?}");
                    compared += usize::from(!served.hits.is_empty());
                }
            }
        }
    }
    assert!(compared > 200, "only {compared} non-empty pages compared");
    // A deep page is served from its window, which stays cached.
    let deep = SearchRequest {
        offset: 1150,
        ..query("team")
    };
    let window = page_window(&deep).unwrap();
    assert_eq!((window.offset, window.limit), (0, 2_000));
    index.search(&deep).unwrap();
    // (Background merges may have moved the reader on since `searcher` was taken.)
    let generation = index.inner.reader.searcher().generation().generation_id();
    assert!(index.cache().get(generation, &window).is_some());
    assert_eq!(page_window(&query("team")), None);
}

#[test]
fn deep_pages_continue_the_first_pages_exactly() {
    let (_dir, index) = paging_index();
    let everything = index
        .search(&SearchRequest {
            limit: MAX_LIMIT,
            ..query("team")
        })
        .unwrap();
    assert!(everything.total > 1_000, "{}", everything.total);
    let mut paged = Vec::new();
    let mut offset = 0;
    while offset < everything.total {
        let page = index
            .search(&SearchRequest {
                offset,
                limit: 37,
                ..query("team")
            })
            .unwrap();
        assert_eq!(page.total, everything.total);
        paged.extend(page.hits);
        offset += 37;
    }
    assert_eq!(paged.len(), everything.total);
    assert_eq!(paged[..MAX_LIMIT], everything.hits[..]);
    for pair in paged.windows(2) {
        assert!(pair[0].score >= pair[1].score, "{pair:?}");
    }
    let mut unique: Vec<i64> = paged.iter().map(|hit| hit.id).collect();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        everything.total,
        "an ad on two pages, or none"
    );
    let beyond = index
        .search(&SearchRequest {
            offset: everything.total,
            ..query("team")
        })
        .unwrap();
    assert_eq!((beyond.total, beyond.hits.len()), (everything.total, 0));
}
