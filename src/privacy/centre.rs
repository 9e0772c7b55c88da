//! The privacy centre (`/account/privacy`) for job seekers and employer users: see every
//! section held about me, download it, correct it (recipients are told), restrict processing,
//! object to direct marketing, withdraw each consent, end other sessions, erase my account.

use std::net::IpAddr;

use askama::Template;
use axum::{
    Form, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::Value;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::{emails, erasure, export, limits, sections::Subject, store};
use crate::{
    ads::{domain::EmploymentType, taxonomy::taxonomy},
    db::{Db, Tx, now},
    db_run,
    domain::{DisplayName, Role},
    error::{Error, Result},
    i18n::{Lang, Tr, moment},
    identity::{CurrentDataSubject, SessionUser},
    marketing::consent::{Action, Purpose, Step},
    secrets::{Fingerprint, MasterKey},
    state::AppState,
    text::escape_html,
    web::{ClientIp, FieldErrors, FlashKind, Layout, flash, render, render_with_status, sign_out},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/privacy", get(centre))
        .route("/account/privacy/export", get(download))
        .route("/account/privacy/correct", get(correct_form).post(correct))
        .route("/account/privacy/restrict", post(restrict))
        .route("/account/privacy/object", post(object))
        .route(
            "/account/privacy/consents/photo/withdraw",
            post(withdraw_photo),
        )
        .route(
            "/account/privacy/consents/visibility/withdraw",
            post(withdraw_visibility),
        )
        .route(
            "/account/privacy/consents/newsletter/withdraw",
            post(withdraw_newsletter),
        )
        .route("/account/privacy/sessions/end", post(end_session))
        .route("/account/privacy/erase", get(erase_form).post(erase))
}

pub struct ActiveSession {
    /// A stand-in for the session id (which is a secret): a keyed fingerprint of it.
    pub handle: String,
    pub expires_at: OffsetDateTime,
    /// "Firefox on Windows", when the browser said (see `web::device`).
    pub device: Option<String>,
}

impl ActiveSession {
    /// Sessions expire a fixed time after their last request, so that is when it was used.
    pub fn last_used(&self) -> OffsetDateTime {
        self.expires_at - crate::privacy::registry::session_lifetime()
    }
}

fn handle_of(keys: &MasterKey, session_id: &str) -> String {
    keys.fingerprint(Fingerprint::SessionHandle, session_id)[..16].to_string()
}

pub async fn active_sessions(
    db: &Db,
    keys: &MasterKey,
    user: i64,
) -> Result<Vec<(String, ActiveSession)>> {
    let rows: Vec<(String, OffsetDateTime, String)> = db_run!(pool db, |p| {
        sqlx::query_as(
        "SELECT id, expires_at, data FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY expires_at DESC"
    )
    .bind(user)
    .bind(now())
    .fetch_all(p)
    .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, expires_at, data)| {
            let handle = handle_of(keys, &id);
            let device = serde_json::from_str::<serde_json::Value>(&data)
                .ok()
                .and_then(|d| d[crate::web::SESSION_DEVICE].as_str().map(str::to_string));
            (
                id,
                ActiveSession {
                    handle,
                    expires_at,
                    device,
                },
            )
        })
        .collect())
}

/// Fields whose values are codes with a text in the catalog (`privacy_value.<field>.<code>`).
const CODED_FIELDS: &[&str] = &[
    "event",
    "consent",
    "action",
    "channel",
    "kind",
    "status",
    "role",
    "state",
    "method",
    "subscription",
    "alert_status",
    "frequency",
    "purpose",
    "step",
    "operator_role",
    "record_kind",
];

/// Fields the page leaves out: stand-ins that mean nothing to a person (the export keeps them).
const MACHINE_FIELDS: &[&str] = &["session"];

