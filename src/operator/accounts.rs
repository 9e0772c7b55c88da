//! Users and companies in the console: search by name, e-mail address or CVR number; a page
//! per account and per company with what an operator needs (role, status, last login,
//! company, ads, counts of applications — never their content) and the block history; and
//! the forms that block and unblock, each with a reason from a fixed list and a note.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    blocks::{self, BlockReason, BlockSubject, Decision, LiftReason, Note, reason_key},
    store::{self, BlockRow},
};
use crate::{
    accounts::{
        mfa,
        store::{self as accounts, AccountDetail, AccountRow, CompanyDetail},
    },
    ads::{store as ads, store::AdSummary, view::Choice},
    applications::{
        domain::Status,
        store::{self as applications, ApplicationRow},
    },
    audit::{self, Action, Entry, Object},
    documents::{self, FileKind, FileRow},
    domain::Role,
    error::{Error, Result},
    i18n::{Tr, moment},
    identity::CurrentOperator,
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

/// Results shown per kind; a longer list means the words were too vague.
const RESULTS: i64 = 100;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

#[derive(Template)]
#[template(path = "operator/accounts.html")]
struct SearchPage {
    l: Layout,
    q: String,
    accounts: Vec<AccountRow>,
    companies: Vec<CompanyDetail>,
    errors: FieldErrors,
}

/// `/operator/accounts`: the newest accounts, or those matching the search words.
pub async fn search(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
    Query(query): Query<SearchQuery>,
) -> Result<Response> {
    let q = query.q.trim().to_string();
    let mut errors = FieldErrors::default();
    if q.chars().count() > 100 {
        errors.add("q", l.t.s("validation.too_long"));
    }
    let (accounts, companies) = if !errors.is_empty() {
        (Vec::new(), Vec::new())
    } else if q.is_empty() {
        (accounts::recent_accounts(&state.db, 50).await?, Vec::new())
    } else {
        (
            accounts::search_accounts(&state.db, &q, RESULTS).await?,
            accounts::search_companies(&state.db, &q, RESULTS).await?,
        )
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(
        status,
        &SearchPage {
            q: query.q,
            accounts,
            companies,
            errors,
            l,
        },
    )
}

/// One line of the block history.
pub struct BlockView {
    pub reason: &'static str,
    pub note: String,
    pub placed: String,
    pub lifted: Option<String>,
    pub lift_reason: Option<&'static str>,
    pub lift_note: Option<String>,
}

/// The block history with the names of the operators who placed and lifted each block.
async fn history(state: &AppState, t: Tr, subject: BlockSubject) -> Result<Vec<BlockView>> {
    let blocks = store::history(&state.db, subject).await?;
    let operators: Vec<i64> = blocks
        .iter()
        .flat_map(|b| [b.blocked_by, b.lifted_by])
        .flatten()
        .collect();
    let names = accounts::names(&state.db, operators).await?;
    Ok(blocks
        .into_iter()
        .map(|b| block_view(t, &names, b))
        .collect())
}

fn block_view(t: Tr, names: &HashMap<i64, String>, b: BlockRow) -> BlockView {
    let who = |id: Option<i64>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| t.s("blocks.former_operator").into())
    };
    BlockView {
        reason: t.s(&reason_key(&b.reason)),
        note: b.note,
        placed: format!("{} ({})", moment(t.lang(), b.blocked_at), who(b.blocked_by)),
        lifted: b
            .lifted_at
            .map(|at| format!("{} ({})", moment(t.lang(), at), who(b.lifted_by))),
        lift_reason: b.lift_reason.as_deref().map(|r| t.s(&reason_key(r))),
        lift_note: b.lift_note.filter(|n| !n.is_empty()),
    }
}

