//! Invoice issuing benchmark (not a test): 10,000 orders from 16 concurrent clients on SQLite
//! and on PostgreSQL, each order issuing its invoice (number from the counter row, lines, the
//! PDF and UBL rendered and queued with its e-mail, all in one transaction); afterwards the
//! numbers must be exactly 1..=N. Beside it, the alternative a team might pick first: a
//! PostgreSQL SEQUENCE (no row lock, but a rolled-back transaction leaves a gap, which
//! momsbekendtgørelsen § 58 does not allow), inserting the same number of rows. And the time to
//! render one invoice's PDF and UBL.
//!
//! `cargo bench --bench billing`; environment: JOBBOARD_BENCH_PG (a PostgreSQL admin URL, e.g.
//! postgres://postgres@127.0.0.1:5432/postgres; optional), JOBBOARD_BENCH_ORDERS (default
//! 10000), JOBBOARD_BENCH_CLIENTS (default 16). See docs/PERFORMANCE.md.

use std::{collections::HashMap, time::Instant};

use jobboard::{
    billing::{
        self, Format,
        document::Document,
        store::{self, NewOrder, Product, ProductInput},
    },
    calendar,
    config::Config,
    i18n::Lang,
    state::AppState,
};

fn env_number(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn prepare(database_url: &str, dir: &std::path::Path) -> AppState {
    let vars: HashMap<String, String> = [
        ("DATABASE_URL", database_url.to_string()),
        ("JOBBOARD_DATA_DIR", dir.display().to_string()),
        ("JOBBOARD_MASTER_KEY", "5e".repeat(32)),
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
    jobboard::app::prepare(Config::from_map(vars).expect("config"))
        .await
        .expect("prepare")
}

async fn setup(state: &AppState) -> (Vec<i64>, Product) {
    let mut companies = Vec::new();
    for i in 0..16 {
        let mut tx = state.db.begin().await.unwrap();
        let user = jobboard::accounts::store::insert_user(
            &mut tx,
            &jobboard::accounts::store::NewUser {
                email: &format!("bench{i}@example.com"),
                password_hash: "x",
                name: "Bench",
                role: jobboard::domain::Role::Employer,
                lang: "da",
                verified: true,
            },
        )
        .await
        .unwrap();
        let id = jobboard::accounts::store::insert_company(
            &mut tx,
            &format!("Bench {i} ApS"),
            &format!("{:08}", 20_000_000 + i),
            user,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        companies.push(id);
    }
    let id = store::save_product(
        &state.db,
        None,
        &ProductInput {
            code: "standard".into(),
            kind: "listing".into(),
            name_en: "Standard ad".into(),
            name_da: "Standardannonce".into(),
            price_ore: 499_500,
            vat_rate_bp: 2500,
            listing_days: 30,
            active: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (
        companies,
        store::product(&state.db, id).await.unwrap().unwrap(),
    )
}

/// Issues `orders` invoices from `clients` concurrent tasks; returns invoices per second.
async fn issue(state: &AppState, orders: usize, clients: usize) -> f64 {
    let (companies, product) = setup(state).await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let state = state.clone();
        let product = product.clone();
        let company = companies[client % companies.len()];
        let share = orders / clients + usize::from(client < orders % clients);
        tasks.push(tokio::spawn(async move {
            let buyer = billing::buyer(&state, company, "Bench", "bench@example.com")
                .await
                .unwrap();
            for _ in 0..share {
                let mut tx = state.db.begin().await.unwrap();
                billing::place_order(
                    &state,
                    &mut tx,
                    &NewOrder {
                        company_id: company,
                        ordered_by: None,
                        product: &product,
                        description: "Standardannonce 30 dage: Sygeplejerske".into(),
                        ad_id: None,
                        from_package: false,
                        today: calendar::today(),
                    },
                    &buyer,
                    Lang::Da,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    let numbers = store::invoice_numbers(&state.db).await.unwrap();
    assert_eq!(
        numbers,
        (1..=orders as i64).collect::<Vec<_>>(),
        "the numbers are consecutive and gap-free"
    );
    orders as f64 / seconds
}

/// The same number of rows numbered by a PostgreSQL SEQUENCE from the same clients.
async fn sequence_baseline(admin: &str, orders: usize, clients: usize) -> f64 {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(16)
        .connect(admin)
        .await
        .unwrap();
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS bench_sequence_invoices; DROP SEQUENCE IF EXISTS bench_invoice_numbers; \
         CREATE SEQUENCE bench_invoice_numbers; \
         CREATE TABLE bench_sequence_invoices (number BIGINT PRIMARY KEY DEFAULT nextval('bench_invoice_numbers'), \
         company BIGINT NOT NULL, total BIGINT NOT NULL, body BYTEA NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let pool = pool.clone();
        let share = orders / clients + usize::from(client < orders % clients);
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                sqlx::query("INSERT INTO bench_sequence_invoices (company, total, body) VALUES ($1, $2, $3)")
                    .bind(client as i64)
                    .bind(624_375_i64)
                    .bind(vec![0u8; 2048])
                    .execute(&pool)
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let rate = orders as f64 / started.elapsed().as_secs_f64();
    sqlx::raw_sql("DROP TABLE bench_sequence_invoices; DROP SEQUENCE bench_invoice_numbers")
        .execute(&pool)
        .await
        .unwrap();
    rate
}

/// Mean milliseconds to render one invoice's PDF and UBL.
async fn render_ms(state: &AppState, samples: i64) -> (f64, f64) {
    let mut docs = Vec::new();
    for number in 1..=samples {
        let invoice = store::invoice_by_number(&state.db, number)
            .await
            .unwrap()
            .unwrap();
        docs.push(Document::invoice(&state.db, &invoice).await.unwrap());
    }
    let time = |format: Format| {
        let started = Instant::now();
        for doc in &docs {
            std::hint::black_box(format.render(doc).unwrap());
        }
        started.elapsed().as_secs_f64() * 1000.0 / docs.len() as f64
    };
    (time(Format::Pdf), time(Format::Ubl))
}

#[tokio::main]
async fn main() {
    let orders = env_number("JOBBOARD_BENCH_ORDERS", 10_000);
    let clients = env_number("JOBBOARD_BENCH_CLIENTS", 16);
    println!("{orders} orders from {clients} concurrent clients, each issuing its invoice");

    let dir = tempfile::tempdir().unwrap();
    let sqlite = prepare(
        &format!("sqlite://{}/bench.db", dir.path().display()),
        dir.path(),
    )
    .await;
    let rate = issue(&sqlite, orders, clients).await;
    println!("SQLite: {rate:.0} invoices/s, numbers 1..={orders} without a gap");
    let (pdf, ubl) = render_ms(&sqlite, 200).await;
    println!("render per invoice: PDF {pdf:.2} ms, UBL {ubl:.2} ms");

    if let Ok(admin) = std::env::var("JOBBOARD_BENCH_PG") {
        let name = format!("jobboard_bench_{}", std::process::id());
        let admin_pool = sqlx::PgPool::connect(&admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin_pool)
            .await
            .unwrap();
        let url = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("JOBBOARD_BENCH_PG must end in /database"),
        };
        let pg_dir = tempfile::tempdir().unwrap();
        let pg = prepare(&url, pg_dir.path()).await;
        let rate = issue(&pg, orders, clients).await;
        println!("PostgreSQL: {rate:.0} invoices/s, numbers 1..={orders} without a gap");
        pg.db.close().await;
        let baseline = sequence_baseline(&url, orders, clients).await;
        println!(
            "PostgreSQL SEQUENCE baseline (gaps possible, no documents): {baseline:.0} rows/s"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {name} WITH (FORCE)"
        )))
        .execute(&admin_pool)
        .await
        .unwrap();
    } else {
        println!("PostgreSQL: skipped (set JOBBOARD_BENCH_PG)");
    }
}