/// The words for a field whose value is a code from the taxonomy or a saved search, in the
/// reader's language; `None` for any other field. The export keeps the codes.
fn in_words(t: Tr, key: &str, value: &Value) -> Option<String> {
    let tax = taxonomy();
    let lang = t.lang();
    let word = |code: &str| -> String {
        match key {
            "interest_occupations" => tax.occupation(code).map(|o| o.label(lang).to_string()),
            "interest_municipalities" => tax.municipality(code).map(|m| m.name.to_string()),
            "interest_employment_types" => {
                EmploymentType::parse(code).map(|e| t.s(e.label_key()).to_string())
            }
            "language" => Lang::parse(code).map(|l| l.native_name().to_string()),
            "search" => Some(crate::alerts::describe(t, code)),
            _ => None,
        }
        .unwrap_or_else(|| code.to_string())
    };
    match (key, value) {
        ("photo_consent_at", Value::Null) => Some(t.s("privacy_centre.not_given").to_string()),
        (
            "interest_occupations"
            | "interest_municipalities"
            | "interest_employment_types"
            | "language"
            | "search",
            Value::String(code),
        ) => Some(word(code)),
        (
            "interest_occupations" | "interest_municipalities" | "interest_employment_types",
            Value::Array(codes),
        ) if !codes.is_empty() => Some(
            codes
                .iter()
                .filter_map(Value::as_str)
                .map(word)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// A section's JSON as HTML (escaped here; the template inserts it as is): objects become
/// definition lists, lists of records numbered lists; codes are shown in words.
pub fn html_of(t: Tr, value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str(&escape_html(t.s("privacy_centre.nothing"))),
        Value::Bool(b) => out.push_str(t.s(if *b { "common.yes" } else { "common.no" })),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => match OffsetDateTime::parse(s, &Rfc3339) {
            Ok(at) => out.push_str(&escape_html(&moment(t.lang(), at))),
            Err(_) => out.push_str(&escape_html(s)),
        },
        Value::Array(items) if items.is_empty() => {
            out.push_str(&escape_html(t.s("privacy_centre.nothing")))
        }
        Value::Array(items) if items.iter().all(|v| !v.is_object()) => {
            let texts: Vec<String> = items
                .iter()
                .map(|v| {
                    let mut s = String::new();
                    html_of(t, v, &mut s);
                    s
                })
                .collect();
            out.push_str(&texts.join(", "));
        }
        Value::Array(items) => {
            out.push_str("<ol class=\"records\">");
            for item in items {
                out.push_str("<li>");
                html_of(t, item, out);
                out.push_str("</li>");
            }
            out.push_str("</ol>");
        }
        Value::Object(map) => {
            out.push_str("<dl class=\"details\">");
            for (k, v) in map {
                if MACHINE_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                out.push_str("<dt>");
                out.push_str(&escape_html(export::field_label(t, k)));
                out.push_str("</dt><dd>");
                match (v.as_str(), in_words(t, k, v)) {
                    (_, Some(words)) => out.push_str(&escape_html(&words)),
                    // Codes (statuses, events, kinds) are shown in words.
                    (Some(code), None) if CODED_FIELDS.contains(&k.as_str()) => {
                        out.push_str(&escape_html(t.s(&format!("privacy_value.{k}.{code}"))))
                    }
                    _ => html_of(t, v, out),
                }
                out.push_str("</dd>");
            }
            out.push_str("</dl>");
        }
    }
}

pub struct SectionView {
    pub key: &'static str,
    pub title: &'static str,
    pub about: &'static str,
    pub html: String,
}

pub struct SessionView {
    pub handle: String,
    pub device: Option<String>,
    pub last_used: String,
    pub until: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "privacy/centre.html")]
struct CentrePage {
    l: Layout,
    sections: Vec<SectionView>,
    restricted: bool,
    objecting: bool,
    photo_consent: bool,
    visible: bool,
    newsletter: bool,
    sessions: Vec<SessionView>,
    /// "Enforced daily by the software; last run …".
    enforcement: String,
}

async fn centre(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    l: Layout,
) -> Result<Response> {
    let id = user.id;
    let subject = Subject::of_user(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let t = l.t;
    let mut views = Vec::new();
    let cx = state.section_context();
    for section in state.sections.iter() {
        let value = section.collect(&cx, &subject).await?;
        let mut html = String::new();
        html_of(t, &value, &mut html);
        let key = section.key();
        views.push(SectionView {
            key,
            title: t.s(&format!("privacy_section.{key}.title")),
            about: t.s(&format!("privacy_section.{key}.about")),
            html,
        });
    }
    let limits = limits::of(&state.db, id).await?;
    let consents: Option<(bool, Option<OffsetDateTime>)> =
        db_run!(pool & state.db, |p| sqlx::query_as(
            "SELECT visible_to_employers, photo_consent_at FROM seeker_profiles WHERE user_id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await)?;
    let newsletter: i64 = db_run!(pool & state.db, |p| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM newsletter_subscribers WHERE (user_id = $1 OR email = $2) AND status <> 'unsubscribed'"
    )
    .bind(id)
    .bind(user.email.to_lowercase())
    .fetch_one(p)
    .await
    })?;
    let current = l
        .session
        .id()
        .map(|s| handle_of(&state.keys, &s.to_string()));
    let sessions = active_sessions(&state.db, &state.keys, id)
        .await?
        .into_iter()
        .map(|(_, s)| SessionView {
            current: current.as_deref() == Some(s.handle.as_str()),
            device: s.device.clone(),
            last_used: moment(t.lang(), s.last_used()),
            until: moment(t.lang(), s.expires_at),
            handle: s.handle,
        })
        .collect();
    render(&CentrePage {
        sections: views,
        restricted: limits.restricted_since.is_some(),
        objecting: limits.marketing_objection_since.is_some(),
        visible: consents.is_some_and(|(v, _)| v),
        photo_consent: consents.is_some_and(|(_, p)| p.is_some()),
        newsletter: newsletter > 0,
        sessions,
        enforcement: crate::retention::enforcement_note(&state, t).await?,
        l: l.with_form().await?,
    })
}

async fn download(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    l: Layout,
) -> Result<Response> {
    let id = user.id;
    let subject = Subject::of_user(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut tx = state.db.begin().await?;
    store::record_event(&mut tx, id, "export.downloaded", "").await?;
    tx.commit().await?;
    let name = format!("jobboard-data-{}.zip", now().date());
    export::zip_response(&state, &subject, l.t, &name).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CorrectForm {
    name: String,
    address: String,
    phone: String,
}

#[derive(Template)]
#[template(path = "privacy/correct.html")]
struct CorrectPage {
    l: Layout,
    seeker: bool,
    full_name: String,
    address: String,
    phone: String,
    errors: FieldErrors,
}

async fn correct_form(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    l: Layout,
) -> Result<Response> {
    let id = user.id;
    let profile = crate::profiles::store::load(&state.db, id).await?;
    render(&CorrectPage {
        seeker: user.role == Role::Seeker,
        full_name: user.name.clone(),
        address: profile.address.unwrap_or_default(),
        phone: profile.phone.unwrap_or_default(),
        errors: FieldErrors::default(),
        l: l.with_form().await?,
    })
}

/// Art. 16: the corrected data is saved and, in the same transaction, every company that
/// holds one of the person's applications is sent the corrected values (Art. 19).
async fn correct(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    l: Layout,
    Form(form): Form<CorrectForm>,
) -> Result<Response> {
    let id = user.id;
    let t = l.t;
    let seeker = user.role == Role::Seeker;
    let mut errors = FieldErrors::default();
    let name = DisplayName::parse(&form.name, "validation.name_required")
        .map_err(|k| errors.add("name", t.s(k)))
        .ok();
    let address = form.address.trim().to_string();
    if address.chars().count() > 200 {
        errors.add("address", t.s("validation.too_long"));
    }
    let phone = form.phone.trim().to_string();
    if phone.chars().count() > 30
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c))
    {
        errors.add("phone", t.s("validation.ad.phone"));
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &CorrectPage {
                seeker,
                full_name: form.name,
                address: form.address,
                phone: form.phone,
                errors,
                l: l.with_form().await?,
            },
        );
    };
    let before = crate::profiles::store::load(&state.db, id).await?;
    let mut changes: Vec<(String, String)> = Vec::new();
    if name.as_str() != user.name {
        changes.push(("privacy_field.name".into(), name.as_str().to_string()));
    }
    let optional = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    if seeker && optional(&address) != before.address {
        changes.push(("privacy_field.address".into(), address.clone()));
    }
    if seeker && optional(&phone) != before.phone {
        changes.push(("privacy_field.phone".into(), phone.clone()));
    }
    if changes.is_empty() {
        flash(
            &l.session,
            FlashKind::Info,
            t.s("privacy_centre.correct_nothing"),
        )
        .await?;
        return Ok(Redirect::to("/account/privacy").into_response());
    }
    let at = now();
    let mut tx = state.db.begin().await?;
    crate::accounts::store::set_name(&mut tx, id, name.as_str(), at).await?;
    if seeker {
        db_run!(tx &mut tx, |c| sqlx::query(
            "INSERT INTO seeker_profiles (user_id, address, phone, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, phone = excluded.phone, updated_at = excluded.updated_at"
        )
        .bind(id)
        .bind(optional(&address))
        .bind(optional(&phone))
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let fields: Vec<&str> = changes
        .iter()
        .map(|(k, _)| k.trim_start_matches("privacy_field."))
        .collect();
    store::record_event(&mut tx, id, "correction", &fields.join(", ")).await?;
    let told = super::corrections::tell_recipients(&state, &mut tx, id, &changes).await?;
    tx.commit().await?;
    state.mail_queued();
    let count = told.to_string();
    flash(
        &l.session,
        FlashKind::Success,
        t.f("privacy_centre.corrected", &[("count", &count)]),
    )
    .await?;
    Ok(Redirect::to("/account/privacy").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Toggle {
    on: String,
}

async fn restrict(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    l: Layout,
    Form(form): Form<Toggle>,
) -> Result<Response> {
    let id = user.id;
    let on = form.on == "yes";
    let mut tx = state.db.begin().await?;
    limits::set_restricted(&mut tx, id, on).await?;
    let t = Lang::parse(&user.lang).unwrap_or_default().tr();
    let mail = emails::restriction(t, &user.email, &user.name, on)?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    let key = if on {
        "privacy_centre.restricted"
    } else {
        "privacy_centre.unrestricted"
    };
    flash(&l.session, FlashKind::Success, l.t.s(key)).await?;
    Ok(Redirect::to("/account/privacy").into_response())
}

/// Art. 21(3): an objection stops direct marketing for good — every job alert is stopped and
/// the newsletter unsubscribed, each step in the marketing consent record. Withdrawing the
/// objection restarts nothing; the person signs up again if they wish.
async fn object(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    ClientIp(ip): ClientIp,
    l: Layout,
    Form(form): Form<Toggle>,
) -> Result<Response> {
    let id = user.id;
    let on = form.on == "yes";
    let mut tx = state.db.begin().await?;
    limits::set_objection(&mut tx, id, on).await?;
    if on {
        let text = l.t.s("privacy_centre.objection_hint");
        stop_alerts(&state, &mut tx, &user, ip, text).await?;
        unsubscribe_newsletter(&state, &mut tx, &user, ip, text, Some("objection")).await?;
    }
    tx.commit().await?;
    let key = if on {
        "privacy_centre.objected"
    } else {
        "privacy_centre.objection_withdrawn"
    };
    flash(&l.session, FlashKind::Success, l.t.s(key)).await?;
    Ok(Redirect::to("/account/privacy").into_response())
}

/// Withdrawing the photo consent deletes the photo at once, as on the profile page.
async fn withdraw_photo(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    l: Layout,
) -> Result<Response> {
    let id = user.id;
    let photo: Option<(i64, String)> = db_run!(pool & state.db, |p| {
        sqlx::query_as(
        "SELECT f.id, f.storage_key FROM seeker_profiles s JOIN files f ON f.id = s.photo_file_id \
         WHERE s.user_id = $1 AND f.owner_id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await
    })?;
    let mut tx = state.db.begin().await?;
    db_run!(tx &mut tx, |c| sqlx::query(
        "UPDATE seeker_profiles SET photo_file_id = NULL, photo_consent_at = NULL WHERE user_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if let Some((file, _)) = &photo {
        db_run!(tx &mut tx, |c| sqlx::query("DELETE FROM files WHERE id = $1").bind(*file).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    store::record_event(&mut tx, id, "consent.photo.withdrawn", "").await?;
    tx.commit().await?;
    if let Some((_, key)) = photo {
        crate::documents::delete_object(&state, &key).await;
    }
    flash(&l.session, FlashKind::Success, l.t.s("photo.withdrawn")).await?;
    Ok(Redirect::to("/account/privacy").into_response())
}

async fn withdraw_visibility(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    l: Layout,
) -> Result<Response> {
    let id = user.id;
    let mut tx = state.db.begin().await?;
    db_run!(tx &mut tx, |c| sqlx::query(
        "UPDATE seeker_profiles SET visible_to_employers = $1, updated_at = $2 WHERE user_id = $3"
    )
    .bind(false)
    .bind(now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    store::record_event(&mut tx, id, "consent.visibility.withdrawn", "").await?;
    tx.commit().await?;
    flash(
        &l.session,
        FlashKind::Success,
        l.t.s("privacy_centre.visibility_withdrawn"),
    )
    .await?;
    Ok(Redirect::to("/account/privacy").into_response())
}

fn marketing_step<'a>(
    purpose: Purpose,
    user: &'a SessionUser,
    email: &'a str,
    alert_id: Option<i64>,
    ip: IpAddr,
    text: &'a str,
    reason: Option<&'a str>,
) -> Step<'a> {
    Step {
        purpose,
        action: Action::Withdrawn,
        email,
        user_id: Some(user.id),
        alert_id,
        text,
        lang: Lang::parse(&user.lang).unwrap_or_default(),
        source: "/account/privacy",
        ip: Some(ip),
        reason,
    }
}

async fn stop_alerts(
    state: &AppState,
    tx: &mut Tx,
    user: &SessionUser,
    ip: IpAddr,
    text: &str,
) -> Result<()> {
    for alert in crate::alerts::store::for_user(&state.db, user.id).await? {
        if crate::alerts::store::stop(tx, alert.id, "objection").await? {
            let step = marketing_step(
                Purpose::JobAlert,
                user,
                &user.email,
                Some(alert.id),
                ip,
                text,
                Some("objection"),
            );
            crate::marketing::consent::record(tx, &step).await?;
        }
    }
    Ok(())
}

async fn unsubscribe_newsletter(
    state: &AppState,
    tx: &mut Tx,
    user: &SessionUser,
    ip: IpAddr,
    text: &str,
    reason: Option<&str>,
) -> Result<bool> {
    let subscriptions: Vec<(i64, String)> = db_run!(pool & state.db, |p| {
        sqlx::query_as(
        "SELECT id, email FROM newsletter_subscribers WHERE (user_id = $1 OR email = $2) AND status <> 'unsubscribed'"
    )
    .bind(user.id)
    .bind(user.email.to_lowercase())
    .fetch_all(p)
    .await
    })?;
    let mut any = false;
    for (id, email) in subscriptions {
        if crate::newsletter::store::unsubscribe(tx, id).await? {
            let step = marketing_step(Purpose::Newsletter, user, &email, None, ip, text, reason);
            crate::marketing::consent::record(tx, &step).await?;
            any = true;
        }
    }
    Ok(any)
}

/// Withdraws the newsletter consent on its own, as the unsubscribe link would.
async fn withdraw_newsletter(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    ClientIp(ip): ClientIp,
    l: Layout,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    unsubscribe_newsletter(
        &state,
        &mut tx,
        &user,
        ip,
        l.t.s("privacy_centre.withdraw_newsletter"),
        None,
    )
    .await?;
    tx.commit().await?;
    flash(
        &l.session,
        FlashKind::Success,
        l.t.s("privacy_centre.newsletter_withdrawn"),
    )
    .await?;
    Ok(Redirect::to("/account/privacy").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EndSession {
    session: String,
}

/// Ends one other session (by its handle) or, with `others`, every session but this one.
async fn end_session(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    l: Layout,
    Form(form): Form<EndSession>,
) -> Result<Response> {
    let id = user.id;
    let current = l.session.id().map(|s| s.to_string()).unwrap_or_default();
    let mut ended = 0;
    for (session_id, s) in active_sessions(&state.db, &state.keys, id).await? {
        let chosen = form.session == "others" || form.session == s.handle;
        if chosen && session_id != current {
            ended += db_run!(pool & state.db, |p| sqlx::query(
                "DELETE FROM sessions WHERE id = $1 AND user_id = $2"
            )
            .bind(&session_id)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        }
    }
    let count = ended.to_string();
    flash(
        &l.session,
        FlashKind::Success,
        l.t.f("privacy_centre.sessions_ended", &[("count", &count)]),
    )
    .await?;
    Ok(Redirect::to("/account/privacy").into_response())
}

#[derive(Template)]
#[template(path = "privacy/erase.html")]
struct ErasePage {
    l: Layout,
    errors: FieldErrors,
}

async fn erase_form(CurrentDataSubject(_): CurrentDataSubject, l: Layout) -> Result<Response> {
    render(&ErasePage {
        errors: FieldErrors::default(),
        l: l.with_form().await?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EraseForm {
    password: String,
}

pub struct KeptView {
    pub what: &'static str,
    pub why: &'static str,
}

#[derive(Template)]
#[template(path = "privacy/erased.html")]
struct ErasedPage {
    l: Layout,
    erased: Vec<(&'static str, u64)>,
    kept: Vec<KeptView>,
    recipients_told: i64,
}

/// Art. 17, confirmed with the password: everything goes in one transaction, the person is
/// logged out, and the page lists what was erased and what the law makes us keep.
async fn erase(
    State(state): State<AppState>,
    CurrentDataSubject(user): CurrentDataSubject,
    mut l: Layout,
    Form(form): Form<EraseForm>,
) -> Result<Response> {
    let id = user.id;
    let record = crate::accounts::store::login_record_by_id(&state.db, id).await?;
    if !state
        .hasher
        .verify(
            &form.password,
            record.as_ref().map(|r| r.password_hash.as_str()),
        )
        .await?
    {
        let mut errors = FieldErrors::default();
        errors.add("password", l.t.s("validation.password_wrong"));
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ErasePage {
                errors,
                l: l.with_form().await?,
            },
        );
    }
    let subject = Subject::of_user(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let outcome = erasure::erase(&state, &subject, erasure::Via::Centre).await?;
    sign_out(&l.session).await?;
    l.user = None;
    l.csrf = String::new();
    let t = l.t;
    render(&ErasedPage {
        erased: outcome
            .erased
            .iter()
            .map(|(k, n)| (t.s(&format!("privacy_section.{k}.title")), *n))
            .collect(),
        kept: outcome
            .kept
            .iter()
            .map(|k| KeptView {
                what: t.s(&format!("privacy_kept.{k}.what")),
                why: t.s(&format!("privacy_kept.{k}.why")),
            })
            .collect(),
        recipients_told: outcome.recipients_told,
        l,
    })
}
