//! The `jobboard` command line (INTERFACE.md): serve, migrate, demo, reindex, policy, operator,
//! retention, billing, audit.

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use jobboard::{
    accounts, ads, app, audit, billing,
    config::{Config, LogFormat},
    demo::{self, DemoOptions},
    error::{Error, Result},
    retention::{self, sweeper::Outcome},
};

#[derive(Parser)]
#[command(
    name = "jobboard",
    version,
    about = "A job portal with privacy built in"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then serve the portal.
    Serve {
        /// Fill an empty database with demo data first (three demo logins, companies, seekers),
        /// and serve the local mailbox to this machine when no mail server is configured.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Add deterministic synthetic data.
    Demo {
        #[arg(long, default_value_t = 20)]
        companies: u32,
        /// Published job ads, spread over all companies (a million take about a minute).
        #[arg(long, default_value_t = 300)]
        ads: u64,
        #[arg(long, default_value_t = 50)]
        seekers: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Rebuild this node's search index from the database.
    Reindex,
    /// Print the privacy registry (controller, policy version, data categories, purposes, legal
    /// bases, recipients and processors, transfers, retention rules, cookies) as JSON.
    Policy,
    /// Manage operator accounts.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Enforce the privacy registry's retention rules.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Bookkeeping: export, documents, reminders.
    Billing {
        #[command(subcommand)]
        command: BillingCommand,
    },
    /// The operator audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit log's hash chain from its checkpoint to its head: exit 0 with a
    /// one-line summary when intact, non-zero naming the first broken entry otherwise.
    Verify,
}

#[derive(Subcommand)]
enum BillingCommand {
    /// Print invoices, credit notes and payments as CSV (one row per document; amounts in
    /// kroner with two decimals, ISO dates).
    Export {
        /// First document date to include (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Last document date to include (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
    },
    /// Write an invoice's (`17`) or credit note's (`KN-3`) PDF or Peppol UBL XML to stdout.
    Document {
        number: String,
        #[arg(long, value_parser = ["pdf", "ubl"])]
        format: String,
    },
    /// Send the reminders due (as of today or DATE) and print a JSON report.
    Remind {
        /// Send what is due on this Copenhagen date (YYYY-MM-DD) instead of today.
        #[arg(long)]
        as_of: Option<String>,
        /// Send nothing; count what would be sent.
        #[arg(long)]
        dry_run: bool,
    },
}

fn parse_date(input: &str) -> Result<time::Date> {
    time::Date::parse(input, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| Error::Config(format!("{input} is not a date (YYYY-MM-DD)")))
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Apply every retention rule the sweeper enforces and print the JSON report.
    Run {
        /// Change nothing; report what a run would do.
        #[arg(long)]
        dry_run: bool,
        /// Apply the rules as of this date (YYYY-MM-DD, the end of that day in Copenhagen) or
        /// RFC 3339 time instead of now.
        #[arg(long)]
        as_of: Option<String>,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create an operator; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
    },
}

fn main() {
    let cli = Cli::parse();
    let outcome = Config::from_env().and_then(|config| {
        init_logging(config.log_format);
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(Error::from)?
            .block_on(run(cli.command, config))
    });
    if let Err(e) = outcome {
        eprintln!("jobboard: {}", one_line(&e));
        std::process::exit(1);
    }
}

fn one_line(error: &Error) -> String {
    match error {
        Error::BadRequest(message) | Error::Config(message) => message.clone(),
        other => other.to_string(),
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}

async fn run(command: Command, config: Config) -> Result<()> {
    match command {
        Command::Serve { demo } => {
            let mut config = config;
            config.local_mailbox |= demo;
            config.check_mail_delivery()?;
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .map_err(|e| Error::Config(format!("cannot listen on {}: {e}", config.addr)))?;
            let state = app::prepare(config).await?;
            if demo && demo::is_empty(&state.db).await? {
                let report = demo::fill_and_index(&state, DemoOptions::default()).await?;
                tracing::info!(
                    companies = report.companies,
                    seekers = report.seekers,
                    "demo data added; log in as seeker@example.com, employer@example.com or \
                     operator@example.com with the password `{}`",
                    demo::DEMO_PASSWORD
                );
            }
            let shutdown = CancellationToken::new();
            tokio::spawn(stop_on_signal(shutdown.clone()));
            app::serve(state, listener, shutdown).await
        }
        Command::Migrate => {
            let state = app::prepare(config).await?;
            state.db.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::Demo {
            companies,
            ads,
            seekers,
            seed,
        } => {
            let state = app::prepare(config).await?;
            let report = demo::fill_and_index(
                &state,
                DemoOptions {
                    companies,
                    ads,
                    seekers,
                    seed,
                },
            )
            .await?;
            println!(
                "{}",
                serde_json::to_string(&report).map_err(Error::internal)?
            );
            Ok(())
        }
        Command::Reindex => {
            let state = app::prepare(config).await?;
            let started = std::time::Instant::now();
            let count = ads::indexing::rebuild(&state.db, &state.search).await?;
            state.db.close().await;
            println!(
                "{{\"indexed\":{count},\"seconds\":{:.1}}}",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Policy => {
            let document = jobboard::privacy::registry::PolicyDocument::new(&config);
            println!(
                "{}",
                serde_json::to_string_pretty(&document).map_err(Error::internal)?
            );
            Ok(())
        }
        Command::Operator {
            command: OperatorCommand::Create { email },
        } => {
            let mut input = String::new();
            std::io::stdin().read_line(&mut input)?;
            let password = input.trim_end_matches(['\n', '\r']);
            let state = app::prepare(config).await?;
            let id = accounts::cli::create_operator(&state.db, &email, password).await?;
            state.db.close().await;
            println!("operator {id} created");
            Ok(())
        }
        Command::Retention {
            command: RetentionCommand::Run { dry_run, as_of },
        } => {
            let as_of = as_of.as_deref().map(retention::parse_as_of).transpose()?;
            let state = app::prepare(config).await?;
            let outcome = retention::sweeper::run(&state, as_of, dry_run).await;
            state.db.close().await;
            match outcome? {
                Outcome::Done(report) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&report).map_err(Error::internal)?
                    );
                    Ok(())
                }
                Outcome::Busy(until) => Err(Error::Config(format!(
                    "another retention run is in progress (its lease ends at {until}); try again later"
                ))),
            }
        }
        Command::Billing { command } => billing_command(command, config).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let state = app::prepare(config).await?;
            let verdict = audit::verify(&state.db).await;
            state.db.close().await;
            match verdict? {
                audit::Verdict::Intact { entries, head } => {
                    match head {
                        Some(head) => println!(
                            "audit log intact: {entries} entries, the newest is {} with hash {}",
                            head.entry_id, head.hash
                        ),
                        None => println!("audit log intact: {entries} entries"),
                    }
                    Ok(())
                }
                audit::Verdict::Broken { entry, why } => Err(Error::Config(format!(
                    "audit log broken at entry {entry}: {why}"
                ))),
            }
        }
    }
}

async fn billing_command(command: BillingCommand, config: Config) -> Result<()> {
    use std::io::Write;
    let state = app::prepare(config).await?;
    let outcome = match command {
        BillingCommand::Export { from, to } => {
            let from = from.as_deref().map(parse_date).transpose()?;
            let to = to.as_deref().map(parse_date).transpose()?;
            let csv = billing::export::csv(&state.db, from, to).await?;
            std::io::stdout()
                .write_all(csv.as_bytes())
                .map_err(Error::from)
        }
        BillingCommand::Document { number, format } => {
            let format = billing::Format::parse(&format)
                .ok_or_else(|| Error::Config("--format must be pdf or ubl".into()))?;
            match billing::find_document(&state, &number).await? {
                Some((doc, _)) => {
                    let bytes = format.render(&doc)?;
                    std::io::stdout().write_all(&bytes).map_err(Error::from)
                }
                None => Err(Error::Config(format!(
                    "no invoice or credit note numbered {number} (invoices: 17, credit notes: KN-3)"
                ))),
            }
        }
        BillingCommand::Remind { as_of, dry_run } => {
            let today = match as_of {
                Some(day) => parse_date(&day)?,
                None => jobboard::calendar::today(),
            };
            let report = billing::reminders::run(&state, today, dry_run).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&report).map_err(Error::internal)?
            );
            // The reminders are queued in the outbox; `serve` delivers them.
            Ok(())
        }
    };
    state.db.close().await;
    outcome
}

/// Ctrl-C or SIGTERM starts a graceful shutdown.
async fn stop_on_signal(shutdown: CancellationToken) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing requests and e-mail in progress");
    shutdown.cancel();
}
