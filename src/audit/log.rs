//! `/operator/audit`: the audit log for operators, newest first, a hundred entries a page,
//! optionally only the entries about one account; with the chain's state (its head and the
//! checkpoint the retention sweeper left).

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;

use super::{domain::Action, store};
use crate::{
    accounts::store as accounts,
    error::Result,
    i18n::instant,
    identity::CurrentOperator,
    state::AppState,
    web::{Layout, render},
};

const PER_PAGE: i64 = 100;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogQuery {
    /// An account number: only the entries about that person.
    subject: Option<i64>,
    /// Entries older than this entry number (the next page).
    before: Option<i64>,
}

pub struct Line {
    pub number: i64,
    pub at: String,
    pub operator: String,
    pub area: &'static str,
    pub action: &'static str,
    pub subject: Option<i64>,
    pub record: Option<String>,
    pub reason: Option<String>,
}

#[derive(Template)]
#[template(path = "audit/log.html")]
struct LogPage {
    l: Layout,
    lines: Vec<Line>,
    subject: Option<i64>,
    next: Option<String>,
    head: Option<String>,
    checkpoint: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
    Query(query): Query<LogQuery>,
) -> Result<Response> {
    let t = l.t;
    let entries = store::newest(&state.db, query.subject, query.before, PER_PAGE).await?;
    let names = accounts::names(&state.db, entries.iter().map(|e| e.operator_id)).await?;
    let next = (entries.len() as i64 == PER_PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten()
        .map(|before| match query.subject {
            Some(s) => format!("/operator/audit?subject={s}&before={before}"),
            None => format!("/operator/audit?before={before}"),
        });
    let lines = entries
        .into_iter()
        .map(|e| {
            let action = Action::parse(&e.action);
            Line {
                number: e.id,
                at: instant(t.lang(), e.created_at),
                operator: names.get(&e.operator_id).cloned().unwrap_or_else(|| {
                    t.f(
                        "audit.former_operator",
                        &[("number", &e.operator_id.to_string())],
                    )
                }),
                area: action.map_or("", |a| {
                    t.s(&format!(
                        "privacy_value.operator_role.{}",
                        a.area().as_str()
                    ))
                }),
                action: t.s(&format!("privacy_value.action.{}", e.action)),
                subject: e.subject_user_id,
                record: e.object_kind.zip(e.object_id).map(|(kind, id)| {
                    format!("{} {id}", t.s(&format!("privacy_value.record_kind.{kind}")))
                }),
                reason: e.reason,
            }
        })
        .collect();
    let (head, checkpoint) = store::chain(&state.db).await?;
    render(&LogPage {
        lines,
        subject: query.subject,
        next,
        head: head.map(|h| {
            t.f(
                "audit.head",
                &[("number", &h.entry_id.to_string()), ("hash", &h.hash)],
            )
        }),
        checkpoint: checkpoint.map(|c| {
            t.f(
                "audit.checkpoint",
                &[("number", &c.entry_id.to_string()), ("hash", &c.hash)],
            )
        }),
        l,
    })
}
