//! The console's front page (`/operator`): a link to every operator task, the vital signs
//! (queues to work through, the last retention run, e-mail delivery, accounts) and charts of
//! the last 30 days, drawn on the server. Tasks, signs and charts are lists assembled here, so
//! a feature adds its own with one line (`tasks`, `vital_signs`, `daily_series`).

use askama::Template;
use async_trait::async_trait;
use axum::{extract::State, response::Response};
use time::{Date, Duration};

use crate::{
    accounts::store as accounts,
    ads::store as ads,
    applications::store as applications,
    billing, calendar,
    db::now,
    error::Result,
    i18n::{Tr, amount, instant},
    identity::CurrentOperator,
    mail::outbox::{self, FailedMail},
    privacy::{statistics::store as statistics, store as privacy_store},
    retention,
    state::AppState,
    support,
    web::{
        Layout,
        charts::{self, DailyChart},
        render,
    },
};

/// Days the charts cover.
const DAYS: i64 = 30;

/// An inquiry waiting longer than this is marked on its tile.
const SUPPORT_PATIENCE: Duration = Duration::days(2);

/// A page of the console, linked from its front page.
pub struct Task {
    pub href: &'static str,
    /// Catalog keys of the link's text and of the line that says what is done there.
    pub label: &'static str,
    pub about: &'static str,
}

/// Every operator task, in the order the navigation lists them.
fn tasks() -> Vec<Task> {
    let task = |href, label, about| Task { href, label, about };
    vec![
        task(
            "/operator/moderation",
            "operator.moderation_link",
            "console.task.moderation",
        ),
        task(
            "/operator/companies",
            "operator.companies_link",
            "console.task.companies",
        ),
        task(
            "/operator/accounts",
            "console.accounts.title",
            "console.task.accounts",
        ),
        task(
            "/operator/support",
            "support.inbox.title",
            "console.task.support",
        ),
        task(
            "/operator/billing",
            "billing.operator.title",
            "console.task.billing",
        ),
        task(
            "/operator/privacy-requests",
            "privacy_queue.title",
            "console.task.privacy_requests",
        ),
        task(
            "/operator/retention",
            "retention.title",
            "console.task.retention",
        ),
        task(
            "/operator/retention/holds",
            "retention.holds_title",
            "console.task.holds",
        ),
        task(
            "/operator/statistics",
            "statistics.title",
            "console.task.statistics",
        ),
        task(
            "/operator/newsletter",
            "newsletter.compose.title",
            "console.task.newsletter",
        ),
        task(
            "/operator/processing-record",
            "privacy.record.link",
            "console.task.processing_record",
        ),
        task("/operator/audit", "audit.title", "console.task.audit"),
        task(
            "/operator/security",
            "second_factor.security_title",
            "console.task.security",
        ),
    ]
}

/// One number on the front page, linking to where an operator acts on it.
pub struct Tile {
    /// A stable name (the tile's `data-sign`), e.g. for monitoring scrapers and tests.
    pub sign: &'static str,
    pub label: String,
    pub value: String,
    pub detail: Option<String>,
    pub href: &'static str,
    /// Needs attention now (an overdue request, a failed run, undeliverable e-mail).
    pub alert: bool,
}

/// A source of one tile.
#[async_trait]
pub trait VitalSign: Send + Sync {
    async fn tile(&self, state: &AppState, t: Tr) -> Result<Tile>;
}

/// Every tile, in the order shown.
fn vital_signs() -> Vec<Box<dyn VitalSign>> {
    vec![
        Box::new(ModerationQueue),
        Box::new(PrivacyRequests),
        Box::new(SupportInbox),
        Box::new(OverdueInvoices),
        Box::new(RetentionRuns),
        Box::new(Outbox),
        Box::new(Accounts),
    ]
}

/// A count per day for one chart.
#[async_trait]
pub trait DailySeries: Send + Sync {
    /// The chart's id (its heading's `id`).
    fn id(&self) -> &'static str;
    /// The catalog key of its heading.
    fn title(&self) -> &'static str;
    async fn per_day(&self, state: &AppState, days: &[Date]) -> Result<Vec<(Date, i64)>>;
}

