//! Retention benchmark (not a test): seeds N job seekers (default 1,000,000), each with a profile,
//! an application, a job alert and its consent record, of whom 10 % are past the
//! `seeker-inactive` deadline (warned a month before, as a daily run would have done); serves
//! the portal on loopback and sends it a steady load of page and search requests; measures their
//! latency before and during one retention run, and the run itself. Then, at a smaller size, the
//! same data erased one person per transaction (the per-person erasure the batches replaced),
//! through the same privacy-centre sections. On SQLite, and on PostgreSQL when
//! JOBBOARD_BENCH_PG is set. See docs/PERFORMANCE.md.
//!
//!   cargo bench --bench retention
//!
//! Environment: JOBBOARD_BENCH_SEEKERS (default 1000000), JOBBOARD_BENCH_COMPARE_SEEKERS
//! (default 20000; 0 skips the comparison), JOBBOARD_BENCH_PG (an admin URL, e.g.
//! postgres://postgres@127.0.0.1:5432/postgres: a database is created and dropped),
//! JOBBOARD_BENCH_RATE (requests per second of the load, default 100), JOBBOARD_BENCH_IDLE_SECONDS
//! (the load before the run, default 20), JOBBOARD_BENCH_SQLITE=0 (PostgreSQL only).

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use jobboard::{
    config::Config,
    db::{Db, Tx, now},
    db_run,
    demo::DemoOptions,
    privacy::{
        erasure::{self, Via},
        registry::Rule,
        sections::Subject,
    },
    retention::sweeper::{self, Outcome},
    state::AppState,
};
use time::OffsetDateTime;

/// Tables the seekers' data lives in; rows removed from them are the run's rows.
const TABLES: [&str; 8] = [
    "users",
    "seeker_profiles",
    "applications",
    "job_alerts",
    "marketing_consents",
    "retention_warnings",
    "outbox",
    "erasure_records",
];

fn env_number(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let seekers = env_number("JOBBOARD_BENCH_SEEKERS", 1_000_000);
    let compare = env_number("JOBBOARD_BENCH_COMPARE_SEEKERS", 20_000);
    let pg_admin = std::env::var("JOBBOARD_BENCH_PG")
        .ok()
        .filter(|v| !v.is_empty());
    println!(
        "== machine: {} cores, {}, {} (load average {})",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| m.lines().next().and_then(|l| l
                .split_whitespace()
                .nth(1)?
                .parse::<u64>()
                .ok()))
            .map_or("? GiB".into(), |kb| format!("{} GiB", kb / 1_048_576)),
        OffsetDateTime::now_utc().date(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    );
    let mut backends = Vec::new();
    if env_number("JOBBOARD_BENCH_SQLITE", 1) != 0 {
        backends.push(Backend::Sqlite);
    }
    if let Some(admin) = pg_admin {
        backends.push(Backend::Postgres(admin));
    } else {
        println!("   (JOBBOARD_BENCH_PG unset: SQLite only)");
    }
    for backend in &backends {
        under_load(backend, seekers).await;
        if compare > 0 {
            batches_against_one_by_one(backend, compare).await;
        }
    }
}

#[derive(Clone)]
enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }
}

/// A fresh portal on its own data dir and database, removed on drop.
struct Portal {
    state: AppState,
    base: String,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
    server: tokio::task::JoinHandle<()>,
}

