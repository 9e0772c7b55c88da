//! Accepting an invitation from its signed link: a visitor registers a new employer account
//! joined to the company (the link proves the address, so it needs no second verification);
//! someone signed in with an employer account at the invited address joins with it (leaving
//! their former company, unless they are its last admin). A link that is forged, for another
//! company, expired, withdrawn or already used is refused with a page that says which.

use askama::Template;
use axum::{
    Form,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    emails,
    store::{self, EventKind, Invitation},
};
use crate::{
    accounts::store as accounts,
    db::{Tx, is_unique_violation, now},
    domain::{DisplayName, Password, Role},
    error::{Error, Result},
    i18n::Tr,
    secrets::{Link, LinkCheck, SignedLink},
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render_with_status},
};

/// What the page offers for an invitation.
enum Offer {
    /// The link cannot be used: the catalog key of why.
    Refused(&'static str),
    /// A visitor: register a new account (or log in with an existing one).
    Register,
    /// Signed in at the invited address: join, leaving `leaving` if they belong to a company.
    Join { leaving: Option<String> },
    /// Signed in as someone who cannot take this invitation: the catalog key of why.
    NotForYou(&'static str),
}

#[derive(Template)]
#[template(path = "teams/join.html")]
struct JoinPage {
    l: Layout,
    offer: Offer,
    company: String,
    email: String,
    role: String,
    /// The form's target: the link itself, signature included.
    action: String,
    /// The name typed, shown again with the form's errors.
    typed_name: String,
    errors: FieldErrors,
}

impl JoinPage {
    fn refusal(&self) -> Option<&'static str> {
        match self.offer {
            Offer::Refused(key) | Offer::NotForYou(key) => Some(key),
            _ => None,
        }
    }

    fn registers(&self) -> bool {
        matches!(self.offer, Offer::Register)
    }

    fn joins(&self) -> bool {
        matches!(self.offer, Offer::Join { .. })
    }

    fn leaving(&self) -> Option<String> {
        match &self.offer {
            Offer::Join { leaving } => leaving.clone(),
            _ => None,
        }
    }

    /// The login page, coming back to this link afterwards.
    fn login_href(&self) -> String {
        format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", &self.action)]).unwrap_or_default()
        )
    }
}

