//! The one query layer over SQLite (embedded default) and PostgreSQL (production, multi-node).
//! Queries are written once with `$1` placeholders, which both drivers accept; `db_run!` runs
//! the same body against whichever pool or transaction is in use, keeping native types.

pub mod daily;
pub mod session_store;

use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use time::OffsetDateTime;

use crate::error::Result;

/// How long a request waits for a PostgreSQL connection before it is told to try again.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long start-up waits for PostgreSQL to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(10);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs one body against either backend.
///
/// `db_run!(pool db, |p| query.fetch_one(p))` — `p` is `&Pool` (Copy, use it freely).
/// `db_run!(tx tx, |c| query.execute(&mut *c))` — `c` is `&mut Connection`; reborrow per query.
#[macro_export]
macro_rules! db_run {
    (pool $db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($p) => $body,
            $crate::db::Db::Postgres($p) => $body,
        }
    };
    (tx $tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                // Deleted rows are overwritten with zeros, so freed pages keep no old bytes.
                .pragma("secure_delete", "ON")
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                // With the database down, a page fails (503) after this rather than hanging.
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_lazy(url)?;
            // Starting up, the database may still be on its way: wait longer for it.
            let started = std::time::Instant::now();
            loop {
                match pool.acquire().await {
                    Ok(_) => break,
                    Err(sqlx::Error::PoolTimedOut) if started.elapsed() < START_TIMEOUT => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(Db::Postgres(pool))
        }
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            // IMMEDIATE takes SQLite's write lock up front, so two writers queue instead of
            // failing with "database is locked" when one upgrades from reading to writing.
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// After deletions that must not linger: on SQLite, copies the WAL into the database file
    /// and empties it, since older frames in the WAL still hold the deleted rows (the file's
    /// own pages are zeroed by `secure_delete`). PostgreSQL needs VACUUM for the same (README).
    pub async fn flush_deleted(&self) -> Result<()> {
        if let Db::Sqlite(pool) = self {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// A cheap round trip for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        db_run!(pool self, |p| sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// Table name → column names, for the test that both backends end with the same schema.
    pub async fn schema(&self) -> Result<Vec<(String, Vec<String>)>> {
        let rows: Vec<(String, String)> = match self {
            Db::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
                     ORDER BY m.name, p.name",
                )
                .fetch_all(pool)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
                     ORDER BY table_name, column_name",
                )
                .fetch_all(pool)
                .await?
            }
        };
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in rows {
            match tables.last_mut() {
                Some((name, columns)) if *name == table => columns.push(column),
                _ => tables.push((table, vec![column])),
            }
        }
        Ok(tables)
    }
}

/// At most this many values go into one `IN (…)` list: both backends take far more
/// parameters, but a short list keeps each statement (and its lock) short.
pub const LIST_CHUNK: usize = 500;

/// A value that can stand in an `IN (…)` list on either backend.
pub trait ListValue:
    for<'q> sqlx::Encode<'q, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'q> sqlx::Encode<'q, Postgres>
    + sqlx::Type<Postgres>
    + Clone
    + Send
    + Sync
    + 'static
{
}
impl ListValue for i64 {}
impl ListValue for String {}

/// A column value a list query returns (`RETURNING user_id`, say).
pub trait ListRow:
    for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
    + Send
    + Unpin
    + 'static
{
}
impl ListRow for i64 {}
impl ListRow for String {}

/// `sql` with its `{list}` replaced by `($1, $2, …)` for `n` values. The list is the
/// statement's only parameter, so the text is built from our own fragments only.
fn with_list(sql: &str, n: usize) -> String {
    debug_assert!(sql.contains("{list}"), "no {{list}} in {sql}");
    let list = (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    sql.replace("{list}", &format!("({list})"))
}

macro_rules! bind_list {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = query.bind(value.clone());
        }
        query
    }};
}

impl Db {
    /// Runs `sql` (a read whose `{list}` stands for the values) once per chunk of `values` and
    /// returns every row.
    pub async fn fetch_rows<T, R>(&self, sql: &str, values: &[T]) -> Result<Vec<R>>
    where
        T: ListValue,
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let mut out = Vec::new();
        for chunk in values.chunks(LIST_CHUNK) {
            let sql = with_list(sql, chunk.len());
            let rows: Vec<R> = db_run!(pool self, |p| bind_list!(
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())),
                chunk
            )
            .fetch_all(p)
            .await)?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Runs `sql` (a read whose `{list}` stands for the values) once per chunk of `values` and
    /// returns the first column of every row.
    pub async fn fetch_list<T: ListValue, R: ListRow>(
        &self,
        sql: &str,
        values: &[T],
    ) -> Result<Vec<R>> {
        let mut out = Vec::new();
        for chunk in values.chunks(LIST_CHUNK) {
            let sql = with_list(sql, chunk.len());
            let rows: Vec<R> = db_run!(pool self, |p| bind_list!(
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())),
                chunk
            )
            .fetch_all(p)
            .await)?;
            out.extend(rows);
        }
        Ok(out)
    }
}

impl Tx {
    /// Serialises this transaction with every other that locks one of `keys`, until commit or
    /// rollback, so that a count followed by an insert is atomic (a limit cannot be passed by
    /// parallel requests that all count before any inserts). SQLite needs nothing more: every
    /// transaction here holds its write lock from `BEGIN IMMEDIATE` on. PostgreSQL takes a
    /// transaction-level advisory lock per key, in sorted order so that two cannot deadlock.
    pub async fn lock(&mut self, keys: &[&str]) -> Result<()> {
        let Tx::Postgres(tx) = self else {
            return Ok(());
        };
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(key)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Runs `sql` (whose `{list}` stands for the values) once per chunk of `values`; returns
    /// how many rows it changed.
    pub async fn execute_list<T: ListValue>(&mut self, sql: &str, values: &[T]) -> Result<u64> {
        let mut changed = 0;
        for chunk in values.chunks(LIST_CHUNK) {
            let sql = with_list(sql, chunk.len());
            changed += db_run!(tx self, |c| bind_list!(
                sqlx::query(sqlx::AssertSqlSafe(sql.clone())),
                chunk
            )
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(changed)
    }

    /// Like [`Db::fetch_list`], inside the transaction (for `DELETE … RETURNING user_id`).
    pub async fn fetch_list<T: ListValue, R: ListRow>(
        &mut self,
        sql: &str,
        values: &[T],
    ) -> Result<Vec<R>> {
        let mut out = Vec::new();
        for chunk in values.chunks(LIST_CHUNK) {
            let sql = with_list(sql, chunk.len());
            let rows: Vec<R> = db_run!(tx self, |c| bind_list!(
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())),
                chunk
            )
            .fetch_all(&mut *c)
            .await)?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Like [`Db::fetch_rows`], inside the transaction.
    pub async fn fetch_rows<T, R>(&mut self, sql: &str, values: &[T]) -> Result<Vec<R>>
    where
        T: ListValue,
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let mut out = Vec::new();
        for chunk in values.chunks(LIST_CHUNK) {
            let sql = with_list(sql, chunk.len());
            let rows: Vec<R> = db_run!(tx self, |c| bind_list!(
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())),
                chunk
            )
            .fetch_all(&mut *c)
            .await)?;
            out.extend(rows);
        }
        Ok(out)
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// The current time, in UTC and to the microsecond, which both backends store exactly.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}

/// True when a query failed on a UNIQUE constraint (e.g. a registration race).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
