//! The admins' team page: the members with their roles, open invitations, the record of
//! changes; inviting, changing a role, removing a member; who works on which ad. And leaving
//! a company, for any member. The last admin can neither leave nor be removed nor step down.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    INVITATION_LIFETIME, emails, invitation_path,
    store::{self, EventKind, Invitation, MemberEvent, NewInvitation},
};
use crate::{
    accounts::store::{self as accounts, Member},
    ads::store as ads,
    db::now,
    domain::{CompanyRole, Email},
    error::{Error, Result},
    i18n::{Lang, Tr, instant},
    identity::{CompanyAdmin, CurrentEmployer},
    state::AppState,
    web::{FieldErrors, FlashKind, Layout, flash, render, render_with_status},
};

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn role_choices(t: Tr, current: Option<CompanyRole>) -> Vec<Choice> {
    CompanyRole::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: t.s(r.label_key()),
            selected: current == Some(*r),
        })
        .collect()
}

pub struct MemberView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub since: String,
    pub is_you: bool,
    pub choices: Vec<Choice>,
}

pub struct InvitationView {
    pub id: i64,
    pub email: String,
    pub role: &'static str,
    pub sent: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "teams/team.html")]
struct TeamPage {
    l: Layout,
    members: Vec<MemberView>,
    invitations: Vec<InvitationView>,
    events: Vec<String>,
    invite_email: String,
    invite_choices: Vec<Choice>,
    errors: FieldErrors,
}

/// "Anna Admin made Bo Berg a recruiter", in the reader's language.
fn describe(t: Tr, event: &MemberEvent, names: &HashMap<i64, String>) -> String {
    let name_of = |id: Option<i64>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| t.s("team.erased_person").to_string())
    };
    let key = match event.kind {
        EventKind::Joined => "team.event.joined",
        EventKind::RoleChanged => "team.event.role_changed",
        EventKind::Removed => "team.event.removed",
        EventKind::Left => "team.event.left",
        EventKind::Promoted => "team.event.promoted",
    };
    let text = t.f(
        key,
        &[
            ("member", &name_of(event.member_id)),
            ("actor", &name_of(event.actor_id)),
            ("role", t.s(event.role.label_key())),
        ],
    );
    format!("{}: {text}", instant(t.lang(), event.created_at))
}

async fn team_page(
    state: &AppState,
    l: Layout,
    admin: &CurrentEmployer,
    invite_email: String,
    errors: FieldErrors,
) -> Result<TeamPage> {
    let t = l.t;
    let lang = t.lang();
    let members = accounts::members(&state.db, admin.company)
        .await?
        .into_iter()
        .map(|m| MemberView {
            is_you: m.user_id == admin.user.id,
            id: m.user_id,
            role: t.s(m.role.label_key()),
            since: instant(lang, m.added_at),
            choices: role_choices(t, Some(m.role)),
            name: m.name,
            email: m.email,
        })
        .collect();
    let invitations = store::open_invitations(&state.db, admin.company)
        .await?
        .into_iter()
        .map(|i: Invitation| InvitationView {
            id: i.id,
            role: t.s(i.role.label_key()),
            sent: instant(lang, i.created_at),
            expires: instant(lang, i.expires_at),
            email: i.email,
        })
        .collect();
    let events = store::recent_events(&state.db, admin.company, 50).await?;
    let people: Vec<i64> = events
        .iter()
        .flat_map(|e| [e.member_id, e.actor_id])
        .flatten()
        .collect();
    let names = accounts::names(&state.db, people).await?;
    Ok(TeamPage {
        events: events.iter().map(|e| describe(t, e, &names)).collect(),
        members,
        invitations,
        invite_email,
        invite_choices: role_choices(t, Some(CompanyRole::Recruiter)),
        errors,
        l: l.with_form().await?,
    })
}

