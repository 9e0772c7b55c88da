//! Ad page throughput benchmark (not a test): the real server on loopback (SQLite, or
//! PostgreSQL with JOBBOARD_BENCH_PG), 20 published ads, and 16 concurrent clients asking for
//! ad pages as fast as they can, in alternating rounds: **with counting** (a browser's
//! User-Agent, so each view goes into the in-memory ad statistics, flushed every 5 s by the
//! background task as in production) and **without counting** (no User-Agent, which the bot
//! rule leaves out; everything else is the same). Prints the median requests per second of
//! each and the difference; the target is under 10 %. Alternating short rounds and medians keep
//! a busy machine's drift out of the comparison.
//!
//! `cargo bench --bench ad_page`; environment: JOBBOARD_BENCH_PG (a PostgreSQL admin URL, e.g.
//! postgres://postgres@127.0.0.1:5432/postgres; optional), JOBBOARD_BENCH_SECONDS (per round,
//! default 3), JOBBOARD_BENCH_ROUNDS (rounds of each, default 7), JOBBOARD_BENCH_CLIENTS
//! (default 16). See docs/PERFORMANCE.md.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use jobboard::{
    accounts::store as accounts,
    ads::{
        domain::{
            AdContent, AdLanguage, ApplyMethod, Currency, EmploymentType, Remote, SalaryPeriod,
            WorkingTime,
        },
        lifecycle,
    },
    config::Config,
    domain::Role,
    i18n::Lang,
    state::AppState,
};
use tokio_util::sync::CancellationToken;

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