impl Portal {
    async fn start(backend: &Backend) -> Portal {
        let dir = tempfile::Builder::new()
            .prefix("jobboard-bench-retention.")
            .tempdir_in("/var/tmp")
            .expect("temp dir");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (database_url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}/jobboard.db", dir.path().display()),
                None,
            ),
            Backend::Postgres(admin) => {
                let name = format!("jobboard_bench_retention_{}", std::process::id());
                let pool = sqlx::PgPool::connect(admin)
                    .await
                    .expect("PostgreSQL admin");
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&pool)
                .await
                .expect("drop");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await
                    .expect("create");
                pool.close().await;
                let mut url = url::Url::parse(admin).expect("JOBBOARD_BENCH_PG is a URL");
                url.set_path(&format!("/{name}"));
                (url.to_string(), Some((admin.clone(), name)))
            }
        };
        let vars: HashMap<String, String> = [
            ("JOBBOARD_ADDR", addr.to_string()),
            ("JOBBOARD_BASE_URL", format!("http://{addr}")),
            ("JOBBOARD_DATA_DIR", dir.path().display().to_string()),
            ("DATABASE_URL", database_url),
            ("JOBBOARD_MASTER_KEY", "5e".repeat(32)),
            ("JOBBOARD_RETENTION_INTERVAL_HOURS", "0".into()),
            ("JOBBOARD_API_RATE", "0".into()),
            // PostgreSQL is production mode, which needs the data controller named.
            ("JOBBOARD_CONTROLLER_NAME", "jobboard benchmark".into()),
            ("JOBBOARD_CONTROLLER_ADDRESS", "Benchmark".into()),
            ("JOBBOARD_CONTROLLER_CVR", "10150817".into()),
            (
                "JOBBOARD_CONTROLLER_EMAIL",
                "bench@jobboard.localhost".into(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let config = Config::from_map(vars).expect("config");
        let state = jobboard::app::prepare(config).await.expect("prepare");
        // The pages and the API as `serve` answers them; the background workers stay off, so
        // the only work besides the requests is the retention run.
        let app = jobboard::app::router(state.clone())
            .into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Portal {
            state,
            base: format!("http://{addr}"),
            _dir: dir,
            pg,
            server,
        }
    }

    async fn stop(self) {
        self.server.abort();
        self.state.db.close().await;
        if let Some((admin, name)) = &self.pg
            && let Ok(pool) = sqlx::PgPool::connect(admin).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&pool)
            .await;
        }
    }
}

// --- Seeding -----------------------------------------------------------------------------------

enum V {
    I(i64),
    S(String),
    T(OffsetDateTime),
    B(bool),
}

