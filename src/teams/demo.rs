//! The demo company's team: a second member, a recruiter who works on the first showcase ad
//! (login `recruiter@example.com`, the demo password), and an invitation still waiting for a
//! colleague (its e-mail is in the local mailbox).

use super::{
    INVITATION_LIFETIME, emails, invitation_path,
    store::{self, EventKind, NewInvitation},
};
use crate::{
    accounts::store as accounts,
    db::now,
    domain::{CompanyRole, Role},
    error::Result,
    i18n::{Lang, instant},
    state::AppState,
};

pub const RECRUITER_EMAIL: &str = "recruiter@example.com";
const INVITED_EMAIL: &str = "new.colleague@example.com";

pub async fn fill(
    state: &AppState,
    company: i64,
    admin: i64,
    ad: i64,
    password_hash: &str,
) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let recruiter = accounts::insert_user(
        &mut tx,
        &accounts::NewUser {
            email: RECRUITER_EMAIL,
            password_hash,
            name: "Mette Rekrutter",
            role: Role::Employer,
            lang: "da",
            verified: true,
        },
    )
    .await?;
    accounts::insert_member(
        &mut tx,
        company,
        recruiter,
        CompanyRole::Recruiter,
        Some(admin),
    )
    .await?;
    store::record_event(
        &mut tx,
        company,
        recruiter,
        Some(admin),
        EventKind::Joined,
        CompanyRole::Recruiter,
    )
    .await?;
    store::assign(&mut tx, ad, recruiter, Some(admin)).await?;
    let expires_at = now() + INVITATION_LIFETIME;
    let invitation = store::insert_invitation(
        &mut tx,
        &NewInvitation {
            company_id: company,
            email: INVITED_EMAIL,
            role: CompanyRole::Recruiter,
            invited_by: admin,
            expires_at,
        },
    )
    .await?;
    let t = Lang::Da.tr();
    let link = state.link(&invitation_path(state, company, invitation, expires_at));
    let mail = emails::invitation(
        t,
        &emails::InvitationMail {
            to: INVITED_EMAIL,
            company: "Nordlys Demo ApS",
            inviter: "Lars Demo",
            role: t.s(CompanyRole::Recruiter.label_key()),
            link: &link,
            expires: &instant(Lang::Da, expires_at),
        },
    )?;
    state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mail_queued();
    Ok(())
}