/// Every chart, in the order shown.
fn daily_series() -> Vec<Box<dyn DailySeries>> {
    vec![
        Box::new(NewAds),
        Box::new(Applications),
        Box::new(Registrations),
        Box::new(ConsentingVisits),
    ]
}

#[derive(Template)]
#[template(path = "operator/dashboard.html")]
struct DashboardPage {
    l: Layout,
    tasks: Vec<Task>,
    tiles: Vec<Tile>,
    charts: Vec<DailyChart>,
    failed_mail: Vec<FailedMail>,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    let t = l.t;
    let mut tiles = Vec::new();
    for sign in vital_signs() {
        tiles.push(sign.tile(&state, t).await?);
    }
    let days = charts::days_up_to(calendar::today(), DAYS);
    let mut drawn = Vec::new();
    for series in daily_series() {
        let counts = series.per_day(&state, &days).await?;
        drawn.push(DailyChart::new(
            series.id(),
            t.s(series.title()).into(),
            &counts,
        ));
    }
    render(&DashboardPage {
        tasks: tasks(),
        tiles,
        charts: drawn,
        failed_mail: outbox::recent_failures(&state.db).await?,
        l: l.with_form().await?,
    })
}

// --- The vital signs ---------------------------------------------------------------------------

struct ModerationQueue;

#[async_trait]
impl VitalSign for ModerationQueue {
    async fn tile(&self, state: &AppState, t: Tr) -> Result<Tile> {
        let waiting = ads::review_queue_size(&state.db).await?;
        Ok(Tile {
            sign: "moderation",
            label: t.s("console.sign.moderation").into(),
            value: amount(t.lang(), waiting),
            detail: None,
            href: "/operator/moderation",
            alert: false,
        })
    }
}

struct PrivacyRequests;

#[async_trait]
impl VitalSign for PrivacyRequests {
    async fn tile(&self, state: &AppState, t: Tr) -> Result<Tile> {
        let (open, overdue) = privacy_store::open_counts(&state.db).await?;
        Ok(Tile {
            sign: "privacy-requests",
            label: t.s("console.sign.privacy_requests").into(),
            value: amount(t.lang(), open),
            detail: Some(t.n("console.sign.overdue", overdue, &[])),
            href: "/operator/privacy-requests",
            alert: overdue > 0,
        })
    }
}

struct SupportInbox;

#[async_trait]
impl VitalSign for SupportInbox {
    async fn tile(&self, state: &AppState, t: Tr) -> Result<Tile> {
        let (open, waiting) =
            support::store::open_counts(&state.db, now() - SUPPORT_PATIENCE).await?;
        Ok(Tile {
            sign: "support",
            label: t.s("console.sign.support").into(),
            value: amount(t.lang(), open),
            detail: Some(t.n("console.sign.waiting", waiting, &[])),
            href: "/operator/support",
            alert: waiting > 0,
        })
    }
}

struct OverdueInvoices;

#[async_trait]
impl VitalSign for OverdueInvoices {
    async fn tile(&self, state: &AppState, t: Tr) -> Result<Tile> {
        let today = calendar::today();
        let overdue: Vec<_> = billing::store::receivables(&state.db)
            .await?
            .into_iter()
            .filter(|i| i.status(today) == billing::domain::InvoiceStatus::Overdue)
            .collect();
        let owed = billing::domain::Money(overdue.iter().map(|i| i.outstanding().0).sum());
        Ok(Tile {
            sign: "overdue-invoices",
            label: t.s("console.sign.overdue_invoices").into(),
            value: amount(t.lang(), overdue.len() as i64),
            detail: Some(t.f(
                "console.sign.overdue_amount",
                &[("amount", &owed.format(t.lang()))],
            )),
            href: "/operator/billing",
            alert: !overdue.is_empty(),
        })
    }
}

struct RetentionRuns;

