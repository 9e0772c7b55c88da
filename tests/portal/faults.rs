//! Faults: a kill -9 in the middle of an application, the file storage or the database going
//! away, a stored object gone missing. Nothing is orphaned for ever, people are told what
//! happened (503, not "nothing was lost"), probes answer within about a second without
//! naming endpoints, and an export still hands over what is there.

use std::{
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use tokio::task::JoinHandle;

use crate::applications::{pdf, upload_document};
use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::privacy_centre::{entry, zip_entries};
use crate::story;
use crate::uploads::{file_rows, stored_objects};

/// The portal as a real process, to be killed with SIGKILL.
struct ServerProcess {
    base: String,
    child: Child,
}

impl ServerProcess {
    async fn start(env: &TestEnv) -> ServerProcess {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_jobboard"))
            .arg("serve")
            .env_clear()
            .env("JOBBOARD_ADDR", format!("127.0.0.1:{port}"))
            .env("JOBBOARD_BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("JOBBOARD_DATA_DIR", env.data_path())
            .env("DATABASE_URL", &env.database_url)
            .env("JOBBOARD_MASTER_KEY", "5e".repeat(32))
            // Mail only queues: nothing listens there.
            .env(
                "JOBBOARD_SMTP_URL",
                format!("smtp://127.0.0.1:{}", free_port()),
            )
            .env("RUST_LOG", "error")
            .envs(CONTROLLER)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the jobboard binary");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("{base}/healthz")).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "the server process did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ServerProcess { base, child }
    }

    fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn killed_while_an_application_streams_in(backend: Backend) {
    let Some(env) = (match backend {
        Backend::Sqlite => Some(TestEnv::new(Backend::Sqlite).await),
        Backend::Postgres => TestEnv::postgres_if_configured().await,
    }) else {
        return;
    };
    let app = TestApp::start(env, Options::default()).await;
    let company = fixtures::company(&app, "Nedbrud ApS", "24256790").await;
    let ad = fixtures::published(
        &app,
        &company,
        content("Elektriker", "Vi søger en elektriker til service.", "101"),
    )
    .await;
    app.registered_seeker("crash@example.com").await;
    let env = app.stop().await;

    let server = ServerProcess::start(&env).await;
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = Page::from(
        browser
            .get(format!("{}/login", server.base))
            .send()
            .await
            .unwrap(),
    )
    .await
    .form("Log in")
    .fill("E-mail address", "crash@example.com")
    .fill("Password", PASSWORD)
    .submit_with(&browser)
    .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text());
    let apply = Page::from(
        browser
            .get(format!("{}/jobs/{ad}/apply", server.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // A complete CV, then an attachment that starts to stream in and never ends.
    let boundary = "----jobboard-crash-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"cover_letter\"\r\n\r\n\
         I would like to work on your installations.\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"cv_upload\"; filename=\"cv.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    );
    let mut first = head.into_bytes();
    first.extend(pdf("the CV that arrived"));
    first.extend(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"attachment_upload\"; \
             filename=\"more.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        )
        .into_bytes(),
    );
    first.extend(b"The start of an attachment. ".repeat(1000));
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    sender.send(Ok(first)).await.unwrap();
    let body = reqwest::Body::wrap_stream(tokio_stream_of(receiver));
    let url = format!("{}{}", server.base, apply.upload_action());
    let request = tokio::spawn(
        browser
            .post(url)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send(),
    );
    // Wait until the CV is a finished object and the attachment is being written.
    let root = env.data_path().join("files");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let finished = std::fs::read_dir(root.join("files")).map_or(0, |d| d.count());
        let staging = std::fs::read_dir(root.join("pending")).map_or(0, |d| d.count());
        if finished > 0 && staging > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the upload did not get under way"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill_9();
    drop(sender);
    let _ = request.await;

    let app = TestApp::start(env, Options::default()).await;
    assert_eq!(
        file_rows(&app).await,
        0,
        "the application was never recorded"
    );
    assert!(
        !stored_objects(&app).is_empty(),
        "the crash left the CV and the attachment's staging file"
    );
    // Once the dead request's lease has run out (no wait here: the sweep is told so),
    // housekeeping removes everything it stored, the complete CV included.
    // (The sweep that runs at start-up may take part of the work, so count what is left.)
    jobboard::documents::sweep_abandoned(&app.state, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(stored_objects(&app), Vec::<std::path::PathBuf>::new());
    let pending: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM pending_objects"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(pending, 0);
}

/// The body of a request that keeps sending what the test hands it.
fn tokio_stream_of(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_an_application_orphans_nothing_on_sqlite() {
    killed_while_an_application_streams_in(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_an_application_orphans_nothing_on_postgres() {
    killed_while_an_application_streams_in(Backend::Postgres).await;
}

story!(
    an_export_hands_over_what_is_there_and_says_what_is_missing,
    |app| {
        app.registered_seeker("restored@example.com").await;
        app.login("restored@example.com", PASSWORD).await;
        upload_document(&app, "cv", "kept.pdf", pdf("the kept CV")).await;
        upload_document(
            &app,
            "attachment",
            "lost.txt",
            b"a lost attachment".to_vec(),
        )
        .await;
        // Storage restored from a backup that lacks the attachment.
        let lost: String = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT storage_key FROM files WHERE safe_name = 'lost.txt'"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        std::fs::remove_file(app.env.data_path().join("files").join(&lost)).unwrap();

        let response = app
            .client
            .get(app.url("/account/privacy/export"))
            .send()
            .await
            .unwrap();
        let entries = zip_entries(response).await;
        let data: serde_json::Value = serde_json::from_slice(entry(&entries, "data.json")).unwrap();
        let files = data["sections"]["files"].as_array().unwrap();
        let path_of = |name: &str| {
            files
                .iter()
                .find(|f| f["name"] == name)
                .and_then(|f| f["export_path"].as_str())
                .unwrap_or_else(|| panic!("{name} in data.json: {files:?}"))
                .to_string()
        };
        assert_eq!(
            entry(&entries, &path_of("kept.pdf")),
            pdf("the kept CV").as_slice()
        );
        let missing = path_of("lost.txt");
        assert!(entries.iter().all(|(name, _)| *name != missing));
        let readme = String::from_utf8(entry(&entries, "README.txt").to_vec()).unwrap();
        assert!(
            readme.contains("These files could not be read from our storage")
                && readme.contains(&format!("  {missing}\n")),
            "{readme}"
        );
    }
);

/// A real S3-protocol server (moto) on a loopback port, killed when dropped.
struct MotoServer {
    endpoint: String,
    child: Child,
}

impl MotoServer {
    async fn start_on(port: u16, bucket: &str) -> MotoServer {
        let child = Command::new("timeout")
            .args([
                "600",
                "moto_server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server (pip install 'moto[server]')");
        let endpoint = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(&endpoint).await.is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let created = reqwest::Client::new()
            .put(format!("{endpoint}/{bucket}"))
            .send()
            .await
            .unwrap();
        assert!(
            created.status().is_success(),
            "create bucket: {}",
            created.status()
        );
        MotoServer { endpoint, child }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        // SIGTERM reaches `timeout`, which passes it on to moto_server.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// Runs where the S3 tests run (`TEST_S3_ENDPOINT` and the AWS variables set, as `.ci/run`
/// does), with a moto_server of its own that it stops halfway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_file_storage_down_an_upload_says_to_upload_again() {
    if std::env::var("TEST_S3_ENDPOINT").is_err() {
        return;
    }
    let port = free_port();
    let bucket = "jobboard-outage";
    let moto = MotoServer::start_on(port, bucket).await;
    let options = Options::default()
        .with("JOBBOARD_S3_BUCKET", bucket)
        .with("JOBBOARD_S3_ENDPOINT", &moto.endpoint)
        .with("JOBBOARD_S3_REGION", "us-east-1");
    let app = TestApp::start(TestEnv::new(Backend::Sqlite).await, options).await;
    app.registered_seeker("outage@example.com").await;
    app.login("outage@example.com", PASSWORD).await;
    let page = upload_document(&app, "cv", "before.pdf", pdf("stored before")).await;
    assert!(
        page.contains("The document is uploaded."),
        "{}",
        page.text()
    );

    let endpoint = moto.endpoint.clone();
    drop(moto);
    let started = Instant::now();
    let page = upload_document(&app, "cv", "during.pdf", pdf("sent during")).await;
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.text()
    );
    assert_eq!(page.heading(), "File storage unavailable");
    assert!(
        page.contains("If you were uploading a file, it was not stored: please upload it again"),
        "{}",
        page.text()
    );
    assert!(!page.contains("Nothing you entered has been lost"));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(file_rows(&app).await, 1);

    let started = Instant::now();
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_millis(1800),
        "{:?}",
        started.elapsed()
    );
    let body = response.text().await.unwrap();
    assert_eq!(body, r#"{"database":"ok","storage":"unavailable"}"#);
    assert!(!body.contains(&endpoint) && !body.contains(bucket));

    // Deleting a document still works; the object waits for the storage to come back.
    let page = app.get("/documents").await;
    let page = page.form("Delete — before.pdf").submit(&app).await;
    assert!(page.contains("The document is deleted."), "{}", page.text());
    assert_eq!(file_rows(&app).await, 0);
    let waiting = || async {
        let n: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM pending_objects WHERE lease IS NULL"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        n
    };
    assert_eq!(
        waiting().await,
        2,
        "the deleted document and the failed upload"
    );
    let _moto = MotoServer::start_on(port, bucket).await;
    jobboard::documents::sweep_abandoned(&app.state, jobboard::documents::UPLOAD_LEASE)
        .await
        .unwrap();
    assert_eq!(
        waiting().await,
        0,
        "housekeeping retried once the storage was back"
    );
}

/// A TCP relay in front of PostgreSQL that the test can cut, as if the server went away (the
/// shared server itself keeps running for everyone else).
struct DatabaseRelay {
    port: u16,
    accepting: JoinHandle<()>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl DatabaseRelay {
    async fn start(upstream: String) -> DatabaseRelay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let tracked = connections.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tracked.lock().unwrap().push(relay);
            }
        });
        DatabaseRelay {
            port,
            accepting,
            connections,
        }
    }

    /// Refuses new connections and breaks the open ones.
    fn cut(&self) {
        self.accepting.abort();
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_down_probes_and_pages_answer_503_quickly() {
    let Some(mut env) = TestEnv::postgres_if_configured().await else {
        return;
    };
    let mut url = reqwest::Url::parse(&env.database_url).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let relay = DatabaseRelay::start(upstream).await;
    url.set_port(Some(relay.port)).unwrap();
    env.database_url = url.to_string();
    let app = TestApp::start(env, Options::default()).await;
    app.registered_seeker("down@example.com").await;
    app.login("down@example.com", PASSWORD).await;
    assert_eq!(app.get("/account").await.status, StatusCode::OK);

    relay.cut();
    let started = Instant::now();
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_millis(1800),
        "{:?}",
        started.elapsed()
    );
    let body = response.text().await.unwrap();
    assert_eq!(body, r#"{"database":"unavailable","storage":"ok"}"#);

    // A signed-in page (the session lives in the database) and an anonymous one.
    for page in [
        app.get("/account").await,
        app.other_browser().get("/jobs/999999").await,
    ] {
        assert_eq!(
            page.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            page.text()
        );
        assert_eq!(page.heading(), "Temporarily unavailable");
        assert!(page.contains("nothing was saved"), "{}", page.text());
    }
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "two pages and a probe took {:?}",
        started.elapsed()
    );
}