/// Inserts `rows` with multi-row INSERT statements (prepared once per shape, in the caller's
/// transaction), returning `returning` of each row if asked.
async fn insert(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<V>>,
    returning: Option<&str>,
) -> Vec<i64> {
    if let Tx::Postgres(t) = tx {
        return insert_arrays(t, table, columns, rows, returning).await;
    }
    // SQLite binds numbered parameters more slowly the more a statement has: a few hundred
    // rows a statement are faster there than thousands, and just as fast on PostgreSQL.
    let per_statement = 2_000 / columns.len();
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<V>> = rows.by_ref().take(per_statement).collect();
        let values = (0..chunk.len())
            .map(|r| {
                let list = (1..=columns.len())
                    .map(|c| format!("${}", r * columns.len() + c))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("({list})")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = format!(
            "INSERT INTO {table} ({}) VALUES {values}",
            columns.join(", ")
        );
        if let Some(column) = returning {
            sql.push_str(&format!(" RETURNING {column}"));
        }
        let ids: Vec<i64> = db_run!(tx tx, |c| {
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for row in &chunk {
                for value in row {
                    query = match value {
                        V::I(v) => query.bind(*v),
                        V::S(v) => query.bind(v.as_str()),
                        V::T(v) => query.bind(*v),
                        V::B(v) => query.bind(*v),
                    };
                }
            }
            query.fetch_all(&mut *c).await
        })
        .expect("bulk insert");
        out.extend(ids);
    }
    out
}

/// PostgreSQL: one column array a parameter (`INSERT … SELECT FROM UNNEST`), tens of thousands of
/// rows a statement; planning multi-row VALUES with thousands of parameters is what made seeding
/// a million people take twenty minutes there.
async fn insert_arrays(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<V>>,
    returning: Option<&str>,
) -> Vec<i64> {
    enum Column {
        I(Vec<i64>),
        S(Vec<String>),
        T(Vec<OffsetDateTime>),
        B(Vec<bool>),
    }
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut arrays: Vec<Column> = Vec::new();
        for row in rows.by_ref().take(20_000) {
            if arrays.is_empty() {
                arrays = row
                    .iter()
                    .map(|v| match v {
                        V::I(_) => Column::I(Vec::new()),
                        V::S(_) => Column::S(Vec::new()),
                        V::T(_) => Column::T(Vec::new()),
                        V::B(_) => Column::B(Vec::new()),
                    })
                    .collect();
            }
            for (array, value) in arrays.iter_mut().zip(row) {
                match (array, value) {
                    (Column::I(a), V::I(v)) => a.push(v),
                    (Column::S(a), V::S(v)) => a.push(v),
                    (Column::T(a), V::T(v)) => a.push(v),
                    (Column::B(a), V::B(v)) => a.push(v),
                    _ => panic!("{table}: a column's values differ in type"),
                }
            }
        }
        let unnest = arrays
            .iter()
            .enumerate()
            .map(|(n, array)| {
                let kind = match array {
                    Column::I(_) => "bigint",
                    Column::S(_) => "text",
                    Column::T(_) => "timestamptz",
                    Column::B(_) => "boolean",
                };
                format!("${}::{kind}[]", n + 1)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = format!(
            "INSERT INTO {table} ({}) SELECT * FROM UNNEST({unnest})",
            columns.join(", ")
        );
        if let Some(column) = returning {
            sql.push_str(&format!(" RETURNING {column}"));
        }
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        for array in arrays {
            query = match array {
                Column::I(a) => query.bind(a),
                Column::S(a) => query.bind(a),
                Column::T(a) => query.bind(a),
                Column::B(a) => query.bind(a),
            };
        }
        let ids: Vec<i64> = query.fetch_all(&mut **tx).await.expect("bulk insert");
        out.extend(ids);
    }
    out
}

struct Seeded {
    due: u64,
    as_of: OffsetDateTime,
}

/// Ads to apply to and search (the demo generator, indexed), then the seekers in one
/// transaction of multi-row inserts.
async fn seed(state: &AppState, seekers: u64) -> Seeded {
    let started = Instant::now();
    jobboard::demo::fill_and_index(
        state,
        DemoOptions {
            companies: 200,
            ads: 2_000,
            seekers: 0,
            seed: 7,
        },
    )
    .await
    .expect("demo ads");
    let ads: Vec<(i64, i64)> = db_run!(pool & state.db, |p| sqlx::query_as(
        "SELECT id, company_id FROM ads WHERE state = 'published' ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .expect("ads");
    assert!(!ads.is_empty(), "the demo made no published ads");
    println!(
        "   demo companies and ads, indexed: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let as_of = now();
    let day = time::Duration::days(1);
    let mut due = 0;
    let mut tx = state.db.begin().await.expect("begin");
    // In slices, so that the rows of a slice are built just before they are inserted.
    let slice = 100_000;
    let mut first = 0;
    while first < seekers {
        let last = (first + slice).min(seekers);
        let people: Vec<(u64, OffsetDateTime, OffsetDateTime)> = (first..last)
            .map(|i| {
                let login = if i % 10 == 0 {
                    // Past the deadline (a year and a month or more without a login).
                    as_of - time::Duration::days(396 + (i % 60) as i64)
                } else {
                    // Active: the last login up to 170 days ago, when they applied.
                    as_of - time::Duration::days(1 + (i % 170) as i64)
                };
                (i, login, login - day * 60)
            })
            .collect();
        due += people.iter().filter(|(i, ..)| i % 10 == 0).count() as u64;
        let users: Vec<Vec<V>> = people
            .iter()
            .map(|(i, login, created)| {
                vec![
                    V::S(format!("seeker{i}@bench.example")),
                    V::S("bench: not a password hash".into()),
                    V::S(format!("Seeker Number{i}")),
                    V::S("seeker".into()),
                    V::S(if i % 3 == 0 { "en" } else { "da" }.into()),
                    V::T(*created),
                    V::T(*login),
                    V::T(*created),
                    V::T(*login),
                ]
            })
            .collect();
        let ids = insert(
            &mut tx,
            "users",
            &[
                "email",
                "password_hash",
                "name",
                "role",
                "lang",
                "email_verified_at",
                "last_login_at",
                "created_at",
                "updated_at",
            ],
            users,
            Some("id"),
        )
        .await;
        let profiles = people
            .iter()
            .zip(&ids)
            .map(|((i, _, created), id)| {
                vec![
                    V::I(*id),
                    V::S(format!("Benchvej {i}, 8000 Aarhus C")),
                    V::S(format!("+45 {:08}", 20_000_000 + i)),
                    V::S("nurse".into()),
                    V::S("751".into()),
                    V::B(i % 2 == 0),
                    V::T(*created),
                ]
            })
            .collect();
        insert(
            &mut tx,
            "seeker_profiles",
            &[
                "user_id",
                "address",
                "phone",
                "interest_occupations",
                "interest_municipalities",
                "visible_to_employers",
                "updated_at",
            ],
            profiles,
            None,
        )
        .await;
        let applications = people
            .iter()
            .zip(&ids)
            .map(|((i, login, _), id)| {
                let (ad, company) = ads[*i as usize % ads.len()];
                vec![
                    V::I(ad),
                    V::I(company),
                    V::I(*id),
                    V::S(format!(
                        "Dear hiring team, I would like to apply. Seeker Number{i}"
                    )),
                    V::S("received".into()),
                    V::T(*login),
                    V::T(*login),
                    V::T(Rule::Applications.info().keep.after(*login)),
                ]
            })
            .collect();
        insert(
            &mut tx,
            "applications",
            &[
                "ad_id",
                "company_id",
                "seeker_id",
                "cover_letter",
                "status",
                "status_changed_at",
                "created_at",
                "delete_after",
            ],
            applications,
            None,
        )
        .await;
        let alerts = people
            .iter()
            .zip(&ids)
            .map(|((_, login, created), id)| {
                vec![
                    V::I(*id),
                    V::S("q=sygeplejerske&municipality=751".into()),
                    V::S("weekly".into()),
                    V::S("active".into()),
                    V::T(*login),
                    V::T(*login),
                    V::T(*created),
                    V::T(*created),
                ]
            })
            .collect();
        let alert_ids = insert(
            &mut tx,
            "job_alerts",
            &[
                "user_id",
                "query",
                "frequency",
                "status",
                "covered_until",
                "last_run_at",
                "created_at",
                "updated_at",
            ],
            alerts,
            Some("id"),
        )
        .await;
        let consents = people
            .iter()
            .zip(ids.iter().zip(&alert_ids))
            .map(|((i, _, created), (id, alert))| {
                vec![
                    V::S("job_alert".into()),
                    V::S("confirmed".into()),
                    V::S(format!("seeker{i}@bench.example")),
                    V::I(*id),
                    V::I(*alert),
                    V::S("Send me new jobs matching my search by e-mail.".into()),
                    V::S("0".repeat(64)),
                    V::S(jobboard::privacy::policy::POLICY_VERSION.into()),
                    V::S("da".into()),
                    V::S("bench".into()),
                    V::T(*created),
                ]
            })
            .collect();
        insert(
            &mut tx,
            "marketing_consents",
            &[
                "purpose",
                "action",
                "email",
                "user_id",
                "alert_id",
                "text_shown",
                "text_sha256",
                "policy_version",
                "lang",
                "source",
                "created_at",
            ],
            consents,
            None,
        )
        .await;
        // The warning the daily run sent a month before each deadline.
        let rule = Rule::SeekerInactive.info();
        let warnings = people
            .iter()
            .zip(&ids)
            .filter(|((i, ..), _)| i % 10 == 0)
            .map(|((_, login, _), id)| {
                let deadline = rule.keep.after(*login);
                vec![
                    V::S("seeker-inactive".into()),
                    V::I(*id),
                    V::T(*login),
                    V::T(rule.warn_before.expect("a warning").before(deadline)),
                    V::T(deadline),
                ]
            })
            .collect();
        insert(
            &mut tx,
            "retention_warnings",
            &["rule", "user_id", "activity_at", "warned_at", "due_at"],
            warnings,
            None,
        )
        .await;
        first = last;
    }
    tx.commit().await.expect("commit");
    db_run!(pool & state.db, |p| sqlx::query("ANALYZE")
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
    .expect("analyze");
    println!(
        "   seeded {seekers} seekers ({due} past the deadline), each with a profile, an application, \
         a job alert and its consent record, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Seeded { due, as_of }
}

async fn row_counts(db: &Db) -> Vec<i64> {
    let mut out = Vec::new();
    for table in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 = db_run!(pool db, |p| sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(p)
            .await)
        .expect("count");
        out.push(n);
    }
    out
}

/// Rows that left the tables between two counts.
fn removed(before: &[i64], after: &[i64]) -> i64 {
    before.iter().zip(after).map(|(b, a)| (b - a).max(0)).sum()
}

// --- Load --------------------------------------------------------------------------------------

/// The pages and searches a visitor asks for: the front page, the search page and the API with
/// a word, and job ads.
async fn load_paths(state: &AppState) -> Vec<String> {
    let ads: Vec<i64> = db_run!(pool & state.db, |p| sqlx::query_scalar(
        "SELECT id FROM ads WHERE state = 'published' ORDER BY id LIMIT 200"
    )
    .fetch_all(p)
    .await)
    .expect("ads");
    let words = [
        "sygeplejerske",
        "udvikler",
        "team",
        "erfaring",
        "developer",
        "nurse",
        "lager",
        "chauffør",
    ];
    let mut paths = Vec::new();
    for (i, ad) in ads.iter().enumerate() {
        let word = words[i % words.len()];
        paths.push(match i % 4 {
            0 => format!("/jobs?q={word}"),
            1 => format!("/api/v1/search?q={word}&offset={}", (i % 5) * 10),
            2 => format!("/jobs/{ad}"),
            _ => "/".to_string(),
        });
    }
    paths
}

/// Sends `rate` requests a second (spread over a few clients, each waiting for its answer)
/// until `stop`, and returns the sorted latencies and the number of failed requests.
async fn load(
    base: String,
    paths: Arc<Vec<String>>,
    rate: u64,
    stop: Arc<AtomicBool>,
) -> (Vec<Duration>, u64) {
    const CLIENTS: u64 = 4;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client");
    let failed = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (http, paths, stop, failed) =
            (http.clone(), paths.clone(), stop.clone(), failed.clone());
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut every =
                tokio::time::interval(Duration::from_micros(1_000_000 * CLIENTS / rate.max(1)));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut out = Vec::new();
            let mut n = client as usize;
            while !stop.load(Ordering::Relaxed) {
                every.tick().await;
                let path = &paths[n % paths.len()];
                n += CLIENTS as usize;
                let started = Instant::now();
                match http.get(format!("{base}{path}")).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        out.push(started.elapsed());
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            out
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("client"));
    }
    all.sort_unstable();
    (all, failed.load(Ordering::Relaxed))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

// --- Scenarios ---------------------------------------------------------------------------------

/// The sweep of N seekers while the load runs.
async fn under_load(backend: &Backend, seekers: u64) {
    println!(
        "\n== {}: {seekers} seekers, one run under load",
        backend.name()
    );
    let portal = Portal::start(backend).await;
    let seeded = seed(&portal.state, seekers).await;
    let paths = Arc::new(load_paths(&portal.state).await);
    let rate = env_number("JOBBOARD_BENCH_RATE", 100);
    let idle = env_number("JOBBOARD_BENCH_IDLE_SECONDS", 20);

    // Warm-up (caches, connections), then the load alone.
    let stop = Arc::new(AtomicBool::new(false));
    let warm = tokio::spawn(load(portal.base.clone(), paths.clone(), rate, stop.clone()));
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let _ = warm.await;
    let stop = Arc::new(AtomicBool::new(false));
    let before = {
        let base = portal.base.clone();
        let (paths, stop2) = (paths.clone(), stop.clone());
        let task = tokio::spawn(load(base, paths, rate, stop2));
        tokio::time::sleep(Duration::from_secs(idle)).await;
        stop.store(true, Ordering::Relaxed);
        task.await.expect("load")
    };

    // The run, with the same load.
    let counts = row_counts(&portal.state.db).await;
    let stop = Arc::new(AtomicBool::new(false));
    let during = {
        let base = portal.base.clone();
        let (paths, stop2) = (paths.clone(), stop.clone());
        tokio::spawn(load(base, paths, rate, stop2))
    };
    let started = Instant::now();
    let outcome = sweeper::run(&portal.state, Some(seeded.as_of), false)
        .await
        .expect("retention run");
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let during = during.await.expect("load");
    let Outcome::Done(report) = outcome else {
        panic!("the lease was taken");
    };
    let after = row_counts(&portal.state.db).await;
    let rows = removed(&counts, &after);
    let people = report.rules.get("seeker-inactive").map_or(0, |c| c.deleted);
    assert_eq!(people, seeded.due, "every person past the deadline erased");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    println!(
        "   run: {:.1} s for {people} people ({:.0} people/s); {rows} rows removed ({:.0} rows/s); \
         {} notices to companies queued",
        took.as_secs_f64(),
        people as f64 / took.as_secs_f64(),
        rows as f64 / took.as_secs_f64(),
        (after[6] - counts[6]).max(0),
    );
    for (name, (latencies, failed)) in [("before the run", &before), ("during the run", &during)] {
        println!(
            "   {name}: {} requests at {rate}/s, p50 {} ms, p99 {} ms, max {} ms, {failed} failed",
            latencies.len(),
            ms(percentile(latencies, 50.0)),
            ms(percentile(latencies, 99.0)),
            ms(latencies.last().copied().unwrap_or_default()),
        );
    }
    println!(
        "   p99 during / before: {:.2}",
        percentile(&during.0, 99.0).as_secs_f64()
            / percentile(&before.0, 99.0).as_secs_f64().max(1e-9)
    );
    let started = Instant::now();
    let forecast = sweeper::cached_forecast(&portal.state, 30)
        .await
        .expect("forecast");
    let first = started.elapsed();
    let started = Instant::now();
    sweeper::cached_forecast(&portal.state, 30)
        .await
        .expect("forecast");
    println!(
        "   the operators' 30-day forecast: computed in {:.1} s ({} people to warn), then served from its cache in {:.2} ms",
        first.as_secs_f64(),
        forecast
            .1
            .rules
            .get("seeker-inactive")
            .map_or(0, |c| c.warned),
        started.elapsed().as_secs_f64() * 1000.0
    );
    portal.stop().await;
}

/// Batches against one person per transaction, on the same data at a smaller size.
async fn batches_against_one_by_one(backend: &Backend, seekers: u64) {
    println!(
        "\n== {}: {seekers} seekers, batches against one person per transaction",
        backend.name()
    );
    let portal = Portal::start(backend).await;
    let seeded = seed(&portal.state, seekers).await;
    let started = Instant::now();
    let Outcome::Done(report) = sweeper::run(&portal.state, Some(seeded.as_of), false)
        .await
        .expect("run")
    else {
        panic!("lease");
    };
    let batched = started.elapsed();
    let people = report.rules.get("seeker-inactive").map_or(0, |c| c.deleted);
    assert_eq!(people, seeded.due);
    portal.stop().await;

    let portal = Portal::start(backend).await;
    let seeded = seed(&portal.state, seekers).await;
    let due: Vec<i64> = db_run!(pool & portal.state.db, |p| sqlx::query_scalar(
        "SELECT user_id FROM retention_warnings WHERE due_at <= $1 ORDER BY user_id"
    )
    .bind(seeded.as_of)
    .fetch_all(p)
    .await)
    .expect("due");
    let unsent_before = i64::MAX;
    let started = Instant::now();
    for user in &due {
        let subject = Subject::of_users(&portal.state.db, &[*user])
            .await
            .expect("subject")
            .pop()
            .expect("exists");
        erasure::erase(&portal.state, &subject, Via::Retention { unsent_before })
            .await
            .expect("erase");
    }
    let one_by_one = started.elapsed();
    println!(
        "   the whole run, batches of people: {:.1} s ({:.0} people/s)",
        batched.as_secs_f64(),
        people as f64 / batched.as_secs_f64()
    );
    println!(
        "   erasure alone, one person per transaction: {:.1} s ({:.0} people/s)",
        one_by_one.as_secs_f64(),
        due.len() as f64 / one_by_one.as_secs_f64()
    );
    portal.stop().await;
}