pub async fn page(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
) -> Result<Response> {
    render(&team_page(&state, l, &admin, String::new(), FieldErrors::default()).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    role: String,
}

pub async fn invite(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
    Form(form): Form<InviteForm>,
) -> Result<Response> {
    let t = l.t;
    let mut errors = FieldErrors::default();
    let email = Email::parse(&form.email)
        .map_err(|k| errors.add("email", t.s(k)))
        .ok();
    let role = CompanyRole::parse(&form.role);
    if role.is_none() {
        errors.add("role", t.s("validation.choose"));
    }
    let members = accounts::members(&state.db, admin.company).await?;
    if let Some(email) = &email
        && members.iter().any(|m| m.email == email.as_str())
    {
        errors.add("email", t.s("team.invite.already_member"));
    }
    let (email, role) = match (email, role) {
        (Some(email), Some(role)) if errors.is_empty() => (email, role),
        _ => {
            let page = team_page(&state, l, &admin, form.email, errors).await?;
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    // The invitation is in the invitee's language if they have an account, else the admin's.
    let lang = match accounts::login_record(&state.db, email.as_str()).await? {
        Some(existing) => Lang::parse(&existing.lang).unwrap_or_default(),
        None => t.lang(),
    };
    let company = admin.user.company_name.clone().unwrap_or_default();
    let expires_at = now() + INVITATION_LIFETIME;
    let mut tx = state.db.begin().await?;
    let id = store::insert_invitation(
        &mut tx,
        &NewInvitation {
            company_id: admin.company,
            email: email.as_str(),
            role,
            invited_by: admin.user.id,
            expires_at,
        },
    )
    .await?;
    let rt = lang.tr();
    let link = state.link(&invitation_path(&state, admin.company, id, expires_at));
    let mail = emails::invitation(
        rt,
        &emails::InvitationMail {
            to: email.as_str(),
            company: &company,
            inviter: &admin.user.name,
            role: rt.s(role.label_key()),
            link: &link,
            expires: &instant(lang, expires_at),
        },
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(
        company_id = admin.company,
        invitation = id,
        "colleague invited"
    );
    flash(
        &l.session,
        FlashKind::Success,
        t.f("team.flash.invited", &[("email", email.as_str())]),
    )
    .await?;
    Ok(Redirect::to("/employer/team").into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    if !store::withdraw_invitation(&state.db, admin.company, id).await? {
        return Err(Error::NotFound);
    }
    flash(
        &l.session,
        FlashKind::Success,
        l.t.s("team.flash.withdrawn"),
    )
    .await?;
    Ok(Redirect::to("/employer/team").into_response())
}

/// Why a change to a membership did not happen.
enum Refused {
    /// The company would be left without an admin.
    LastAdmin,
    /// Nothing to change.
    Unchanged,
}

/// The member of the admin's company, or 404 (a member of another company is nobody here).
async fn member_of(
    tx: &mut crate::db::Tx,
    admin: &CurrentEmployer,
    user_id: i64,
) -> Result<Member> {
    if !accounts::lock_company(tx, admin.company).await? {
        return Err(Error::NotFound);
    }
    accounts::member_in(tx, admin.company, user_id)
        .await?
        .ok_or(Error::NotFound)
}

/// Queues the note that tells a member what changed, in their language.
async fn tell<'a>(
    state: &AppState,
    tx: &mut crate::db::Tx,
    member: &Member,
    company: &str,
    change: impl FnOnce(Tr) -> emails::Change<'a>,
) -> Result<()> {
    let t = Lang::parse(&member.lang).unwrap_or_default().tr();
    let mail = emails::membership_changed(t, &member.email, &member.name, company, &change(t))?;
    state.queue_mail(tx, &mail).await?;
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response> {
    let t = l.t;
    let role = CompanyRole::parse(&form.role)
        .ok_or_else(|| Error::BadRequest(t.s("validation.choose").into()))?;
    let company = admin.user.company_name.clone().unwrap_or_default();
    let mut tx = state.db.begin().await?;
    let member = member_of(&mut tx, &admin, id).await?;
    let outcome = if member.role == role {
        Err(Refused::Unchanged)
    } else if member.role == CompanyRole::Admin
        && accounts::admin_count(&mut tx, admin.company).await? <= 1
    {
        Err(Refused::LastAdmin)
    } else {
        Ok(())
    };
    if let Err(refused) = outcome {
        drop(tx);
        let key = match refused {
            Refused::LastAdmin => "team.refused.last_admin_role",
            Refused::Unchanged => "team.refused.unchanged",
        };
        flash(&l.session, FlashKind::Error, t.s(key)).await?;
        return Ok(Redirect::to("/employer/team").into_response());
    }
    accounts::set_member_role(&mut tx, admin.company, id, role).await?;
    store::record_event(
        &mut tx,
        admin.company,
        id,
        Some(admin.user.id),
        EventKind::RoleChanged,
        role,
    )
    .await?;
    tell(&state, &mut tx, &member, &company, |t| {
        emails::Change::RoleChanged {
            role: t.s(role.label_key()),
            by: &admin.user.name,
        }
    })
    .await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(
        company_id = admin.company,
        member = id,
        role = role.as_str(),
        "member's role changed"
    );
    flash(
        &l.session,
        FlashKind::Success,
        t.f(
            "team.flash.role_changed",
            &[("name", &member.name), ("role", t.s(role.label_key()))],
        ),
    )
    .await?;
    Ok(Redirect::to("/employer/team").into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let t = l.t;
    let company = admin.user.company_name.clone().unwrap_or_default();
    let mut tx = state.db.begin().await?;
    let member = member_of(&mut tx, &admin, id).await?;
    if member.role == CompanyRole::Admin
        && accounts::admin_count(&mut tx, admin.company).await? <= 1
    {
        drop(tx);
        flash(
            &l.session,
            FlashKind::Error,
            t.s("team.refused.last_admin_remove"),
        )
        .await?;
        return Ok(Redirect::to("/employer/team").into_response());
    }
    accounts::delete_member(&mut tx, admin.company, id).await?;
    store::unassign_all(&mut tx, id).await?;
    store::record_event(
        &mut tx,
        admin.company,
        id,
        Some(admin.user.id),
        EventKind::Removed,
        member.role,
    )
    .await?;
    // Their sessions end now: a request in flight cannot carry the membership on.
    accounts::end_sessions(&mut tx, id, None).await?;
    tell(&state, &mut tx, &member, &company, |_| {
        emails::Change::Removed {
            by: &admin.user.name,
        }
    })
    .await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(company_id = admin.company, member = id, "member removed");
    if id == admin.user.id {
        return Ok(Redirect::to("/login").into_response());
    }
    flash(
        &l.session,
        FlashKind::Success,
        t.f("team.flash.removed", &[("name", &member.name)]),
    )
    .await?;
    Ok(Redirect::to("/employer/team").into_response())
}

#[derive(Template)]
#[template(path = "teams/leave.html")]
struct LeavePage {
    l: Layout,
    company: String,
    last_admin: bool,
}

async fn is_last_admin(state: &AppState, who: &CurrentEmployer) -> Result<bool> {
    if !who.is_admin() {
        return Ok(false);
    }
    let mut tx = state.db.begin().await?;
    Ok(accounts::admin_count(&mut tx, who.company).await? <= 1)
}

pub async fn leave_form(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
) -> Result<Response> {
    render(&LeavePage {
        last_admin: is_last_admin(&state, &who).await?,
        company: who.user.company_name.clone().unwrap_or_default(),
        l: l.with_form().await?,
    })
}

pub async fn leave(
    State(state): State<AppState>,
    who: CurrentEmployer,
    l: Layout,
) -> Result<Response> {
    let company = who.user.company_name.clone().unwrap_or_default();
    let mut tx = state.db.begin().await?;
    let member = member_of(&mut tx, &who, who.user.id).await?;
    if member.role == CompanyRole::Admin && accounts::admin_count(&mut tx, who.company).await? <= 1
    {
        drop(tx);
        let page = LeavePage {
            last_admin: true,
            company,
            l: l.with_form().await?,
        };
        return render_with_status(StatusCode::CONFLICT, &page);
    }
    accounts::delete_member(&mut tx, who.company, who.user.id).await?;
    store::unassign_all(&mut tx, who.user.id).await?;
    store::record_event(
        &mut tx,
        who.company,
        who.user.id,
        Some(who.user.id),
        EventKind::Left,
        member.role,
    )
    .await?;
    tell(&state, &mut tx, &member, &company, |_| emails::Change::Left).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(
        company_id = who.company,
        member = who.user.id,
        "member left"
    );
    flash(
        &l.session,
        FlashKind::Success,
        l.t.f("team.flash.left", &[("company", &company)]),
    )
    .await?;
    Ok(Redirect::to("/account").into_response())
}

pub struct AssigneeView {
    pub id: i64,
    pub name: String,
    pub assigned: bool,
}

#[derive(Template)]
#[template(path = "teams/assignments.html")]
struct AssignmentPage {
    l: Layout,
    ad: i64,
    title: String,
    recruiters: Vec<AssigneeView>,
}

/// The ad of the admin's company, with its title; 404 for another company's.
async fn company_ad(state: &AppState, admin: &CurrentEmployer, id: i64) -> Result<String> {
    let ad = ads::ad(&state.db, id).await?.ok_or(Error::NotFound)?;
    if ad.company_id != admin.company {
        return Err(Error::NotFound);
    }
    let revision = ad
        .draft_revision_id
        .or(ad.live_revision_id)
        .ok_or(Error::NotFound)?;
    Ok(ads::revision(&state.db, revision).await?.title)
}

pub async fn assignment_form(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    let title = company_ad(&state, &admin, id).await?;
    let assigned = store::assignees(&state.db, id).await?;
    let recruiters = accounts::members(&state.db, admin.company)
        .await?
        .into_iter()
        .filter(|m| m.role == CompanyRole::Recruiter)
        .map(|m| AssigneeView {
            assigned: assigned.contains(&m.user_id),
            id: m.user_id,
            name: m.name,
        })
        .collect();
    render(&AssignmentPage {
        ad: id,
        title,
        recruiters,
        l: l.with_form().await?,
    })
}

pub async fn save_assignments(
    State(state): State<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    l: Layout,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    company_ad(&state, &admin, id).await?;
    let chosen: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "recruiter")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let recruiters: Vec<i64> = accounts::members(&state.db, admin.company)
        .await?
        .into_iter()
        .filter(|m| m.role == CompanyRole::Recruiter)
        .map(|m| m.user_id)
        .collect();
    if chosen.iter().any(|c| !recruiters.contains(c)) {
        return Err(Error::BadRequest(l.t.s("team.assign.not_recruiter").into()));
    }
    let current = store::assignees(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    for recruiter in &recruiters {
        match (chosen.contains(recruiter), current.contains(recruiter)) {
            (true, false) => store::assign(&mut tx, id, *recruiter, Some(admin.user.id)).await?,
            (false, true) => store::unassign(&mut tx, id, *recruiter).await?,
            _ => {}
        }
    }
    tx.commit().await?;
    flash(&l.session, FlashKind::Success, l.t.s("team.flash.assigned")).await?;
    Ok(Redirect::to(&format!("/employer/ads/{id}")).into_response())
}
