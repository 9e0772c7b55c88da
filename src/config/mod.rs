//! One `Config` for the whole process, read from environment variables (INTERFACE.md) and, when
//! `JOBBOARD_CONFIG` names one, a TOML file with the same keys in lower case. Defaults are the
//! embedded mode: SQLite, files and e-mails under the data dir.

use std::{collections::HashMap, net::SocketAddr, path::PathBuf, time::Duration};

use url::Url;

pub mod billing;
pub mod controller;

use crate::{
    config::{
        billing::{PaymentTerms, Seller},
        controller::Controller,
    },
    error::{Error, Result},
};

#[derive(Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub base_url: Url,
    /// `None` writes e-mails as `.eml` files under the data dir.
    pub smtp_url: Option<String>,
    /// The local mailbox page, for trying the portal out (`serve --demo` or
    /// `JOBBOARD_LOCAL_MAILBOX=on`); see `mailbox_enabled` for when it is really served.
    pub local_mailbox: bool,
    pub mail_from: String,
    /// 64 hex characters; `None` means "generate once into the data dir" (embedded mode only).
    pub master_key: Option<String>,
    pub s3: Option<S3Config>,
    pub log_format: LogFormat,
    /// First retry delay of the mail outbox; doubles per attempt.
    pub outbox_retry_base: Duration,
    /// How often each node looks for due background work when nothing woke it.
    pub worker_poll: Duration,
    /// How often each node writes the ad statistics it has counted in memory.
    pub ad_stats_flush: Duration,
    /// Largest accepted company logo (bytes), and its largest side (pixels).
    pub max_logo_bytes: u64,
    /// Public API requests per second and client address; 0 turns the limit off.
    pub api_rate_per_second: u32,
    /// Largest accepted upload, per file.
    pub max_upload_bytes: u64,
    /// How many files, and how many bytes of them, one person may store (their documents,
    /// photo and the copies sent with applications).
    pub quota_files: u64,
    pub quota_bytes: u64,
    /// The data controller named in the privacy policy (`JOBBOARD_CONTROLLER_*`).
    pub controller: Controller,
    /// A bearer token that lets a scraper elsewhere read `/metrics` (loopback always may).
    pub metrics_token: Option<String>,
    /// How often `serve` runs the retention sweeper; `None` leaves it to
    /// `jobboard retention run` (`JOBBOARD_RETENTION_INTERVAL_HOURS=0`).
    pub retention_interval: Option<Duration>,
    /// The seller on every invoice (`JOBBOARD_SELLER_*`).
    pub seller: Seller,
    /// Due days, reminder fee, compensation and interest (`JOBBOARD_BILLING_*`).
    pub payment_terms: PaymentTerms,
    /// Whether operators must use a second factor (`JOBBOARD_OPERATOR_MFA=required|optional`);
    /// unset, it is required, except in the embedded demo. See `operator_mfa_required`.
    pub operator_mfa: Option<OperatorMfa>,
    /// `serve --demo`: set by the command line only, never by configuration.
    pub demo: bool,
    /// An operator's session ends after this long unused (`JOBBOARD_OPERATOR_IDLE_SECONDS`, 30 minutes).
    pub operator_idle: Duration,
    /// Sensitive operator actions ask for the second factor again when the last check is
    /// older than this (`JOBBOARD_OPERATOR_REAUTH_SECONDS`, 10 minutes).
    pub operator_reauth: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorMfa {
    Required,
    Optional,
}

