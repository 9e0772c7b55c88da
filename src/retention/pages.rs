//! The operators' retention pages (past runs, the 30-day forecast, legal holds with their
//! history), the privacy-centre section that tells a held person what is kept and why, and
//! the "enforced daily; last run …" line of the policy pages and the centre.

use askama::Template;
use async_trait::async_trait;
use axum::{
    Form, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    rules::Counts,
    store::{self, HoldRow},
    sweeper,
};
use crate::{
    ads::view::Choice,
    audit::{self, Action, Entry, Object},
    db::{Tx, now},
    error::Result,
    i18n::{Tr, instant, moment},
    identity::CurrentOperator,
    privacy::{
        erasure::Erasure,
        registry::{self, RULES},
        sections::{Section, Subject, ts},
    },
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

/// How far the operators' forecast looks ahead.
const FORECAST_DAYS: i64 = 30;

const HOLD_KINDS: [&str; 4] = ["person", "company", "ad", "application"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/operator/retention", get(overview))
        .route("/operator/retention/holds", get(holds).post(place))
        .route("/operator/retention/holds/{id}/lift", post(lift))
}

/// "Enforced daily by the software; last run 1 December 2026." for the policy pages and the
/// privacy centre.
pub async fn enforcement_note(state: &AppState, t: Tr) -> Result<String> {
    let how = if state.config.retention_interval.is_some() {
        t.s("retention.enforced_daily")
    } else {
        t.s("retention.enforced_on_demand")
    };
    let last = match store::last_clean_run(&state.db).await? {
        Some(at) => t.f("retention.last_run", &[("date", &instant(t.lang(), at))]),
        None => t.s("retention.no_run_yet").to_string(),
    };
    Ok(format!("{how}; {last}."))
}

pub struct RunView {
    pub id: i64,
    pub started: String,
    pub as_of: String,
    pub duration: String,
    pub totals: Counts,
    pub error: Option<String>,
}

pub struct ForecastRow {
    pub id: String,
    pub data: &'static str,
    pub counts: Counts,
}

#[derive(Template)]
#[template(path = "retention/overview.html")]
struct OverviewPage {
    l: Layout,
    enforcement: String,
    runs: Vec<RunView>,
    forecast: Vec<ForecastRow>,
    forecast_until: String,
    forecast_computed: String,
}

fn total(counts: &std::collections::BTreeMap<String, Counts>) -> Counts {
    counts.values().fold(Counts::default(), |a, c| Counts {
        deleted: a.deleted + c.deleted,
        anonymised: a.anonymised + c.anonymised,
        hidden: a.hidden + c.hidden,
        held: a.held + c.held,
        warned: a.warned + c.warned,
    })
}

async fn overview(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    let t = l.t;
    let runs = store::recent_runs(&state.db, 30)
        .await?
        .into_iter()
        .map(|r| RunView {
            id: r.id,
            started: moment(t.lang(), r.started_at),
            as_of: moment(t.lang(), r.as_of),
            duration: match (r.finished_at, r.duration_ms) {
                (Some(_), Some(ms)) => format!("{:.1} s", ms as f64 / 1000.0),
                _ => t.s("retention.unfinished").to_string(),
            },
            totals: total(&serde_json::from_str(&r.counts).unwrap_or_default()),
            error: r.error,
        })
        .collect();
    let (computed, report) = sweeper::cached_forecast(&state, FORECAST_DAYS).await?;
    let forecast = RULES
        .iter()
        .filter_map(|rule| {
            let id = registry::id_of(rule.id);
            report.rules.get(&id).map(|&counts| ForecastRow {
                data: rule.data_text(t.lang()),
                id,
                counts,
            })
        })
        .collect();
    let forecast_until = instant(t.lang(), computed + time::Duration::days(FORECAST_DAYS));
    let forecast_computed = moment(t.lang(), computed);
    render(&OverviewPage {
        enforcement: enforcement_note(&state, t).await?,
        runs,
        forecast,
        forecast_until,
        forecast_computed,
        l: l.with_form().await?,
    })
}

pub struct HoldView {
    pub id: i64,
    pub subject: String,
    pub reason: String,
    pub placed: String,
    pub lifted: Option<String>,
}

#[derive(Template)]
#[template(path = "retention/holds.html")]
struct HoldsPage {
    l: Layout,
    current: Vec<HoldView>,
    history: Vec<HoldView>,
    kinds: Vec<Choice>,
    number: String,
    reason: String,
    errors: FieldErrors,
}

fn hold_view(t: Tr, h: HoldRow) -> HoldView {
    let who =
        |name: Option<String>| name.unwrap_or_else(|| t.s("retention.former_operator").to_string());
    HoldView {
        id: h.id,
        subject: t.f(
            &format!("retention.hold_subject.{}", h.subject_kind),
            &[("number", &h.subject_id.to_string())],
        ),
        reason: h.reason,
        placed: format!(
            "{} ({})",
            moment(t.lang(), h.placed_at),
            who(h.placed_by.clone())
        ),
        lifted: h
            .lifted_at
            .map(|at| format!("{} ({})", moment(t.lang(), at), who(h.lifted_by.clone()))),
    }
}

async fn holds_page(
    state: &AppState,
    l: Layout,
    form: HoldForm,
    errors: FieldErrors,
) -> Result<HoldsPage> {
    let t = l.t;
    let (current, history): (Vec<_>, Vec<_>) = store::holds(&state.db)
        .await?
        .into_iter()
        .partition(|h| h.lifted_at.is_none());
    Ok(HoldsPage {
        current: current.into_iter().map(|h| hold_view(t, h)).collect(),
        history: history.into_iter().map(|h| hold_view(t, h)).collect(),
        kinds: HOLD_KINDS
            .iter()
            .map(|k| Choice {
                value: k.to_string(),
                label: t.s(&format!("retention.kind.{k}")).to_string(),
                selected: form.kind == *k,
            })
            .collect(),
        number: form.number,
        reason: form.reason,
        errors,
        l: l.with_form().await?,
    })
}

async fn holds(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
) -> Result<Response> {
    render(&holds_page(&state, l, HoldForm::default(), FieldErrors::default()).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HoldForm {
    kind: String,
    number: String,
    reason: String,
}

async fn place(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Form(form): Form<HoldForm>,
) -> Result<Response> {
    let t = l.t;
    let mut errors = FieldErrors::default();
    let kind = HOLD_KINDS.iter().copied().find(|k| *k == form.kind);
    let number = form.number.trim().parse::<i64>().ok().filter(|n| *n > 0);
    let reason = form.reason.trim().to_string();
    if kind.is_none() {
        errors.add("kind", t.s("retention.kind_needed"));
    }
    match (kind, number) {
        (_, None) => errors.add("number", t.s("retention.number_needed")),
        (Some(kind), Some(n)) if !store::subject_exists(&state.db, kind, n).await? => {
            errors.add("number", t.s("retention.no_such_subject"))
        }
        _ => {}
    }
    if reason.chars().count() < 10 || reason.chars().count() > 2000 {
        errors.add("reason", t.s("retention.reason_needed"));
    }
    let (Some(kind), Some(number), true) = (kind, number, errors.is_empty()) else {
        let page = holds_page(&state, l, form, errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let id = store::place_hold(&state.db, kind, number, &reason, op.id, now()).await?;
    let person = (kind == "person").then_some(number);
    let entry = Entry::new(op.id, Action::PlacedHold).about(person);
    audit::record_now(&state, entry.on(Object::Hold(id))).await?;
    sweeper::forget_forecast(&state).await;
    tracing::info!(hold = id, kind, "legal hold placed");
    flash(&l.session, FlashKind::Success, t.s("retention.hold_placed")).await?;
    Ok(Redirect::to("/operator/retention/holds").into_response())
}

async fn lift(
    State(state): State<AppState>,
    CurrentOperator(op): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let message = if store::lift_hold(&state.db, id, op.id, now()).await? {
        audit::record_now(
            &state,
            Entry::new(op.id, Action::LiftedHold).on(Object::Hold(id)),
        )
        .await?;
        sweeper::forget_forecast(&state).await;
        tracing::info!(hold = id, "legal hold lifted");
        (FlashKind::Success, "retention.hold_lifted")
    } else {
        (FlashKind::Error, "retention.hold_not_current")
    };
    flash(&l.session, message.0, l.t.s(message.1)).await?;
    Ok(Redirect::to("/operator/retention/holds").into_response())
}

/// What a legal hold keeps of the person, and why, in their privacy centre and export.
pub struct LegalHolds;

#[async_trait]
impl Section for LegalHolds {
    fn key(&self) -> &'static str {
        "legal_holds"
    }

    async fn collect(&self, state: &AppState, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            store::holds_of_person(&state.db, id)
                .await?
                .into_iter()
                .map(|h| {
                    json!({
                        "held": h.subject_kind,
                        "held_number": h.subject_id,
                        "reason": h.reason,
                        "held_since": ts(h.placed_at),
                    })
                })
                .collect(),
        ))
    }

    async fn erase(
        &self,
        state: &AppState,
        tx: &mut Tx,
        subject: &Subject,
        erasure: &mut Erasure,
    ) -> Result<()> {
        self.erase_many(state, tx, std::slice::from_ref(subject), erasure)
            .await
    }

    async fn erase_many(
        &self,
        state: &AppState,
        _tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        // The operators' record of a dispute names no one but an account number; it stays
        // until the hold is lifted and its documentation period is over.
        let ids = crate::privacy::sections::user_ids(subjects);
        for user in store::people_with_holds(&state.db, &ids).await? {
            erasure.keep_for_user(user, "legal_holds");
        }
        Ok(())
    }
}