#[async_trait]
impl VitalSign for RetentionRuns {
    async fn tile(&self, state: &AppState, t: Tr) -> Result<Tile> {
        let holds = retention::holds_in_force(&state.db).await? as i64;
        let holds = t.n("console.sign.holds", holds, &[]);
        let (value, detail, alert) = match retention::latest_run(&state.db).await? {
            None => (t.s("console.sign.no_run").to_string(), holds, false),
            Some(run) => {
                let outcome = if run.error {
                    t.s("console.sign.run_failed").to_string()
                } else if !run.finished {
                    t.s("console.sign.run_unfinished").to_string()
                } else {
                    t.n("console.sign.run_changed", run.changed as i64, &[])
                };
                (
                    instant(t.lang(), run.started_at),
                    format!("{outcome} · {holds}"),
                    run.error,
                )
            }
        };
        Ok(Tile {
            sign: "retention",
            label: t.s("console.sign.retention").into(),
            value,
            detail: Some(detail),
            href: "/operator/retention",
            alert,
        })
    }
}

struct Outbox;

#[async_trait]
impl VitalSign for Outbox {
    async fn tile(&self, state: &AppState, t: Tr) -> Result<Tile> {
        let counts = outbox::counts(&state.db).await?;
        Ok(Tile {
            sign: "outbox",
            label: t.s("console.sign.outbox").into(),
            value: amount(t.lang(), counts.queued),
            detail: Some(t.f(
                "console.sign.outbox_detail",
                &[
                    ("failed", &amount(t.lang(), counts.failed)),
                    ("sent", &amount(t.lang(), counts.sent)),
                ],
            )),
            href: "/operator#failed-mail",
            alert: counts.failed > 0,
        })
    }
}

struct Accounts;

#[async_trait]
impl VitalSign for Accounts {
    async fn tile(&self, state: &AppState, t: Tr) -> Result<Tile> {
        let counts = accounts::account_counts(&state.db).await?;
        let count = |key: &str| counts.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n);
        let (blocked_accounts, blocked_companies) = accounts::blocked_counts(&state.db).await?;
        Ok(Tile {
            sign: "accounts",
            label: t.s("console.sign.seekers").into(),
            value: amount(t.lang(), count("seeker")),
            detail: Some(
                [
                    t.n("operator.count.employers", count("employer"), &[]),
                    t.n("operator.count.companies", count("companies"), &[]),
                    t.n("console.sign.blocked_accounts", blocked_accounts, &[]),
                    t.n("console.sign.blocked_companies", blocked_companies, &[]),
                ]
                .join(" · "),
            ),
            href: "/operator/accounts",
            alert: false,
        })
    }
}

// --- The charts --------------------------------------------------------------------------------

struct NewAds;

#[async_trait]
impl DailySeries for NewAds {
    fn id(&self) -> &'static str {
        "new-ads-chart"
    }

    fn title(&self) -> &'static str {
        "console.chart.new_ads"
    }

    async fn per_day(&self, state: &AppState, days: &[Date]) -> Result<Vec<(Date, i64)>> {
        ads::new_ads_per_day(&state.db, days).await
    }
}

struct Applications;

#[async_trait]
impl DailySeries for Applications {
    fn id(&self) -> &'static str {
        "applications-chart"
    }

    fn title(&self) -> &'static str {
        "console.chart.applications"
    }

    async fn per_day(&self, state: &AppState, days: &[Date]) -> Result<Vec<(Date, i64)>> {
        applications::sent_per_day(&state.db, days).await
    }
}

struct Registrations;

#[async_trait]
impl DailySeries for Registrations {
    fn id(&self) -> &'static str {
        "registrations-chart"
    }

    fn title(&self) -> &'static str {
        "console.chart.registrations"
    }

    async fn per_day(&self, state: &AppState, days: &[Date]) -> Result<Vec<(Date, i64)>> {
        accounts::registrations_per_day(&state.db, days).await
    }
}

struct ConsentingVisits;

#[async_trait]
impl DailySeries for ConsentingVisits {
    fn id(&self) -> &'static str {
        "visits-chart"
    }

    fn title(&self) -> &'static str {
        "console.chart.visits"
    }

    async fn per_day(&self, state: &AppState, days: &[Date]) -> Result<Vec<(Date, i64)>> {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok(Vec::new());
        };
        Ok(statistics::per_day(&state.db, *first, *last)
            .await?
            .into_iter()
            .map(|d| (d.day, d.visits))
            .collect())
    }
}
