//! Search benchmark (not a test): a realistic query mix over HTTP against a running portal,
//! and the same mix as PostgreSQL full-text queries (tsvector per ad in its language's
//! configuration, GIN index, the same filters) as the baseline a team would otherwise pick.
//! `scripts/bench.sh` prepares both and runs this; see docs/PERFORMANCE.md.
//!
//! Environment: JOBBOARD_BENCH_URL (portal base URL), JOBBOARD_BENCH_PG (PostgreSQL URL with
//! the same ads; optional), JOBBOARD_BENCH_SECONDS (throughput run length, default 10).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use jobboard::ads::taxonomy::taxonomy;
use sqlx::{PgPool, postgres::PgPoolOptions};

/// One kind of query in the mix. Each request takes the next variant (different words and
/// places), so neither side answers from a cache what a real mix would not repeat.
struct Case {
    name: &'static str,
    variants: Vec<(String, PgQuery)>,
}

#[derive(Clone)]
struct PgQuery {
    q: String,
    municipality: Option<String>,
    employment_type: Option<&'static str>,
    remote: Option<&'static str>,
    newest: bool,
    facets: bool,
    offset: i64,
    limit: i64,
}

fn pg(q: &str) -> PgQuery {
    PgQuery {
        q: q.to_string(),
        municipality: None,
        employment_type: None,
        remote: None,
        newest: false,
        facets: false,
        offset: 0,
        limit: 10,
    }
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn cases() -> Vec<Case> {
    let tax = taxonomy();
    // Single-word occupation labels, as people type them (lower case).
    let words: Vec<String> = tax
        .occupations
        .iter()
        .flat_map(|o| [o.da, o.en])
        .filter(|label| !label.contains(' ') && !label.contains('-') && label.len() > 4)
        .map(str::to_lowercase)
        .take(60)
        .collect();
    let pairs: Vec<String> = tax
        .occupations
        .iter()
        .map(|o| o.en.to_lowercase())
        .filter(|l| l.split(' ').count() == 2)
        .take(60)
        .collect();
    let places = ["101", "751", "461", "851", "147", "0180", "1480", "1280"];
    let common = ["team", "erfaring", "vores", "søger", "tilbyder", "arbejde"];
    let n = 48;
    vec![
        Case { name: "one term", variants: (0..n).map(|i| { let w = &words[i % words.len()]; (format!("q={}", encode(w)), pg(w)) }).collect() },
        Case { name: "two terms", variants: (0..n).map(|i| { let w = &pairs[i % pairs.len()]; (format!("q={}", encode(w)), pg(w)) }).collect() },
        Case {
            name: "term + municipality",
            variants: (0..n).map(|i| {
                let (w, m) = (&words[i % words.len()], places[i % places.len()]);
                (format!("q={}&municipality={m}", encode(w)), PgQuery { municipality: Some(m.into()), ..pg(w) })
            }).collect(),
        },
        Case {
            name: "term + employment type + remote",
            variants: (0..n).map(|i| {
                let w = &words[i % words.len()];
                let remote = ["hybrid", "no", "fully"][i % 3];
                (format!("q={}&employment-type=permanent&remote={remote}", encode(w)), PgQuery { employment_type: Some("permanent"), remote: Some(remote), ..pg(w) })
            }).collect(),
        },
        Case {
            name: "newest first",
            variants: (0..n).map(|i| {
                let m = places[i % places.len()];
                (format!("sort=newest&limit=20&municipality={m}"), PgQuery { newest: true, limit: 20, municipality: Some(m.into()), ..pg("") })
            }).collect(),
        },
        Case {
            name: "facet counts",
            variants: (0..n).map(|i| {
                let w = &words[i % words.len()];
                (format!("q={}&stats=municipality,region,occupation-field,employment-type,remote", encode(w)), PgQuery { facets: true, ..pg(w) })
            }).collect(),
        },
        Case {
            name: "deep paging",
            variants: (0..n).map(|i| {
                let w = common[i % common.len()];
                let offset = 1000 + 20 * (i as i64 % 50);
                (format!("q={}&offset={offset}&limit=20", encode(w)), PgQuery { offset, limit: 20, ..pg(w) })
            }).collect(),
        },
        Case { name: "very common term", variants: (0..n).map(|i| { let w = common[i % common.len()]; (format!("q={}", encode(w)), pg(w)) }).collect() },
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Runs `job` from `clients` tasks, `per_client` times each; returns sorted latencies.
async fn latencies<F, Fut>(clients: usize, per_client: usize, job: F) -> Vec<Duration>
where
    F: Fn() -> Fut + Send + Sync + 'static + Clone,
    Fut: std::future::Future<Output = ()> + Send,
{
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let job = job.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let started = Instant::now();
                job().await;
                out.push(started.elapsed());
            }
            out
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("client task"));
    }
    all.sort_unstable();
    all
}