fn env_number(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(database_url: &str, dir: &std::path::Path, addr: std::net::SocketAddr) -> Config {
    let vars: HashMap<String, String> = [
        ("DATABASE_URL", database_url.to_string()),
        ("JOBBOARD_DATA_DIR", dir.display().to_string()),
        ("JOBBOARD_ADDR", addr.to_string()),
        ("JOBBOARD_BASE_URL", format!("http://{addr}")),
        ("JOBBOARD_MASTER_KEY", "5e".repeat(32)),
        ("JOBBOARD_LOCAL_MAILBOX", "on".into()),
        ("JOBBOARD_CONTROLLER_NAME", "Bench ApS".into()),
        (
            "JOBBOARD_CONTROLLER_ADDRESS",
            "Benchvej 1, 8000 Aarhus C".into(),
        ),
        ("JOBBOARD_CONTROLLER_CVR", "10150817".into()),
        ("JOBBOARD_CONTROLLER_EMAIL", "privacy@bench.example".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Config::from_map(vars).expect("config")
}

fn content(i: usize) -> AdContent {
    AdContent {
        lang: AdLanguage::Da,
        title: format!("Udvikler nummer {i}"),
        description: "Vi søger en **udvikler** til vores team.\n\n- Gode kolleger\n- Frihed \
                      under ansvar\n- Frokostordning"
            .into(),
        municipality_code: "751".into(),
        street_address: None,
        remote: Remote::No,
        occupation_id: "software-developer".into(),
        employment_type: EmploymentType::Permanent,
        working_time: WorkingTime::Full,
        hours_per_week: None,
        salary_min: 40000,
        salary_max: 50000,
        salary_period: SalaryPeriod::Month,
        salary_currency: Currency::Dkk,
        deadline: None,
        start_date: None,
        contact_name: Some("Kirsten Kontakt".into()),
        contact_email: Some("kirsten@bench.example.com".into()),
        contact_phone: None,
        apply_method: ApplyMethod::Site,
        apply_url: None,
        apply_email: None,
    }
}

async fn setup(state: &AppState) -> Vec<i64> {
    let mut tx = state.db.begin().await.unwrap();
    let user = accounts::insert_user(
        &mut tx,
        &accounts::NewUser {
            email: "bench@example.com",
            password_hash: "x",
            name: "Bench",
            role: Role::Employer,
            lang: "da",
            verified: true,
        },
    )
    .await
    .unwrap();
    let company = accounts::insert_company(&mut tx, "Bench ApS", "24256790", user)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let operator = jobboard::accounts::cli::create_operator(
        &state.db,
        "ops@bench.example.com",
        "bench-password",
    )
    .await
    .unwrap();
    let mut ads = Vec::new();
    for i in 0..20 {
        let id = lifecycle::create_draft(state, company, user, &content(i))
            .await
            .unwrap();
        lifecycle::submit(state, Lang::En.tr(), id, company)
            .await
            .unwrap();
        lifecycle::approve(state, id, operator).await.unwrap();
        ads.push(id);
    }
    ads
}

/// Requests per second for `seconds`, from `clients` concurrent clients.
async fn round(base: &str, ads: &[i64], agent: Option<&str>, clients: u64, seconds: u64) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let mut builder = reqwest::Client::builder().pool_max_idle_per_host(4);
        if let Some(agent) = agent {
            builder = builder.user_agent(agent);
        }
        let client = builder.build().unwrap();
        let urls: Vec<String> = ads.iter().map(|id| format!("{base}/jobs/{id}")).collect();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = c as usize;
            while Instant::now() < until {
                let response = client.get(&urls[i % urls.len()]).send().await.unwrap();
                assert!(response.status().is_success());
                response.bytes().await.unwrap();
                done.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / seconds as f64
}

async fn measure(name: &str, database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = jobboard::app::prepare(config(database_url, dir.path(), addr))
        .await
        .expect("prepare");
    let ads = setup(&state).await;
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(jobboard::app::serve(
        state.clone(),
        listener,
        shutdown.clone(),
    ));
    let base = format!("http://{addr}");
    let seconds = env_number("JOBBOARD_BENCH_SECONDS", 3);
    let rounds = env_number("JOBBOARD_BENCH_ROUNDS", 7);
    let clients = env_number("JOBBOARD_BENCH_CLIENTS", 16);
    // Warm up (connections, caches, the page template).
    round(&base, &ads, None, clients, 1).await;
    let (mut with, mut without) = (Vec::new(), Vec::new());
    // Which goes first alternates too, so that neither always follows a flush or a pause.
    for r in 0..rounds {
        if r % 2 == 0 {
            with.push(round(&base, &ads, Some(BROWSER), clients, seconds).await);
            without.push(round(&base, &ads, None, clients, seconds).await);
        } else {
            without.push(round(&base, &ads, None, clients, seconds).await);
            with.push(round(&base, &ads, Some(BROWSER), clients, seconds).await);
        }
    }
    let median = |v: &mut [f64]| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (with, without) = (median(&mut with), median(&mut without));
    jobboard::ads::statistics::flush(&state).await.unwrap();
    shutdown.cancel();
    server.await.unwrap().unwrap();
    println!(
        "{name}: {clients} clients, {rounds} alternating rounds of {seconds} s each, medians: \
         with counting {with:.0} req/s, without {without:.0} req/s, difference {:+.1} %",
        (with - without) / without * 100.0
    );
}

/// The cost of counting alone: a million views into a fresh tally, from one thread.
fn counting_alone() {
    let tally = jobboard::web::tally::AdTally::default();
    let started = Instant::now();
    for i in 0..1_000_000_i64 {
        tally.count(i % 20, jobboard::web::tally::AdEvent::PageView);
    }
    let per_count = started.elapsed().as_nanos() as f64 / 1_000_000.0;
    let counted: i64 = tally.take().iter().map(|c| c.counts[0]).sum();
    assert_eq!(counted, 1_000_000);
    println!("counting alone: {per_count:.0} ns per view (1,000,000 views, one thread)");
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    counting_alone();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}/bench.db", dir.path().display());
    measure("SQLite", &sqlite).await;
    if let Ok(admin) = std::env::var("JOBBOARD_BENCH_PG") {
        use sqlx::Connection;
        let mut connection = sqlx::PgConnection::connect(&admin)
            .await
            .expect("PostgreSQL");
        let name = "jobboard_bench_ad_page";
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut connection)
                .await
                .unwrap();
        }
        let mut url = url::Url::parse(&admin).unwrap();
        url.set_path(&format!("/{name}"));
        measure("PostgreSQL", url.as_str()).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut connection)
        .await
        .unwrap();
    }
}
