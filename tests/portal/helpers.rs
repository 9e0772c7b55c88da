//! The test harness: `spawn_app()` starts the real server on port 0 with a fresh database
//! (SQLite always; PostgreSQL when `TEST_DATABASE_URL` is set) and a fresh data dir, and
//! hands back typed helpers so that tests read like a person using the site.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use jobboard::{config::Config, state::AppState};
use reqwest::{StatusCode, cookie::CookieStore};
use scraper::{ElementRef, Html, Selector};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

pub const PASSWORD: &str = "correct horse battery";

/// The data controller every test installation names (required with PostgreSQL).
pub const CONTROLLER: [(&str, &str); 4] = [
    ("JOBBOARD_CONTROLLER_NAME", "Testvirksomheden ApS"),
    ("JOBBOARD_CONTROLLER_ADDRESS", "Prøvevej 7, 8000 Aarhus C"),
    ("JOBBOARD_CONTROLLER_CVR", "10150817"),
    (
        "JOBBOARD_CONTROLLER_EMAIL",
        "privacy@testvirksomheden.example",
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One story, run once per backend: `story!(name, |app| { ... })`.
#[macro_export]
macro_rules! story {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::story!($name, Default::default(), |$app| $body);
    };
    ($name:ident, $options:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let env = $crate::helpers::TestEnv::new($crate::helpers::Backend::Sqlite).await;
                let $app = $crate::helpers::TestApp::start(env, $options).await;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                let Some(env) = $crate::helpers::TestEnv::postgres_if_configured().await else {
                    return;
                };
                let $app = $crate::helpers::TestApp::start(env, $options).await;
                $body
            }
        }
    };
}

/// The database and data dir of one test; they outlive restarts of the server.
pub struct TestEnv {
    pub backend: Backend,
    pub database_url: String,
    pub data_dir: Arc<tempfile::TempDir>,
    _postgres: Option<Arc<PostgresDatabase>>,
}

impl TestEnv {
    pub async fn new(backend: Backend) -> TestEnv {
        match backend {
            Backend::Sqlite => {
                let data_dir = tempfile::tempdir().expect("temp dir");
                TestEnv {
                    backend,
                    database_url: format!("sqlite://{}/jobboard.db", data_dir.path().display()),
                    data_dir: Arc::new(data_dir),
                    _postgres: None,
                }
            }
            Backend::Postgres => Self::postgres_if_configured()
                .await
                .expect("TEST_DATABASE_URL must be set for a PostgreSQL test"),
        }
    }

    /// `None` when `TEST_DATABASE_URL` is unset; panics (fails the test) when it is set but
    /// unusable, so CI cannot silently skip PostgreSQL.
    pub async fn postgres_if_configured() -> Option<TestEnv> {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let database = PostgresDatabase::create(&admin_url).await;
        let data_dir = tempfile::tempdir().expect("temp dir");
        Some(TestEnv {
            backend: Backend::Postgres,
            database_url: database.url.clone(),
            data_dir: Arc::new(data_dir),
            _postgres: Some(Arc::new(database)),
        })
    }

    /// A second node: the same database, its own data dir (and so its own search index).
    pub fn same_database_other_node(&self) -> TestEnv {
        TestEnv {
            backend: self.backend,
            database_url: self.database_url.clone(),
            data_dir: Arc::new(tempfile::tempdir().expect("temp dir")),
            _postgres: self._postgres.clone(),
        }
    }

    pub fn data_path(&self) -> &Path {
        self.data_dir.path()
    }

    fn share(&self) -> TestEnv {
        TestEnv {
            backend: self.backend,
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
            _postgres: self._postgres.clone(),
        }
    }
}

/// A fresh database on the PostgreSQL server, dropped when the test ends.
pub struct PostgresDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create(admin_url: &str) -> PostgresDatabase {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .unwrap_or_else(|e| {
                panic!("TEST_DATABASE_URL is set but PostgreSQL is not usable: {e}")
            });
        let token = jobboard::secrets::random_token()
            .to_lowercase()
            .replace(['-', '_'], "");
        let name = format!("jobboard_test_{}", &token[..16]);
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        PostgresDatabase {
            admin_url: admin_url.to_string(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async; a short-lived runtime on its own thread does the clean-up.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async move {
                    use sqlx::Connection;
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut admin)
                        .await;
                    }
                });
            }
        })
        .join();
    }
}

