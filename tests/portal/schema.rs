//! Both backends end with the same tables and columns after their migrations.

use crate::helpers::*;

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