#[derive(Clone, Debug)]
pub struct S3Config {
    pub bucket: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

// Secrets stay out of logs and panics.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_kind())
            .field("base_url", &self.base_url.as_str())
            .field("smtp", &self.smtp_url.as_ref().map(|_| "<configured>"))
            .field(
                "master_key",
                &self.master_key.as_ref().map(|_| "<redacted>"),
            )
            .field("s3", &self.s3)
            .field("controller", &self.controller.name)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Reads the process environment (and the optional TOML file it names).
    pub fn from_env() -> Result<Self> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::from_map(env)
    }

    /// Builds a configuration from explicit variables; tests use this to stay independent of
    /// the environment they run in.
    pub fn from_map(mut vars: HashMap<String, String>) -> Result<Self> {
        if let Some(path) = vars.get("JOBBOARD_CONFIG").cloned() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::Config(format!("cannot read {path}: {e}")))?;
            let table: toml::Table = toml::from_str(&text)
                .map_err(|e| Error::Config(format!("{path} is not valid TOML: {e}")))?;
            for (key, value) in table {
                let value = match value {
                    toml::Value::String(s) => s,
                    other => other.to_string(),
                };
                // The environment wins over the file.
                vars.entry(key.to_uppercase()).or_insert(value);
            }
        }
        let get = |key: &str| vars.get(key).filter(|v| !v.trim().is_empty()).cloned();

        let addr: SocketAddr = get("JOBBOARD_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| Error::Config(format!("JOBBOARD_ADDR: {e}")))?;
        let data_dir = PathBuf::from(get("JOBBOARD_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/jobboard.db", data_dir.display()));
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(Error::Config(
                "DATABASE_URL must start with sqlite: or postgres://".into(),
            ));
        }
        let base_url = get("JOBBOARD_BASE_URL").unwrap_or_else(|| format!("http://{addr}"));
        let base_url =
            Url::parse(&base_url).map_err(|e| Error::Config(format!("JOBBOARD_BASE_URL: {e}")))?;
        let master_key = get("JOBBOARD_MASTER_KEY");
        if let Some(key) = &master_key {
            crate::secrets::MasterKey::parse(key)?;
        }
        let s3 = get("JOBBOARD_S3_BUCKET").map(|bucket| S3Config {
            bucket,
            endpoint: get("JOBBOARD_S3_ENDPOINT"),
            region: get("JOBBOARD_S3_REGION"),
        });
        let log_format = match get("JOBBOARD_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(Error::Config(format!(
                    "JOBBOARD_LOG_FORMAT must be pretty or json, not {other}"
                )));
            }
        };
        let millis = |key: &str, default: u64| -> Result<Duration> {
            get(key)
                .map(|v| v.parse::<u64>())
                .transpose()
                .map_err(|e| Error::Config(format!("{key}: {e}")))
                .map(|v| Duration::from_millis(v.unwrap_or(default)))
        };
        let number = |key: &str, default: u64| -> Result<u64> {
            get(key)
                .map(|v| v.parse::<u64>())
                .transpose()
                .map_err(|e| Error::Config(format!("{key}: {e}")))
                .map(|v| v.unwrap_or(default))
        };
        let local_mailbox = match get("JOBBOARD_LOCAL_MAILBOX").as_deref() {
            None | Some("off" | "false" | "0") => false,
            Some("on" | "true" | "1") => true,
            Some(other) => {
                return Err(Error::Config(format!(
                    "JOBBOARD_LOCAL_MAILBOX must be on or off, not {other}"
                )));
            }
        };
        let operator_mfa = match get("JOBBOARD_OPERATOR_MFA").as_deref() {
            None => None,
            Some("required") => Some(OperatorMfa::Required),
            Some("optional") => Some(OperatorMfa::Optional),
            Some(other) => {
                return Err(Error::Config(format!(
                    "JOBBOARD_OPERATOR_MFA must be required or optional, not {other}"
                )));
            }
        };
        let seconds = |key: &str, default: u64| -> Result<Duration> {
            match number(key, default)? {
                0 => Err(Error::Config(format!("{key} must be at least 1"))),
                n => Ok(Duration::from_secs(n)),
            }
        };
        let production = database_url.starts_with("postgres") || s3.is_some();
        let controller = Controller::from_config(get, production)?;
        let seller = Seller::from_config(get)?;
        let payment_terms = PaymentTerms::from_config(get)?;
        let config = Config {
            addr,
            data_dir,
            database_url,
            base_url,
            smtp_url: get("JOBBOARD_SMTP_URL"),
            local_mailbox,
            mail_from: get("JOBBOARD_MAIL_FROM")
                .unwrap_or_else(|| "jobboard <no-reply@jobboard.localhost>".into()),
            master_key,
            s3,
            log_format,
            outbox_retry_base: millis("JOBBOARD_OUTBOX_RETRY_MS", 30_000)?,
            worker_poll: millis("JOBBOARD_WORKER_POLL_MS", 2_000)?,
            ad_stats_flush: millis("JOBBOARD_AD_STATS_FLUSH_MS", 5_000)?,
            max_logo_bytes: number("JOBBOARD_MAX_LOGO_BYTES", 1_000_000)?,
            api_rate_per_second: get("JOBBOARD_API_RATE")
                .map(|v| v.parse::<u32>())
                .transpose()
                .map_err(|e| Error::Config(format!("JOBBOARD_API_RATE: {e}")))?
                .unwrap_or(20),
            max_upload_bytes: number("JOBBOARD_MAX_UPLOAD_BYTES", 10_000_000)?,
            quota_files: number("JOBBOARD_QUOTA_FILES", 200)?,
            quota_bytes: number("JOBBOARD_QUOTA_BYTES", 250_000_000)?,
            controller,
            metrics_token: get("JOBBOARD_METRICS_TOKEN"),
            retention_interval: match number("JOBBOARD_RETENTION_INTERVAL_HOURS", 24)? {
                0 => None,
                hours => Some(Duration::from_secs(hours * 3600)),
            },
            seller,
            payment_terms,
            operator_mfa,
            demo: false,
            operator_idle: seconds("JOBBOARD_OPERATOR_IDLE_SECONDS", 30 * 60)?,
            operator_reauth: seconds("JOBBOARD_OPERATOR_REAUTH_SECONDS", 10 * 60)?,
        };
        if config.is_production() && config.master_key.is_none() {
            return Err(Error::Config(
                "JOBBOARD_MASTER_KEY is required with PostgreSQL or S3 (64 hex characters, e.g. `openssl rand -hex 32`)".into(),
            ));
        }
        Ok(config)
    }

    /// Operators need a second factor unless the configuration relaxed it, or left it unset
    /// in the embedded demo (whose demo operator signs in with the password alone).
    pub fn operator_mfa_required(&self) -> bool {
        match self.operator_mfa {
            Some(OperatorMfa::Required) => true,
            Some(OperatorMfa::Optional) => false,
            None => !self.demo,
        }
    }

    /// `JOBBOARD_OPERATOR_MFA=optional` is for the embedded demo only.
    pub fn check_operator_mfa(&self) -> Result<()> {
        if self.operator_mfa == Some(OperatorMfa::Optional) && !self.demo {
            return Err(Error::Config(
                "JOBBOARD_OPERATOR_MFA=optional is allowed only with `serve --demo`; operators of a real installation use a second factor".into(),
            ));
        }
        Ok(())
    }

    /// Production-like deployments share the database between nodes, so they cannot each
    /// generate their own key.
    pub fn is_production(&self) -> bool {
        self.database_kind() == "postgres" || self.s3.is_some()
    }

    pub fn database_kind(&self) -> &'static str {
        if self.database_url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        }
    }

    /// Without SMTP, e-mails are written as `.eml` files under the data dir.
    pub fn mail_to_files(&self) -> bool {
        self.smtp_url.is_none()
    }

    /// The local mailbox shows every e-mail the portal wrote, reset links included, so it is
    /// served only when asked for, only while e-mails go to files, and never on an https
    /// deployment; its handlers also answer loopback clients only.
    pub fn mailbox_enabled(&self) -> bool {
        self.local_mailbox && self.mail_to_files() && self.base_url.scheme() != "https"
    }

    /// Refuses to serve a production deployment (PostgreSQL or S3) that would write its
    /// e-mails to files nobody reads, unless the local mailbox was asked for explicitly.
    pub fn check_mail_delivery(&self) -> Result<()> {
        if self.is_production() && self.mail_to_files() && !self.mailbox_enabled() {
            return Err(Error::Config(
                "JOBBOARD_SMTP_URL is required with PostgreSQL or S3: without it e-mails \
                 (verification and password-reset links) would be written to files nobody \
                 reads. To try the portal out locally, use `serve --demo` or \
                 JOBBOARD_LOCAL_MAILBOX=on."
                    .into(),
            ));
        }
        Ok(())
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    pub fn cookies_secure(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// An absolute link for e-mails and feeds.
    pub fn absolute_url(&self, path_and_query: &str) -> String {
        let base = self.base_url.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }

    /// The domain of queued mail's Message-IDs: the portal's host.
    pub fn message_domain(&self) -> &str {
        self.base_url.host_str().unwrap_or("localhost")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_the_embedded_mode() {
        let config = Config::from_map(HashMap::new()).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite://./data/jobboard.db");
        assert_eq!(config.base_url.as_str(), "http://127.0.0.1:8080/");
        assert!(config.mail_to_files());
        assert!(!config.mailbox_enabled(), "the mailbox is opt-in");
        assert!(!config.cookies_secure());
    }

    #[test]
    fn the_local_mailbox_is_served_only_when_asked_for_without_smtp_and_https() {
        let on = [("JOBBOARD_LOCAL_MAILBOX", "on")];
        assert!(Config::from_map(vars(&on)).unwrap().mailbox_enabled());
        let with = |extra: (&str, &str)| {
            Config::from_map(vars(&[on[0], extra]))
                .unwrap()
                .mailbox_enabled()
        };
        assert!(!with(("JOBBOARD_SMTP_URL", "smtp://127.0.0.1:25")));
        assert!(!with(("JOBBOARD_BASE_URL", "https://jobs.example.dk")));
        assert!(Config::from_map(vars(&[("JOBBOARD_LOCAL_MAILBOX", "maybe")])).is_err());
    }

    #[test]
    fn production_without_smtp_refuses_to_serve_unless_the_mailbox_is_asked_for() {
        let key = "00".repeat(32);
        let mut pairs = vec![
            ("DATABASE_URL", "postgres://x@localhost/db"),
            ("JOBBOARD_MASTER_KEY", key.as_str()),
        ];
        pairs.extend_from_slice(CONTROLLER);
        let config = Config::from_map(vars(&pairs)).unwrap();
        let err = config.check_mail_delivery().unwrap_err().to_string();
        assert!(err.contains("JOBBOARD_SMTP_URL"), "{err}");
        let mut with_smtp = pairs.clone();
        with_smtp.push(("JOBBOARD_SMTP_URL", "smtp://127.0.0.1:25"));
        assert!(
            Config::from_map(vars(&with_smtp))
                .unwrap()
                .check_mail_delivery()
                .is_ok()
        );
        pairs.push(("JOBBOARD_LOCAL_MAILBOX", "on"));
        assert!(
            Config::from_map(vars(&pairs))
                .unwrap()
                .check_mail_delivery()
                .is_ok()
        );
        assert!(
            Config::from_map(HashMap::new())
                .unwrap()
                .check_mail_delivery()
                .is_ok()
        );
    }

    const CONTROLLER: &[(&str, &str)] = &[
        ("JOBBOARD_CONTROLLER_NAME", "Nordlys Jobs ApS"),
        ("JOBBOARD_CONTROLLER_ADDRESS", "Havnegade 1, 8000 Aarhus C"),
        ("JOBBOARD_CONTROLLER_CVR", "10150817"),
        ("JOBBOARD_CONTROLLER_EMAIL", "privacy@nordlys.example"),
    ];

    #[test]
    fn postgres_needs_a_master_key() {
        let mut pairs = vec![("DATABASE_URL", "postgres://x@localhost/db")];
        pairs.extend_from_slice(CONTROLLER);
        let err = Config::from_map(vars(&pairs));
        assert!(err.is_err());
        let key = "00".repeat(32);
        pairs.push(("JOBBOARD_MASTER_KEY", &key));
        assert!(Config::from_map(vars(&pairs)).is_ok());
    }

    #[test]
    fn production_needs_the_controller_and_embedded_mode_shows_demo_values() {
        let key = "00".repeat(32);
        let err = Config::from_map(vars(&[
            ("JOBBOARD_S3_BUCKET", "files"),
            ("JOBBOARD_MASTER_KEY", &key),
        ]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("JOBBOARD_CONTROLLER_NAME"), "{err}");
        assert!(Config::from_map(HashMap::new()).unwrap().controller.demo);
    }

    #[test]
    fn files_on_aws_outside_the_eu_are_a_third_country_transfer() {
        let key = "00".repeat(32);
        let config = |extra: &[(&str, &str)]| {
            let mut pairs = vec![
                ("JOBBOARD_S3_BUCKET", "files"),
                ("JOBBOARD_MASTER_KEY", &key),
            ];
            pairs.extend_from_slice(CONTROLLER);
            pairs.extend_from_slice(extra);
            Config::from_map(vars(&pairs)).unwrap()
        };
        use crate::privacy::registry::third_country_storage;
        assert_eq!(
            third_country_storage(&config(&[])),
            Some("us-east-1".into())
        );
        assert_eq!(
            third_country_storage(&config(&[("JOBBOARD_S3_REGION", "eu-west-2")])),
            Some("eu-west-2".into()),
            "London is outside the EU/EEA"
        );
        assert_eq!(
            third_country_storage(&config(&[("JOBBOARD_S3_REGION", "eu-north-1")])),
            None
        );
        assert_eq!(
            third_country_storage(&config(&[("JOBBOARD_S3_ENDPOINT", "http://minio:9000")])),
            None
        );
        assert_eq!(
            third_country_storage(&Config::from_map(HashMap::new()).unwrap()),
            None
        );
    }

    #[test]
    fn the_toml_file_mirrors_the_controller_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobboard.toml");
        let toml: String = CONTROLLER
            .iter()
            .map(|(k, v)| format!("{} = \"{v}\"\n", k.to_lowercase()))
            .collect();
        std::fs::write(&path, toml).unwrap();
        let config =
            Config::from_map(vars(&[("JOBBOARD_CONFIG", path.to_str().unwrap())])).unwrap();
        assert!(!config.controller.demo);
        assert_eq!(config.controller.name, "Nordlys Jobs ApS");
        assert_eq!(config.controller.cvr, "10150817");
    }

    #[test]
    fn https_base_url_makes_cookies_secure() {
        let config =
            Config::from_map(vars(&[("JOBBOARD_BASE_URL", "https://jobs.example.dk")])).unwrap();
        assert!(config.cookies_secure());
        assert_eq!(
            config.absolute_url("/login"),
            "https://jobs.example.dk/login"
        );
    }
}