/// Settings a test can change; everything else is the embedded default.
#[derive(Default, Clone)]
pub struct Options {
    pub vars: Vec<(String, String)>,
}

impl Options {
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.vars.push((key.to_string(), value.to_string()));
        self
    }
}

pub struct TestApp {
    pub env: TestEnv,
    pub base: String,
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    pub state: AppState,
    shutdown: CancellationToken,
    server: Option<JoinHandle<jobboard::error::Result<()>>>,
}

impl TestApp {
    /// The configuration `start` serves with: the test's database and data dir on `addr`.
    pub fn config(env: &TestEnv, addr: std::net::SocketAddr, options: Options) -> Config {
        let mut vars: HashMap<String, String> = HashMap::from([
            ("JOBBOARD_ADDR".into(), addr.to_string()),
            ("JOBBOARD_BASE_URL".into(), format!("http://{addr}")),
            (
                "JOBBOARD_DATA_DIR".into(),
                env.data_path().display().to_string(),
            ),
            ("DATABASE_URL".into(), env.database_url.clone()),
            ("JOBBOARD_MASTER_KEY".into(), "5e".repeat(32)),
            ("JOBBOARD_OUTBOX_RETRY_MS".into(), "200".into()),
            ("JOBBOARD_WORKER_POLL_MS".into(), "100".into()),
            // The stories read the e-mails written to the data dir, as a person trying the
            // portal out would in the local mailbox.
            ("JOBBOARD_LOCAL_MAILBOX".into(), "on".into()),
        ]);
        vars.extend(CONTROLLER.map(|(k, v)| (k.to_string(), v.to_string())));
        vars.extend(options.vars);
        Config::from_map(vars).expect("test configuration")
    }

