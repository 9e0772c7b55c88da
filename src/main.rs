//! The `jobboard` command line (INTERFACE.md): serve, migrate, demo, reindex, policy, operator,
//! retention.

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use jobboard::{
    accounts, ads, app,
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
    }
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
