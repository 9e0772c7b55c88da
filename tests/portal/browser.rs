//! A real browser for the stories that must be checked as a person sees them: Debian's headless
//! Chromium, driven through chromedriver's W3C WebDriver protocol over loopback. The protocol
//! is a handful of JSON calls, made here with the `reqwest` client the tests already use (the
//! WebDriver crates pull in second copies of `http`, `cookie` and ICU).
//!
//! chromedriver runs under `timeout`, so it stops by itself even if a test is killed, and is
//! killed (with its Chromium) when the `Browser` is dropped. Without Chromium the test fails:
//! `apt-get install chromium chromium-driver` (`.ci/run` does).

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::helpers::free_port;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C name of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    endpoint: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

/// A cookie as the browser holds it.
#[derive(Debug, Clone)]
pub struct BrowserCookie {
    pub name: String,
    pub value: String,
}

impl Browser {
    /// Starts chromedriver on a loopback port and a headless Chromium session that can reach
    /// nothing but loopback.
    pub async fn start() -> Browser {
        for binary in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(binary).exists(),
                "{binary} is missing: install Debian's chromium and chromium-driver \
                 (apt-get install chromium chromium-driver); the browser stories fail without them"
            );
        }
        let port = free_port();
        let driver = Command::new("timeout")
            .args(["300", CHROMEDRIVER])
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let endpoint = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = http
                .get(format!("{endpoint}/status"))
                .send()
                .await
                .ok()
                .map(|r| r.status().is_success())
                .unwrap_or(false);
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("browser profile dir");
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--no-default-browser-check",
                        "--disable-extensions",
                        "--disable-sync",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-default-apps",
                        // Nothing but the portal on loopback is reachable.
                        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
                        format!("--user-data-dir={}", profile.path().display()),
                    ],
                },
            }},
        });
        let mut browser = Browser {
            driver,
            endpoint,
            session: String::new(),
            http,
            _profile: profile,
        };
        let answer = browser.call("POST", "/session", capabilities).await;
        browser.session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"))
            .to_string();
        browser
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        match self.try_call(method, path, body).await {
            Ok(value) => value,
            Err(error) => panic!("WebDriver {method} {path} failed: {error}"),
        }
    }

    async fn try_call(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}{}", self.endpoint, path);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let answer: Value = response.json().await.map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(answer["value"].clone())
        } else {
            Err(format!("{status}: {answer}"))
        }
    }

    async fn script(&self, script: &str) -> Result<Value, String> {
        self.try_call(
            "POST",
            &self.session_path("/execute/sync"),
            json!({ "script": script, "args": [] }),
        )
        .await
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", &self.session_path("/url"), json!({ "url": url }))
            .await;
    }

    pub async fn current_url(&self) -> reqwest::Url {
        let url = self
            .call("GET", &self.session_path("/url"), json!({}))
            .await;
        reqwest::Url::parse(url.as_str().expect("url")).expect("a URL")
    }

    pub async fn cookies(&self) -> Vec<BrowserCookie> {
        let cookies = self
            .call("GET", &self.session_path("/cookie"), json!({}))
            .await;
        cookies
            .as_array()
            .expect("cookie list")
            .iter()
            .map(|c| BrowserCookie {
                name: c["name"].as_str().unwrap_or_default().to_string(),
                value: c["value"].as_str().unwrap_or_default().to_string(),
            })
            .collect()
    }

    pub async fn cookie_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.cookies().await.into_iter().map(|c| c.name).collect();
        names.sort();
        names
    }

    /// Entries in the page's localStorage and sessionStorage (WebDriver scripts run outside
    /// the page's Content-Security-Policy).
    pub async fn storage_entries(&self) -> i64 {
        let count = self
            .script("return localStorage.length + sessionStorage.length;")
            .await
            .expect("web storage readable");
        count.as_i64().expect("a number")
    }

    /// Gives the browser a virtual passkey authenticator (WebDriver's WebAuthn extension): a
    /// platform authenticator that verifies the user and consents at once.
    pub async fn add_virtual_authenticator(&self) {
        self.call(
            "POST",
            &self.session_path("/webauthn/authenticator"),
            json!({
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": true,
                "hasUserVerification": true,
                "isUserConsenting": true,
                "isUserVerified": true,
            }),
        )
        .await;
    }

    /// Types into the field with this label, as a person would.
    pub async fn fill(&self, label: &str, value: &str) {
        let script = format!(
            "const label = [...document.querySelectorAll('label')]
                 .find(l => l.textContent.trim() === {label});
             if (!label || !label.control) return false;
             label.control.value = {value};
             return true;",
            label = json!(label),
            value = json!(value),
        );
        let filled = self.eval(&script).await;
        assert_eq!(filled, Value::Bool(true), "no field labelled {label:?}");
    }

    /// Runs a script in the page and hands back its answer.
    pub async fn eval(&self, script: &str) -> Value {
        self.script(script).await.expect("the script runs")
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        let body = self.find("//body").await.expect("a body");
        let text = self
            .call(
                "GET",
                &self.session_path(&format!("/element/{body}/text")),
                json!({}),
            )
            .await;
        text.as_str().unwrap_or_default().to_string()
    }

    async fn find(&self, xpath: &str) -> Option<String> {
        let found = self
            .call(
                "POST",
                &self.session_path("/elements"),
                json!({ "using": "xpath", "value": xpath }),
            )
            .await;
        found
            .as_array()?
            .first()
            .and_then(|e| e[ELEMENT].as_str())
            .map(str::to_string)
    }

    /// Whether a button with exactly this label is on the page.
    pub async fn has_button(&self, label: &str) -> bool {
        self.find(&format!("//button[normalize-space()='{label}']"))
            .await
            .is_some()
    }

    /// Clicks the button with this label, as a person would, and waits for the next page.
    pub async fn click_button(&self, label: &str) {
        self.click(&format!("//button[normalize-space()='{label}']"), label)
            .await;
    }

    /// Follows the link with this text.
    pub async fn click_link(&self, text: &str) {
        self.click(&format!("//a[normalize-space()='{text}']"), text)
            .await;
    }

    async fn click(&self, xpath: &str, what: &str) {
        let element = self
            .find(xpath)
            .await
            .unwrap_or_else(|| panic!("nothing to click labelled {what:?}"));
        // Mark this document, so that the next one can be told apart once it has loaded:
        // WebDriver's click may return before the navigation it starts has finished.
        self.script("window.__before_click = true;")
            .await
            .expect("mark the page");
        self.call(
            "POST",
            &self.session_path(&format!("/element/{element}/click")),
            json!({}),
        )
        .await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let loaded = self
                .script(
                    "return window.__before_click === undefined \
                     && document.readyState === 'complete';",
                )
                .await;
            if loaded == Ok(Value::Bool(true)) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "clicking {what:?} did not lead to a new page"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session quits Chromium; killing `timeout` stops chromedriver.
        let url = format!("{}/session/{}", self.endpoint, self.session);
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async move {
                    let _ = reqwest::Client::new().delete(url).send().await;
                });
            }
        })
        .join();
        let _ = Command::new("kill")
            .arg(self.driver.id().to_string())
            .status();
        let _ = self.driver.wait();
    }
}
