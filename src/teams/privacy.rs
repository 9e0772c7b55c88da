//! What the team records hold about a person, for the privacy centre and the export: the
//! invitations sent to their address, the changes to memberships they took part in, and the
//! ads they work on. Erasure deletes the invitations, takes the person out of the record of
//! changes (what happened stays, without them) and off their ads. A company outlives its
//! members' accounts: when its last admin is erased (or its last admins, erased together), the
//! longest-standing remaining member becomes admin (recorded, and told by e-mail), so the
//! company is never left without one.

use std::collections::BTreeSet;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{
    emails,
    store::{self, EventKind},
};
use crate::{
    accounts::store as accounts,
    db::Tx,
    domain::CompanyRole,
    error::Result,
    i18n::Lang,
    privacy::sections::{
        Erasure, Section, SectionContext, Subject, emails, erase_own_rows, erase_rows_by_address,
        ts, user_ids,
    },
};

pub struct Team;

#[async_trait]
impl Section for Team {
    fn key(&self) -> &'static str {
        "team"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let mut invitations = Vec::new();
        for i in store::invitations_to(&cx.db, &subject.email).await? {
            let company = accounts::company_detail(&cx.db, i.company_id)
                .await?
                .map(|c| c.name);
            invitations.push(json!({
                "company_name": company,
                "member_role": i.role.as_str(),
                "sent_at": ts(i.created_at),
                "expires_at": ts(i.expires_at),
                "accepted_at": i.accepted_at.map(ts),
                "withdrawn_at": i.withdrawn_at.map(ts),
            }));
        }
        let (changes, ads) = match subject.user_id() {
            Some(id) => {
                let changes: Vec<Value> = store::events_of(&cx.db, id)
                    .await?
                    .into_iter()
                    .map(|e| {
                        json!({
                            "company_number": e.company_id,
                            "event": e.kind.as_str(),
                            "member_role": e.role.as_str(),
                            "as_whom": if e.member_id == Some(id) { "member" } else { "actor" },
                            "at": ts(e.created_at),
                        })
                    })
                    .collect();
                let ads: Vec<Value> = store::assigned_ads(&cx.db, id)
                    .await?
                    .into_iter()
                    .map(|(ad, at)| json!({"job_number": ad, "assigned_at": ts(at)}))
                    .collect();
                (changes, ads)
            }
            None => (Vec::new(), Vec::new()),
        };
        if invitations.is_empty() && changes.is_empty() && ads.is_empty() {
            return Ok(Value::Null);
        }
        Ok(json!({
            "invitations": invitations,
            "team_changes": changes,
            "assigned_ads": ads,
        }))
    }

    async fn erase_many(
        &self,
        cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_rows_by_address(
            tx,
            &emails(subjects),
            erasure,
            "team",
            "DELETE FROM company_invitations WHERE email IN {list} RETURNING email",
        )
        .await?;
        let ids = user_ids(subjects);
        // Per company, once: two admins erased in the same batch must not each leave it to the
        // other.
        let mut companies = BTreeSet::new();
        for user in accounts::members_among(tx, &ids).await? {
            if let Some((company, member)) = accounts::membership_in(tx, user).await?
                && member.role == CompanyRole::Admin
            {
                companies.insert(company);
            }
        }
        for company in companies {
            hand_over_admin(cx, tx, company, &ids).await?;
        }
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "team",
            "DELETE FROM ad_assignments WHERE user_id IN {list} RETURNING user_id",
        )
        .await?;
        // The record of changes keeps what happened, without the people.
        let members: Vec<i64> = tx
            .fetch_list(
                "SELECT member_id FROM company_member_events WHERE member_id IN {list}",
                &ids,
            )
            .await?;
        if !members.is_empty() {
            tx.execute_list(
                "UPDATE company_member_events SET member_id = NULL WHERE member_id IN {list}",
                &ids,
            )
            .await?;
            erasure.count_rows("team", &members);
        }
        let actors: Vec<i64> = tx
            .fetch_list(
                "SELECT actor_id FROM company_member_events WHERE actor_id IN {list}",
                &ids,
            )
            .await?;
        if !actors.is_empty() {
            tx.execute_list(
                "UPDATE company_member_events SET actor_id = NULL WHERE actor_id IN {list}",
                &ids,
            )
            .await?;
            erasure.count_rows("team", &actors);
        }
        Ok(())
    }
}

/// Before the company's last admins' accounts go (`leaving`), the member who joined first of
/// those who stay becomes admin.
async fn hand_over_admin(
    cx: &SectionContext,
    tx: &mut Tx,
    company: i64,
    leaving: &[i64],
) -> Result<()> {
    accounts::lock_company(tx, company).await?;
    let staying: Vec<_> = accounts::members(&cx.db, company)
        .await?
        .into_iter()
        .filter(|m| !leaving.contains(&m.user_id))
        .collect();
    if staying.iter().any(|m| m.role == CompanyRole::Admin) {
        return Ok(());
    }
    let Some(heir) = staying.into_iter().min_by_key(|m| (m.added_at, m.user_id)) else {
        return Ok(());
    };
    accounts::set_member_role(tx, company, heir.user_id, CompanyRole::Admin).await?;
    store::record_event(
        tx,
        company,
        heir.user_id,
        None,
        EventKind::Promoted,
        CompanyRole::Admin,
    )
    .await?;
    let name = accounts::company_detail(&cx.db, company)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let t = Lang::parse(&heir.lang).unwrap_or_default().tr();
    let mail =
        emails::membership_changed(t, &heir.email, &heir.name, &name, &emails::Change::Promoted)?;
    cx.queue_mail(tx, &mail).await?;
    Ok(())
}