/// The invitation a link opens, with the company's name; or why it opens nothing.
enum Checked {
    Open(Invitation, String),
    Refused(&'static str),
}

async fn check(state: &AppState, company: i64, id: i64, query: Option<&str>) -> Result<Checked> {
    let link = SignedLink::from_query(query);
    match state
        .keys
        .check_link(Link::CompanyInvitation, &format!("{company}:{id}"), &link)
    {
        LinkCheck::Invalid => return Ok(Checked::Refused("link.invalid")),
        LinkCheck::Expired => return Ok(Checked::Refused("join.refused.expired")),
        LinkCheck::Valid => {}
    }
    let Some(invitation) = store::invitation(&state.db, id)
        .await?
        .filter(|i| i.company_id == company)
    else {
        return Ok(Checked::Refused("link.invalid"));
    };
    let Some(detail) = accounts::company_detail(&state.db, company).await? else {
        return Ok(Checked::Refused("link.invalid"));
    };
    Ok(if invitation.accepted_at.is_some() {
        Checked::Refused("join.refused.used")
    } else if invitation.withdrawn_at.is_some() {
        Checked::Refused("join.refused.withdrawn")
    } else if invitation.expires_at <= now() {
        Checked::Refused("join.refused.expired")
    } else if detail.blocked_at.is_some() {
        Checked::Refused("join.refused.blocked")
    } else {
        Checked::Open(invitation, detail.name)
    })
}

/// What the signed-in person (if any) may do with an open invitation.
async fn offer_for(state: &AppState, l: &Layout, invitation: &Invitation) -> Result<Offer> {
    let Some(user) = &l.user else {
        return Ok(Offer::Register);
    };
    if user.role != Role::Employer {
        return Ok(Offer::NotForYou("join.refused.not_employer"));
    }
    if !user.email.eq_ignore_ascii_case(&invitation.email) {
        return Ok(Offer::NotForYou("join.refused.other_address"));
    }
    if user.company_id == Some(invitation.company_id) {
        return Ok(Offer::NotForYou("join.refused.already_member"));
    }
    if let Some(current) = user.company_id {
        let mut tx = state.db.begin().await?;
        if user.is_company_admin() && accounts::admin_count(&mut tx, current).await? <= 1 {
            return Ok(Offer::NotForYou("join.refused.last_admin_elsewhere"));
        }
    }
    Ok(Offer::Join {
        leaving: user.company_name.clone(),
    })
}

fn status_of(offer: &Offer) -> StatusCode {
    match offer {
        Offer::Refused("link.invalid") => StatusCode::NOT_FOUND,
        Offer::Refused(_) => StatusCode::GONE,
        Offer::NotForYou(_) => StatusCode::CONFLICT,
        Offer::Register | Offer::Join { .. } => StatusCode::OK,
    }
}

async fn show(
    l: Layout,
    offer: Offer,
    invitation: Option<&Invitation>,
    company: String,
    action: String,
    name: String,
    errors: FieldErrors,
) -> Result<Response> {
    let t = l.t;
    let status = if errors.is_empty() {
        status_of(&offer)
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = JoinPage {
        offer,
        company,
        email: invitation.map(|i| i.email.clone()).unwrap_or_default(),
        role: invitation
            .map_or("", |i| t.s(i.role.label_key()))
            .to_string(),
        action,
        typed_name: name,
        errors,
        l: l.with_form().await?,
    };
    render_with_status(status, &page)
}

fn action_of(company: i64, id: i64, query: Option<&str>) -> String {
    match query {
        Some(q) => format!("/join/{company}/{id}?{q}"),
        None => format!("/join/{company}/{id}"),
    }
}

pub async fn page(
    State(state): State<AppState>,
    l: Layout,
    Path((company, id)): Path<(i64, i64)>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let action = action_of(company, id, query.as_deref());
    match check(&state, company, id, query.as_deref()).await? {
        Checked::Refused(key) => {
            show(
                l,
                Offer::Refused(key),
                None,
                String::new(),
                action,
                String::new(),
                FieldErrors::default(),
            )
            .await
        }
        Checked::Open(invitation, name) => {
            let offer = offer_for(&state, &l, &invitation).await?;
            show(
                l,
                offer,
                Some(&invitation),
                name,
                action,
                String::new(),
                FieldErrors::default(),
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JoinForm {
    name: String,
    password: String,
}

pub async fn accept(
    State(state): State<AppState>,
    l: Layout,
    Path((company, id)): Path<(i64, i64)>,
    RawQuery(query): RawQuery,
    Form(form): Form<JoinForm>,
) -> Result<Response> {
    let action = action_of(company, id, query.as_deref());
    let (invitation, company_name) = match check(&state, company, id, query.as_deref()).await? {
        Checked::Refused(key) => {
            return show(
                l,
                Offer::Refused(key),
                None,
                String::new(),
                action,
                String::new(),
                FieldErrors::default(),
            )
            .await;
        }
        Checked::Open(invitation, name) => (invitation, name),
    };
    let offer = offer_for(&state, &l, &invitation).await?;
    let t = l.t;
    match offer {
        Offer::Register => {
            let mut errors = FieldErrors::default();
            let name = DisplayName::parse(&form.name, "validation.name_required")
                .map_err(|k| errors.add("name", t.s(k)))
                .ok();
            let password = Password::parse(&form.password)
                .map_err(|k| errors.add("password", t.s(k)))
                .ok();
            if accounts::email_taken(&state.db, &invitation.email).await? {
                errors.add("email", t.s("join.refused.account_exists"));
            }
            let (Some(name), Some(password)) = (name, password) else {
                return show(
                    l,
                    offer,
                    Some(&invitation),
                    company_name,
                    action,
                    form.name,
                    errors,
                )
                .await;
            };
            if !errors.is_empty() {
                return show(
                    l,
                    offer,
                    Some(&invitation),
                    company_name,
                    action,
                    form.name,
                    errors,
                )
                .await;
            }
            let password_hash = state.hasher.hash(password.expose()).await?;
            let mut tx = state.db.begin().await?;
            let user_id = match accounts::insert_user(
                &mut tx,
                &accounts::NewUser {
                    email: &invitation.email,
                    password_hash: &password_hash,
                    name: name.as_str(),
                    role: Role::Employer,
                    lang: t.lang().code(),
                    // The invitation reached this address: that is the verification.
                    verified: true,
                },
            )
            .await
            {
                Ok(id) => id,
                Err(e) if is_unique_violation(&e) => {
                    let mut errors = FieldErrors::default();
                    errors.add("email", t.s("join.refused.account_exists"));
                    drop(tx);
                    return show(
                        l,
                        Offer::Register,
                        Some(&invitation),
                        company_name,
                        action,
                        form.name,
                        errors,
                    )
                    .await;
                }
                Err(e) => return Err(e.into()),
            };
            let member = Joining {
                user_id,
                name: name.as_str(),
                email: &invitation.email,
                leaving: None,
            };
            if !join(&state, &mut tx, t, &invitation, &company_name, &member).await? {
                drop(tx);
                return used_meanwhile(l, action).await;
            }
            tx.commit().await?;
            state.mail_queued();
            tracing::info!(
                company_id = company,
                user_id,
                "invitation accepted with a new account"
            );
            flash(&l.session, FlashKind::Success, t.s("join.flash.registered")).await?;
            Ok(Redirect::to("/login").into_response())
        }
        Offer::Join { .. } => {
            let user = l.user.clone().ok_or(Error::Forbidden)?;
            let mut tx = state.db.begin().await?;
            // Leaving the former company is checked again under both companies' locks, taken
            // together so that two people moving the opposite way cannot deadlock.
            let leaving = match user.company_id {
                Some(former) => {
                    tx.lock(&[
                        &accounts::members_lock(former),
                        &accounts::members_lock(invitation.company_id),
                    ])
                    .await?;
                    match accounts::member_in(&mut tx, former, user.id).await? {
                        Some(m)
                            if m.role == crate::domain::CompanyRole::Admin
                                && accounts::admin_count(&mut tx, former).await? <= 1 =>
                        {
                            drop(tx);
                            return show(
                                l,
                                Offer::NotForYou("join.refused.last_admin_elsewhere"),
                                Some(&invitation),
                                company_name,
                                action,
                                String::new(),
                                FieldErrors::default(),
                            )
                            .await;
                        }
                        Some(m) => Some((former, m.role)),
                        None => None,
                    }
                }
                None => None,
            };
            let member = Joining {
                user_id: user.id,
                name: &user.name,
                email: &user.email,
                leaving,
            };
            if !join(&state, &mut tx, t, &invitation, &company_name, &member).await? {
                drop(tx);
                return used_meanwhile(l, action).await;
            }
            tx.commit().await?;
            state.mail_queued();
            tracing::info!(
                company_id = company,
                user_id = user.id,
                "invitation accepted"
            );
            flash(
                &l.session,
                FlashKind::Success,
                t.f("join.flash.joined", &[("company", &company_name)]),
            )
            .await?;
            Ok(Redirect::to("/employer/ads").into_response())
        }
        refused @ (Offer::Refused(_) | Offer::NotForYou(_)) => {
            show(
                l,
                refused,
                Some(&invitation),
                company_name,
                action,
                String::new(),
                FieldErrors::default(),
            )
            .await
        }
    }
}

/// Who takes up an invitation, and the company they leave for it (with their role there).
struct Joining<'a> {
    user_id: i64,
    name: &'a str,
    email: &'a str,
    leaving: Option<(i64, crate::domain::CompanyRole)>,
}

/// In one transaction: the invitation is used up, the person leaves their former company (if
/// any), becomes a member with the invited role, both changes are recorded, and they are told.
/// False if the invitation was used or withdrawn meanwhile.
async fn join(
    state: &AppState,
    tx: &mut Tx,
    t: Tr,
    invitation: &Invitation,
    company: &str,
    who: &Joining<'_>,
) -> Result<bool> {
    accounts::lock_company(tx, invitation.company_id).await?;
    if !store::accept_invitation(tx, invitation.id, who.user_id).await? {
        return Ok(false);
    }
    if let Some((former, role)) = who.leaving {
        accounts::delete_member(tx, former, who.user_id).await?;
        store::unassign_all(tx, who.user_id).await?;
        store::record_event(
            tx,
            former,
            who.user_id,
            Some(who.user_id),
            EventKind::Left,
            role,
        )
        .await?;
    }
    accounts::insert_member(
        tx,
        invitation.company_id,
        who.user_id,
        invitation.role,
        invitation.invited_by,
    )
    .await?;
    store::record_event(
        tx,
        invitation.company_id,
        who.user_id,
        invitation.invited_by,
        EventKind::Joined,
        invitation.role,
    )
    .await?;
    let mail = emails::membership_changed(
        t,
        who.email,
        who.name,
        company,
        &emails::Change::Joined {
            role: t.s(invitation.role.label_key()),
        },
    )?;
    state.queue_mail(tx, &mail).await?;
    Ok(true)
}

async fn used_meanwhile(l: Layout, action: String) -> Result<Response> {
    show(
        l,
        Offer::Refused("join.refused.used"),
        None,
        String::new(),
        action,
        String::new(),
        FieldErrors::default(),
    )
    .await
}
