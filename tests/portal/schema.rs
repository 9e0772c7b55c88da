//! The schema: both backends end with the same tables and columns after their migrations, and
//! every reference between tables is indexed.

use jobboard::db::Db;

use crate::{helpers::*, story};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_have_the_same_tables_and_columns() {
    let Some(postgres) = TestEnv::postgres_if_configured().await else {
        eprintln!("TEST_DATABASE_URL is not set; the schema comparison needs PostgreSQL");
        return;
    };
    let sqlite = TestEnv::new(Backend::Sqlite).await;
    let sqlite = TestApp::start(sqlite, Options::default()).await;
    let postgres = TestApp::start(postgres, Options::default()).await;
    let sqlite_schema = sqlite.state.db.schema().await.unwrap();
    let postgres_schema = postgres.state.db.schema().await.unwrap();
    assert!(sqlite_schema.iter().any(|(t, _)| t == "users"));
    assert_eq!(sqlite_schema, postgres_schema);
}

// Deleting a row checks every row that refers to it, once per deleted row and reference: without
// an index on the referring column that is a read of the whole table each time (the retention
// sweeper deletes thousands of people, companies and ads a minute).
story!(every_reference_between_tables_is_indexed, |app| {
    let unindexed: Vec<(String, String, String)> = match &app.state.db {
        Db::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, f.\"from\", f.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' \
             AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.name) l, pragma_index_info(l.name) i \
                             WHERE i.seqno = 0 AND i.name = f.\"from\") \
             AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = f.\"from\" AND c.pk = 1) \
             ORDER BY 1, 2",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(
            "SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text \
             FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f' \
             AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]) \
             ORDER BY 1, 2",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    assert!(
        unindexed.is_empty(),
        "references without an index (table, column, the table it refers to): {unindexed:#?}"
    );
});