const LANGS: [(&str, &str); 3] = [("da", "danish"), ("en", "english"), ("sv", "swedish")];

fn pg_match() -> String {
    LANGS
        .iter()
        .map(|(code, config)| {
            format!("(lang = '{code}' AND tsv @@ plainto_tsquery('{config}', $1))")
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

async fn pg_run(pool: &PgPool, q: &PgQuery) {
    let mut filters = Vec::new();
    if !q.q.is_empty() {
        filters.push(format!("({})", pg_match()));
    }
    if let Some(m) = &q.municipality {
        filters.push(format!("municipality_code = '{m}'"));
    }
    if let Some(e) = q.employment_type {
        filters.push(format!("employment_type = '{e}'"));
    }
    if let Some(r) = q.remote {
        filters.push(format!("remote = '{r}'"));
    }
    let filter = if filters.is_empty() {
        "TRUE".to_string()
    } else {
        filters.join(" AND ")
    };
    let rank = LANGS
        .iter()
        .map(|(code, config)| {
            format!("WHEN '{code}' THEN ts_rank(tsv, plainto_tsquery('{config}', $1))")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let order = if q.newest || q.q.is_empty() {
        "published_at DESC".to_string()
    } else {
        format!("CASE lang {rank} END DESC")
    };
    let hits = format!(
        "SELECT id FROM bench_fts WHERE {filter} ORDER BY {order} LIMIT {} OFFSET {}",
        q.limit, q.offset
    );
    let count = format!("SELECT COUNT(*) FROM bench_fts WHERE {filter}");
    let _: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(hits))
        .bind(&q.q)
        .fetch_all(pool)
        .await
        .expect("baseline hits");
    let _: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(count))
        .bind(&q.q)
        .fetch_one(pool)
        .await
        .expect("baseline count");
    if q.facets {
        for column in [
            "municipality_code",
            "region_code",
            "field_id",
            "employment_type",
            "remote",
        ] {
            let facet = format!(
                "SELECT {column}, COUNT(*) FROM bench_fts WHERE {filter} GROUP BY {column} ORDER BY 2 DESC"
            );
            let _: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(facet))
                .bind(&q.q)
                .fetch_all(pool)
                .await
                .expect("baseline facet");
        }
    }
}

/// Builds the baseline table from the portal's own tables in the same database.
async fn prepare_baseline(pool: &PgPool) {
    let exists: Option<(i64,)> =
        sqlx::query_as("SELECT 1::bigint FROM pg_tables WHERE tablename = 'bench_fts'")
            .fetch_optional(pool)
            .await
            .unwrap();
    if exists.is_some() {
        return;
    }
    eprintln!("building the PostgreSQL baseline (tsvector per ad, GIN index)…");
    let started = Instant::now();
    sqlx::query("CREATE TABLE bench_places (code TEXT PRIMARY KEY, region_code TEXT)")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE bench_occupations (id TEXT PRIMARY KEY, field_id TEXT)")
        .execute(pool)
        .await
        .unwrap();
    let tax = taxonomy();
    for m in &tax.municipalities {
        sqlx::query("INSERT INTO bench_places VALUES ($1, $2)")
            .bind(m.code)
            .bind(m.region_code)
            .execute(pool)
            .await
            .unwrap();
    }
    for o in &tax.occupations {
        sqlx::query("INSERT INTO bench_occupations VALUES ($1, $2)")
            .bind(o.id)
            .bind(o.field_id)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "CREATE TABLE bench_fts AS SELECT a.id, r.lang, r.municipality_code, p.region_code, o.field_id, \
         r.employment_type, r.remote, a.published_at, \
         to_tsvector(CASE r.lang WHEN 'da' THEN 'danish'::regconfig WHEN 'sv' THEN 'swedish'::regconfig ELSE 'english'::regconfig END, \
                     r.title || ' ' || r.description || ' ' || c.name) AS tsv \
         FROM ads a JOIN ad_revisions r ON r.id = a.live_revision_id JOIN companies c ON c.id = a.company_id \
         JOIN bench_places p ON p.code = r.municipality_code JOIN bench_occupations o ON o.id = r.occupation_id \
         WHERE a.state = 'published'",
    )
    .execute(pool)
    .await
    .unwrap();
    for index in [
        "CREATE INDEX bench_fts_tsv ON bench_fts USING GIN (tsv)",
        "CREATE INDEX bench_fts_published ON bench_fts (published_at DESC)",
        "CREATE INDEX bench_fts_municipality ON bench_fts (municipality_code)",
        "CREATE INDEX bench_fts_type ON bench_fts (employment_type, remote)",
        "ANALYZE bench_fts",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(index))
            .execute(pool)
            .await
            .unwrap();
    }
    eprintln!("baseline ready in {:.1} s", started.elapsed().as_secs_f64());
}

#[tokio::main]
async fn main() {
    let base =
        std::env::var("JOBBOARD_BENCH_URL").unwrap_or_else(|_| "http://127.0.0.1:8099".into());
    let seconds: u64 = std::env::var("JOBBOARD_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()
        .unwrap();
    let cases = cases();

    // Warm up once per kind (loads index pages into the page cache); the measured requests
    // then use other variants than the warm-up did.
    for case in &cases {
        let (api, _) = &case.variants[case.variants.len() - 1];
        let r = http
            .get(format!("{base}/api/v1/search?{api}"))
            .send()
            .await
            .expect("portal answers");
        assert!(r.status().is_success(), "{}: {}", case.name, r.status());
        let _ = r.bytes().await;
    }

    let pg = match std::env::var("JOBBOARD_BENCH_PG") {
        Ok(url) => {
            let pool = PgPoolOptions::new()
                .max_connections(64)
                .connect(&url)
                .await
                .expect("baseline database");
            prepare_baseline(&pool).await;
            for case in &cases {
                pg_run(&pool, &case.variants[case.variants.len() - 1].1).await;
            }
            Some(pool)
        }
        Err(_) => None,
    };

    println!(
        "| query | jobboard p50 ms | jobboard p99 ms | PostgreSQL p50 ms | PostgreSQL p99 ms | speed-up (p50) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut ratios = Vec::new();
    for case in &cases {
        let urls: Arc<Vec<String>> = Arc::new(
            case.variants
                .iter()
                .map(|(api, _)| format!("{base}/api/v1/search?{api}"))
                .collect(),
        );
        let next = Arc::new(AtomicU64::new(0));
        let client = http.clone();
        let ours = latencies(4, 100, move || {
            let client = client.clone();
            let url = urls[next.fetch_add(1, Ordering::Relaxed) as usize % urls.len()].clone();
            async move {
                let r = client.get(&url).send().await.expect("request");
                let _ = r.bytes().await;
            }
        })
        .await;
        let (pg50, pg99) = match &pg {
            Some(pool) => {
                let pool = pool.clone();
                let queries: Arc<Vec<PgQuery>> =
                    Arc::new(case.variants.iter().map(|(_, q)| q.clone()).collect());
                let next = Arc::new(AtomicU64::new(0));
                let theirs = latencies(4, 10, move || {
                    let pool = pool.clone();
                    let q = queries[next.fetch_add(1, Ordering::Relaxed) as usize % queries.len()]
                        .clone();
                    async move { pg_run(&pool, &q).await }
                })
                .await;
                (
                    Some(percentile(&theirs, 50.0)),
                    Some(percentile(&theirs, 99.0)),
                )
            }
            None => (None, None),
        };
        let p50 = percentile(&ours, 50.0);
        let ratio = pg50.map(|t| t.as_secs_f64() / p50.as_secs_f64().max(1e-6));
        if let Some(r) = ratio {
            ratios.push(r);
        }
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            case.name,
            ms(p50),
            ms(percentile(&ours, 99.0)),
            pg50.map(ms).unwrap_or("–".into()),
            pg99.map(ms).unwrap_or("–".into()),
            ratio.map(|r| format!("{r:.0}×")).unwrap_or("–".into())
        );
    }
    if !ratios.is_empty() {
        let geo = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
        println!("\nGeometric mean speed-up over PostgreSQL full-text search: {geo:.0}×");
    }

    // Throughput: 64 connections running the mix for a fixed time.
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // Interleave the kinds, each with all its variants.
    let mut mix = Vec::new();
    for i in 0..cases[0].variants.len() {
        for case in &cases {
            mix.push(format!(
                "{base}/api/v1/search?{}",
                case.variants[i % case.variants.len()].0
            ));
        }
    }
    let urls: Arc<Vec<String>> = Arc::new(mix);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..64 {
        let (http, done, failed, stop, urls) = (
            http.clone(),
            done.clone(),
            failed.clone(),
            stop.clone(),
            urls.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = worker;
            while !stop.load(Ordering::Relaxed) {
                let url = &urls[i % urls.len()];
                match http.get(url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                i += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "\nThroughput at 64 connections, mixed queries: {:.0} searches/s ({} failed) over {:.0} s",
        done.load(Ordering::Relaxed) as f64 / elapsed,
        failed.load(Ordering::Relaxed),
        elapsed
    );
}