    pub async fn start(env: TestEnv, options: Options) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let config = Self::config(&env, addr, options);
        let state = jobboard::app::prepare(config).await.expect("prepare app");
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(jobboard::app::serve(
            state.clone(),
            listener,
            shutdown.clone(),
        ));
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .build()
            .expect("http client");
        TestApp {
            env,
            base: format!("http://{addr}"),
            client,
            jar,
            state,
            shutdown,
            server: Some(server),
        }
    }

    /// Stops the server gracefully (as on SIGTERM) and hands back its database and data dir.
    pub async fn stop(mut self) -> TestEnv {
        self.shutdown.cancel();
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stopped cleanly");
        }
        self.env.share()
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self.client.get(self.url(path)).send().await.expect("GET");
        Page::from(response).await
    }

    /// A JSON answer (the API), parsed.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.client.get(self.url(path)).send().await.expect("GET");
        response.json().await.expect("a JSON answer")
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST");
        Page::from(response).await
    }

    /// The value of the session cookie, if the browser holds one.
    pub fn session_cookie(&self) -> Option<String> {
        let url = reqwest::Url::parse(&self.base).expect("base url");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("jobboard_session="))
            .map(str::to_string)
    }

    /// A second, independent browser against the same server.
    pub fn other_browser(&self) -> TestBrowser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        TestBrowser {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .cookie_provider(jar)
                .build()
                .expect("client"),
        }
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.env.data_path().join("mail")
    }

    /// Waits for the e-mails to `to` that the portal wrote to disk (embedded mode).
    pub async fn mails_to(&self, to: &str, at_least: usize) -> Vec<Mail> {
        wait_for_mails(&self.mail_dir(), to, at_least).await
    }

    /// The newest e-mail to `to` whose subject contains `subject`.
    pub async fn mail(&self, to: &str, subject: &str) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let mails = read_mails(&self.mail_dir(), to);
            if let Some(mail) = mails
                .into_iter()
                .rev()
                .find(|m| m.subject.contains(subject))
            {
                return mail;
            }
            assert!(
                Instant::now() < deadline,
                "no e-mail to {to} about {subject:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Registers and verifies a job seeker through the pages; returns with nobody logged in.
    pub async fn registered_seeker(&self, email: &str) {
        let page = self.get("/register").await;
        let page = page
            .form("Create account")
            .fill("Your name", "Test Seeker")
            .fill("E-mail address", email)
            .fill("New password", PASSWORD)
            .submit(self)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        self.verify_from_mail(email).await;
    }

    /// Registers and verifies an employer with its company.
    pub async fn registered_employer(&self, email: &str, company: &str, cvr: &str) {
        let page = self.get("/register?as=employer").await;
        let page = page
            .form("Create account")
            .fill("Your name", "Test Employer")
            .fill("E-mail address", email)
            .fill("New password", PASSWORD)
            .fill("Company name", company)
            .fill("CVR number", cvr)
            .submit(self)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        self.verify_from_mail(email).await;
    }

    pub async fn verify_from_mail(&self, email: &str) {
        let mail = self.mail(email, "Verify your e-mail address").await;
        let page = self.get(&mail.link("/verify-email")).await;
        let page = page.form("Verify my e-mail address").submit(self).await;
        assert!(
            page.contains("Your e-mail address is verified"),
            "{}",
            page.text()
        );
    }

    /// Logs in through the form; an operator also passes the second factor (see
    /// `pass_second_factor`).
    pub async fn login(&self, email: &str, password: &str) -> Page {
        let page = self.get("/login").await;
        let page = page
            .form("Log in")
            .fill("E-mail address", email)
            .fill("Password", password)
            .submit(self)
            .await;
        pass_second_factor(&self.client, &self.base, email, page).await
    }

    pub async fn logout(&self) -> Page {
        let page = self.get("/account").await;
        page.form("Log out").submit(self).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub struct TestBrowser {
    pub base: String,
    pub client: reqwest::Client,
}

impl TestBrowser {
    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET");
        Page::from(response).await
    }
}

/// A page as the browser received it.
pub struct Page {
    pub status: StatusCode,
    pub url: reqwest::Url,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub async fn from(response: reqwest::Response) -> Page {
        Page {
            status: response.status(),
            url: response.url().clone(),
            headers: response.headers().clone(),
            body: response.text().await.expect("body"),
        }
    }

    /// Where the page's file-upload form posts (its CSRF token rides in the query string).
    pub fn upload_action(&self) -> String {
        self.document()
            .select(&Selector::parse("form[enctype='multipart/form-data']").expect("selector"))
            .next()
            .and_then(|f| f.value().attr("action").map(str::to_string))
            .unwrap_or_else(|| panic!("no upload form on {}", self.url))
    }

    pub fn path(&self) -> &str {
        self.url.path()
    }

    pub fn document(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The visible text, whitespace collapsed.
    pub fn text(&self) -> String {
        let doc = self.document();
        let body = Selector::parse("body").expect("selector");
        let text: Vec<&str> = doc
            .select(&body)
            .flat_map(|b| b.text())
            .flat_map(|t| t.split_whitespace())
            .collect();
        text.join(" ")
    }

    pub fn contains(&self, text: &str) -> bool {
        self.text().contains(text)
    }

    pub fn heading(&self) -> String {
        let doc = self.document();
        let h1 = Selector::parse("h1").expect("selector");
        doc.select(&h1)
            .next()
            .map(|h| h.text().collect::<String>().trim().to_string())
            .unwrap_or_default()
    }

    /// The error shown next to the field labelled `label`.
    pub fn field_error(&self, label: &str) -> Option<String> {
        let doc = self.document();
        let id = label_target(&doc, label)?;
        let selector = Selector::parse(&format!("#{id}-error")).ok()?;
        doc.select(&selector)
            .next()
            .map(|e| e.text().collect::<String>().trim().to_string())
    }

    /// The current value of the input labelled `label`.
    pub fn field_value(&self, label: &str) -> Option<String> {
        let doc = self.document();
        let id = label_target(&doc, label)?;
        let selector = Selector::parse(&format!("#{id}")).ok()?;
        doc.select(&selector)
            .next()
            .and_then(|e| e.value().attr("value").map(str::to_string))
    }

    /// The form holding the button labelled `button`, ready to fill by field label.
    pub fn form(&self, button: &str) -> Form {
        let doc = self.document();
        let forms = Selector::parse("form").expect("selector");
        let buttons = Selector::parse("button, input[type=submit]").expect("selector");
        for form in doc.select(&forms) {
            for candidate in form.select(&buttons) {
                let label = candidate
                    .value()
                    .attr("value")
                    .filter(|_| candidate.value().name() == "input")
                    .map(str::to_string)
                    .unwrap_or_else(|| candidate.text().collect::<String>());
                if label.trim() == button {
                    return Form::read(&self.url, form, candidate);
                }
            }
        }
        panic!(
            "no form with a {button:?} button on {}:\n{}",
            self.url,
            self.text()
        );
    }

    /// The target of the link whose visible text is `text`.
    pub fn link(&self, text: &str) -> String {
        let doc = self.document();
        let links = Selector::parse("a[href]").expect("selector");
        doc.select(&links)
            .find(|a| {
                a.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    == text
            })
            .and_then(|a| a.value().attr("href").map(str::to_string))
            .unwrap_or_else(|| panic!("no link {text:?} on {}:\n{}", self.url, self.text()))
    }

    pub fn has_form(&self, button: &str) -> bool {
        let doc = self.document();
        let buttons = Selector::parse("form button").expect("selector");
        doc.select(&buttons)
            .any(|b| b.text().collect::<String>().trim() == button)
    }
}

fn label_target(doc: &Html, label: &str) -> Option<String> {
    let labels = Selector::parse("label").expect("selector");
    doc.select(&labels)
        .find(|l| l.text().collect::<String>().trim() == label)
        .and_then(|l| l.value().attr("for").map(str::to_string))
}

#[derive(Clone)]
pub struct Form {
    action: reqwest::Url,
    get: bool,
    fields: Vec<(String, String)>,
    labels: HashMap<String, String>,
    /// Checkboxes and radio buttons by label: their name and value.
    boxes: HashMap<String, (String, String)>,
}

impl Form {
    fn read(page_url: &reqwest::Url, form: ElementRef<'_>, button: ElementRef<'_>) -> Form {
        let action = form.value().attr("action").unwrap_or("");
        let action = page_url.join(action).expect("form action");
        let mut fields = Vec::new();
        let inputs = Selector::parse("input, textarea, select").expect("selector");
        for input in form.select(&inputs) {
            let el = input.value();
            let Some(name) = el.attr("name") else {
                continue;
            };
            let kind = el.attr("type").unwrap_or("text");
            if kind == "submit"
                || ((kind == "checkbox" || kind == "radio") && el.attr("checked").is_none())
            {
                continue;
            }
            let value = match el.name() {
                "textarea" => input.text().collect(),
                "select" => {
                    let selected = Selector::parse("option[selected]").expect("selector");
                    input
                        .select(&selected)
                        .next()
                        .and_then(|o| o.value().attr("value"))
                        .unwrap_or("")
                        .to_string()
                }
                _ => el.attr("value").unwrap_or("").to_string(),
            };
            fields.push((name.to_string(), value));
        }
        if let (Some(name), Some(value)) =
            (button.value().attr("name"), button.value().attr("value"))
        {
            fields.push((name.to_string(), value.to_string()));
        }
        let mut labels = HashMap::new();
        let mut boxes = HashMap::new();
        let label_selector = Selector::parse("label").expect("selector");
        let box_of = |id: &str| -> Option<(String, String)> {
            let s = Selector::parse(&format!("#{id}")).ok()?;
            let el = form.select(&s).next()?.value();
            if !matches!(el.attr("type"), Some("checkbox" | "radio")) {
                return None;
            }
            Some((
                el.attr("name")?.to_string(),
                el.attr("value").unwrap_or("on").to_string(),
            ))
        };
        for label in form.select(&label_selector) {
            if let Some(found) = label.value().attr("for").and_then(box_of) {
                boxes.insert(label.text().collect::<String>().trim().to_string(), found);
            }
        }
        let by_id = |id: &str| {
            let s = Selector::parse(&format!("#{id}")).ok()?;
            form.select(&s)
                .next()?
                .value()
                .attr("name")
                .map(str::to_string)
        };
        for label in form.select(&label_selector) {
            if let Some(name) = label.value().attr("for").and_then(by_id) {
                labels.insert(label.text().collect::<String>().trim().to_string(), name);
            }
        }
        let get = form
            .value()
            .attr("method")
            .is_some_and(|m| m.eq_ignore_ascii_case("get"));
        Form {
            action,
            get,
            fields,
            labels,
            boxes,
        }
    }

    /// Ticks the checkbox (or radio button) labelled `label`, keeping the other ticks.
    pub fn check(mut self, label: &str) -> Form {
        let (name, value) = self.boxes.get(label).cloned().unwrap_or_else(|| {
            panic!(
                "no checkbox labelled {label:?}; boxes: {:?}",
                self.boxes.keys().take(20).collect::<Vec<_>>()
            )
        });
        if !self.fields.contains(&(name.clone(), value.clone())) {
            self.fields.push((name, value));
        }
        self
    }

    /// Unticks the checkbox labelled `label`.
    pub fn uncheck(mut self, label: &str) -> Form {
        let pair = self.boxes.get(label).cloned().expect("a checkbox");
        self.fields.retain(|f| *f != pair);
        self
    }

    /// Types into the field with the visible label `label`.
    pub fn fill(mut self, label: &str, value: &str) -> Form {
        let name = self
            .labels
            .get(label)
            .unwrap_or_else(|| {
                panic!(
                    "no field labelled {label:?}; labels: {:?}",
                    self.labels.keys()
                )
            })
            .clone();
        self.fields.retain(|(n, _)| *n != name);
        self.fields.push((name, value.to_string()));
        self
    }

    /// Removes a field (e.g. the CSRF token, to play an attacker).
    pub fn without(mut self, name: &str) -> Form {
        self.fields.retain(|(n, _)| n != name);
        self
    }

    /// Sets a field by its name, as an attacker editing the form would (hidden fields too).
    pub fn set(mut self, name: &str, value: &str) -> Form {
        self.fields.retain(|(n, _)| n != name);
        self.fields.push((name.to_string(), value.to_string()));
        self
    }

    /// Posts the form and hands back the raw response (e.g. to read a redirect).
    pub async fn submit_raw(self, client: &reqwest::Client) -> reqwest::Response {
        client
            .post(self.action)
            .form(&self.fields)
            .send()
            .await
            .expect("submit")
    }

    /// Posts the form with one extra header (e.g. a forged `Origin`).
    pub async fn submit_raw_with_header(
        self,
        client: &reqwest::Client,
        name: reqwest::header::HeaderName,
        value: &str,
    ) -> reqwest::Response {
        client
            .post(self.action)
            .header(name, value)
            .form(&self.fields)
            .send()
            .await
            .expect("submit")
    }

    pub async fn submit(self, app: &TestApp) -> Page {
        self.submit_with(&app.client).await
    }

    /// Submits from another browser (its own client and cookies).
    pub async fn submit_with(self, client: &reqwest::Client) -> Page {
        let request = if self.get {
            let mut url = self.action;
            url.set_query(Some(
                &serde_urlencoded::to_string(&self.fields).expect("query"),
            ));
            client.get(url)
        } else {
            client.post(self.action).form(&self.fields)
        };
        let response = request.send().await.expect("submit");
        Page::from(response).await
    }
}

/// The operators' TOTP secrets (base32) that the harness set up, by server and e-mail, with
/// the last time step it typed a code for.
/// (server, e-mail) → (secret, last step used).
type Factors = HashMap<(String, String), (String, u64)>;
static SECOND_FACTORS: std::sync::LazyLock<std::sync::Mutex<Factors>> =
    std::sync::LazyLock::new(Default::default);

/// The secret the harness set up for this operator on this server, if it did.
pub fn harness_secret(base: &str, email: &str) -> Option<String> {
    SECOND_FACTORS
        .lock()
        .unwrap()
        .get(&(base.to_string(), email.to_string()))
        .map(|(secret, _)| secret.clone())
}

/// The six-digit code an authenticator app with `secret` (base32) shows at Unix time `at`.
pub fn totp_code(secret: &str, email: &str, at: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("a base32 secret");
    totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .with_account_name(email)
        .with_issuer(Some("jobboard"))
        .build()
        .expect("a TOTP")
        .generate(at)
        .to_string()
}

/// A code for a time step not used before by this operator (the portal accepts each step
/// once, and the next one too for clock drift), waiting for the next step if both are used.
pub async fn fresh_code(base: &str, email: &str, secret: &str) -> String {
    let key = (base.to_string(), email.to_string());
    loop {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let current = now / 30;
        let last = SECOND_FACTORS
            .lock()
            .unwrap()
            .get(&key)
            .map_or(0, |(_, last)| *last);
        let step = current.max(last + 1);
        if step <= current + 1 {
            SECOND_FACTORS
                .lock()
                .unwrap()
                .insert(key, (secret.to_string(), step));
            return totp_code(secret, email, step * 30);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// After an operator's password: sets up the second factor the first time (reading the secret
/// off the page, as an authenticator app scans it, and leaving the recovery codes page), or
/// types the current code. Any other page is handed back as it is.
pub async fn pass_second_factor(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    page: Page,
) -> Page {
    // A client that does not follow redirects (the access matrix's) is walked along here.
    let follow = |page: Page| async move {
        let mut page = page;
        while page.status.is_redirection() {
            let location = page.headers[reqwest::header::LOCATION]
                .to_str()
                .unwrap()
                .to_string();
            let url = if location.starts_with('/') {
                format!("{base}{location}")
            } else {
                location
            };
            page = Page::from(client.get(url).send().await.unwrap()).await;
        }
        page
    };
    let page = follow(page).await;
    match page.path() {
        "/login/second-factor/enrol" => {
            let secret = page
                .document()
                .select(&Selector::parse("#totp-secret").unwrap())
                .next()
                .expect("the secret on the set-up page")
                .text()
                .collect::<String>();
            let code = fresh_code(base, email, &secret).await;
            let codes = page
                .form("Confirm and continue")
                .fill("Code the app shows now", &code)
                .submit_with(client)
                .await;
            let codes = follow(codes).await;
            assert_eq!(
                codes.path(),
                "/operator/security/recovery-codes",
                "{}",
                codes.text()
            );
            // The signed-in operator's own language may apply now: the link by its id.
            let next = codes
                .document()
                .select(&Selector::parse("#continue").unwrap())
                .next()
                .and_then(|a| a.value().attr("href").map(str::to_string))
                .expect("the link onwards from the recovery codes");
            follow(Page::from(client.get(format!("{base}{next}")).send().await.unwrap()).await)
                .await
        }
        "/login/second-factor" => {
            let secret = harness_secret(base, email)
                .expect("the harness set up this operator's second factor");
            let code = fresh_code(base, email, &secret).await;
            let done = page
                .form("Continue")
                .fill(
                    "Code from your authenticator app, or a recovery code",
                    &code,
                )
                .submit_with(client)
                .await;
            follow(done).await
        }
        _ => page,
    }
}

/// An e-mail as received.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

impl Mail {
    pub fn parse(bytes: &[u8]) -> Option<Mail> {
        let message = mail_parser::MessageParser::default().parse(bytes)?;
        Some(Mail {
            to: message.to()?.first()?.address()?.to_string(),
            subject: message.subject().unwrap_or_default().to_string(),
            text: message
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            html: message
                .body_html(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            raw: String::from_utf8_lossy(bytes).into_owned(),
        })
    }

    /// The link in the text part whose URL contains `fragment`, as a path on the portal.
    pub fn link(&self, fragment: &str) -> String {
        let url = self
            .text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(fragment))
            .unwrap_or_else(|| panic!("no link with {fragment:?} in:\n{}", self.text));
        let parsed = reqwest::Url::parse(url).expect("link is a URL");
        match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        }
    }
}

/// Every `.eml` (or Maildir) message to `to` in a folder tree, oldest first.
pub fn read_mails(dir: &Path, to: &str) -> Vec<Mail> {
    let mut files = Vec::new();
    collect_files(dir, &mut files);
    files.sort();
    files
        .iter()
        .filter_map(|f| std::fs::read(f).ok())
        .filter_map(|bytes| Mail::parse(&bytes))
        .filter(|m| m.to.eq_ignore_ascii_case(to))
        .collect()
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if path.is_dir() {
            collect_files(&path, out);
        } else if !hidden {
            out.push(path);
        }
    }
}

pub async fn wait_for_mails(dir: &Path, to: &str, at_least: usize) -> Vec<Mail> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let mails = read_mails(dir, to);
        if mails.len() >= at_least {
            return mails;
        }
        assert!(
            Instant::now() < deadline,
            "expected {at_least} e-mails to {to} in {}, found {}",
            dir.display(),
            mails.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A real SMTP server process (Python's aiosmtpd) on a loopback port, storing what it
/// receives in a Maildir. It is killed when dropped, and stops by itself after ten minutes.
pub struct SmtpServer {
    pub port: u16,
    pub maildir: tempfile::TempDir,
    child: std::process::Child,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let port = free_port();
        SmtpServer::start_on(port).await
    }

    pub async fn start_on(port: u16) -> SmtpServer {
        let maildir = tempfile::tempdir().expect("maildir");
        let child = std::process::Command::new("timeout")
            .args(["600", "python3", "-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            // A Maildir the handler creates itself (it must not exist yet).
            .arg(maildir.path().join("inbox"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start python3 -m aiosmtpd (pip install aiosmtpd)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "the SMTP server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        SmtpServer {
            port,
            maildir,
            child,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub async fn received(&self, to: &str, at_least: usize) -> Vec<Mail> {
        wait_for_mails(self.maildir.path(), to, at_least).await
    }

    pub fn received_now(&self, to: &str) -> Vec<Mail> {
        read_mails(self.maildir.path(), to)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // SIGTERM reaches `timeout`, which passes it on to the server it started.
        let _ = std::process::Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}