/// What the block or unblock form shows: where it posts, the reasons, what was typed.
pub struct BlockFormView {
    pub action: String,
    /// True: the form blocks; false: the subject is blocked and the form lifts it.
    pub blocks: bool,
    pub reasons: Vec<Choice>,
    pub note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BlockForm {
    reason: String,
    note: String,
}

fn block_form_view(t: Tr, base: &str, blocked: bool, form: &BlockForm) -> BlockFormView {
    let codes: Vec<&str> = if blocked {
        LiftReason::ALL.iter().map(|r| r.as_str()).collect()
    } else {
        BlockReason::ALL.iter().map(|r| r.as_str()).collect()
    };
    let mut reasons = vec![Choice {
        value: String::new(),
        label: t.s("blocks.choose_reason").into(),
        selected: form.reason.is_empty(),
    }];
    reasons.extend(codes.into_iter().map(|code| Choice {
        value: code.into(),
        label: t.s(&reason_key(code)).into(),
        selected: form.reason == code,
    }));
    BlockFormView {
        action: format!("{base}/{}", if blocked { "unblock" } else { "block" }),
        blocks: !blocked,
        reasons,
        note: form.note.clone(),
    }
}

/// The form's reason and note, or what is wrong with them (next to each field).
fn parse_form<R>(
    t: Tr,
    form: &BlockForm,
    parse: fn(&str) -> Option<R>,
) -> Result<(R, Note), FieldErrors> {
    let mut errors = FieldErrors::default();
    let reason = parse(&form.reason);
    if reason.is_none() {
        errors.add("reason", t.s("blocks.validation.reason"));
    }
    let note = Note::parse(&form.note)
        .map_err(|key| errors.add("note", t.s(key)))
        .ok();
    match (reason, note) {
        (Some(reason), Some(note)) => Ok((reason, note)),
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "operator/account.html")]
struct AccountPage {
    l: Layout,
    account: AccountDetail,
    block: Option<BlockRow>,
    history: Vec<BlockView>,
    applications: Vec<(&'static str, i64)>,
    applications_total: i64,
    /// The seeker's applications (number, job, company, date) to open one deliberately.
    application_list: Vec<ApplicationRow>,
    /// The seeker's own CVs and attachments, to download one deliberately.
    documents: Vec<FileRow>,
    block_form: Option<BlockFormView>,
    errors: FieldErrors,
}

impl AccountPage {
    fn block_note(&self) -> Option<String> {
        self.block.as_ref().map(|b| {
            self.l.t.f(
                "blocks.in_force",
                &[
                    ("date", &moment(self.l.t.lang(), b.blocked_at)),
                    ("reason", self.l.t.s(&reason_key(&b.reason))),
                ],
            )
        })
    }
}

fn status_counts(rows: Vec<(String, i64)>) -> (Vec<(&'static str, i64)>, i64) {
    let total = rows.iter().map(|(_, n)| n).sum();
    let counts = rows
        .into_iter()
        .filter_map(|(status, n)| Status::parse(&status).map(|s| (s.label_key(), n)))
        .collect();
    (counts, total)
}

async fn account_page(
    state: &AppState,
    l: Layout,
    id: i64,
    form: BlockForm,
    errors: FieldErrors,
) -> Result<AccountPage> {
    let account = accounts::account_detail(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let subject = BlockSubject::User(id);
    let block = store::in_force(&state.db, subject).await?;
    let t = l.t;
    let seeker = account.role == Role::Seeker;
    let (applications, applications_total) = if seeker {
        status_counts(applications::counts_by_status(&state.db, Some(id), None).await?)
    } else {
        (Vec::new(), 0)
    };
    let (application_list, documents) = if seeker {
        let mut documents = documents::list(state, id, FileKind::Cv).await?;
        documents.extend(documents::list(state, id, FileKind::Attachment).await?);
        (applications::of_seeker(&state.db, id).await?, documents)
    } else {
        (Vec::new(), Vec::new())
    };
    let block_form = (account.role != Role::Operator).then(|| {
        block_form_view(
            t,
            &format!("/operator/accounts/{id}"),
            block.is_some(),
            &form,
        )
    });
    Ok(AccountPage {
        history: history(state, t, subject).await?,
        account,
        block,
        applications,
        applications_total,
        application_list,
        documents,
        block_form,
        errors,
        l: l.with_form().await?,
    })
}

/// `/operator/accounts/{id}`: the look at the person's account is in the audit log.
pub async fn account(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let page = account_page(&state, l, id, BlockForm::default(), FieldErrors::default()).await?;
    audit::record_now(
        &state,
        Entry::new(operator.id, Action::ViewedAccount)
            .about(Some(id))
            .on(Object::Account(id)),
    )
    .await?;
    render(&page)
}

async fn account_form_again(
    state: &AppState,
    l: Layout,
    id: i64,
    form: BlockForm,
    errors: FieldErrors,
) -> Result<Response> {
    let page = account_page(state, l, id, form, errors).await?;
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn done(l: &Layout, changed: bool, done_key: &str, path: String) -> Result<Response> {
    let (kind, key) = if changed {
        (FlashKind::Success, done_key)
    } else {
        (FlashKind::Info, "blocks.flash.unchanged")
    };
    flash(&l.session, kind, l.t.s(key)).await?;
    Ok(Redirect::to(&path).into_response())
}

/// `POST /operator/accounts/{id}/block`.
pub async fn block_account(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<BlockForm>,
) -> Result<Response> {
    let back = format!("/operator/accounts/{id}");
    if let Some(ask) = mfa::recent_second_factor(&state, &l.session, l.t, &operator, &back).await? {
        return Ok(ask);
    }
    let (reason, note) = match parse_form(l.t, &form, BlockReason::parse) {
        Ok(parsed) => parsed,
        Err(errors) => return account_form_again(&state, l, id, form, errors).await,
    };
    let decision = Decision {
        operator: operator.id,
        reason,
        note: &note,
    };
    let changed = blocks::block_user(&state, id, decision).await?;
    done(
        &l,
        changed,
        "blocks.flash.account_blocked",
        format!("/operator/accounts/{id}"),
    )
    .await
}

/// `POST /operator/accounts/{id}/unblock`.
pub async fn unblock_account(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<BlockForm>,
) -> Result<Response> {
    let (reason, note) = match parse_form(l.t, &form, LiftReason::parse) {
        Ok(parsed) => parsed,
        Err(errors) => return account_form_again(&state, l, id, form, errors).await,
    };
    let decision = Decision {
        operator: operator.id,
        reason,
        note: &note,
    };
    let changed = blocks::unblock_user(&state, id, decision).await?;
    done(
        &l,
        changed,
        "blocks.flash.account_unblocked",
        format!("/operator/accounts/{id}"),
    )
    .await
}

#[derive(Template)]
#[template(path = "operator/company.html")]
struct CompanyPage {
    l: Layout,
    company: CompanyDetail,
    block: Option<BlockRow>,
    history: Vec<BlockView>,
    members: Vec<AccountRow>,
    ads: Vec<AdSummary>,
    applications: Vec<(&'static str, i64)>,
    applications_total: i64,
    block_form: Option<BlockFormView>,
    errors: FieldErrors,
}

impl CompanyPage {
    fn block_note(&self) -> Option<String> {
        self.block.as_ref().map(|b| {
            self.l.t.f(
                "blocks.in_force",
                &[
                    ("date", &moment(self.l.t.lang(), b.blocked_at)),
                    ("reason", self.l.t.s(&reason_key(&b.reason))),
                ],
            )
        })
    }
}

async fn company_page(
    state: &AppState,
    l: Layout,
    id: i64,
    form: BlockForm,
    errors: FieldErrors,
) -> Result<CompanyPage> {
    let company = accounts::company_detail(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let subject = BlockSubject::Company(id);
    let block = store::in_force(&state.db, subject).await?;
    let t = l.t;
    let (applications, applications_total) =
        status_counts(applications::counts_by_status(&state.db, None, Some(id)).await?);
    Ok(CompanyPage {
        history: history(state, t, subject).await?,
        members: accounts::company_members(&state.db, id).await?,
        ads: ads::company_ads(&state.db, id, None, None, "").await?,
        block_form: Some(block_form_view(
            t,
            &format!("/operator/companies/{id}"),
            block.is_some(),
            &form,
        )),
        company,
        block,
        applications,
        applications_total,
        errors,
        l: l.with_form().await?,
    })
}

/// `/operator/companies/{id}`.
pub async fn company(
    State(state): State<AppState>,
    CurrentOperator(_): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    render(&company_page(&state, l, id, BlockForm::default(), FieldErrors::default()).await?)
}

async fn company_form_again(
    state: &AppState,
    l: Layout,
    id: i64,
    form: BlockForm,
    errors: FieldErrors,
) -> Result<Response> {
    let page = company_page(state, l, id, form, errors).await?;
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `POST /operator/companies/{id}/block`.
pub async fn block_company(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<BlockForm>,
) -> Result<Response> {
    let back = format!("/operator/companies/{id}");
    if let Some(ask) = mfa::recent_second_factor(&state, &l.session, l.t, &operator, &back).await? {
        return Ok(ask);
    }
    let (reason, note) = match parse_form(l.t, &form, BlockReason::parse) {
        Ok(parsed) => parsed,
        Err(errors) => return company_form_again(&state, l, id, form, errors).await,
    };
    let decision = Decision {
        operator: operator.id,
        reason,
        note: &note,
    };
    let changed = blocks::block_company(&state, id, decision).await?;
    done(
        &l,
        changed,
        "blocks.flash.company_blocked",
        format!("/operator/companies/{id}"),
    )
    .await
}

/// `POST /operator/companies/{id}/unblock`.
pub async fn unblock_company(
    State(state): State<AppState>,
    CurrentOperator(operator): CurrentOperator,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<BlockForm>,
) -> Result<Response> {
    let (reason, note) = match parse_form(l.t, &form, LiftReason::parse) {
        Ok(parsed) => parsed,
        Err(errors) => return company_form_again(&state, l, id, form, errors).await,
    };
    let decision = Decision {
        operator: operator.id,
        reason,
        note: &note,
    };
    let changed = blocks::unblock_company(&state, id, decision).await?;
    done(
        &l,
        changed,
        "blocks.flash.company_unblocked",
        format!("/operator/companies/{id}"),
    )
    .await
}
