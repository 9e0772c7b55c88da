//! Queries for invitations, the record of changes to a company's members, and the ads each
//! recruiter works on. The memberships themselves are the accounts' (`accounts::store`).

use time::OffsetDateTime;

use crate::{
    db::{Db, Tx, now},
    db_run,
    domain::CompanyRole,
    error::Result,
    identity::CurrentEmployer,
};

/// An invitation to join a company.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Invitation {
    pub id: i64,
    pub company_id: i64,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: CompanyRole,
    pub invited_by: Option<i64>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub withdrawn_at: Option<OffsetDateTime>,
}

const INVITATION_SQL: &str = "SELECT id, company_id, email, role, invited_by, created_at, \
     expires_at, accepted_at, withdrawn_at FROM company_invitations";

pub struct NewInvitation<'a> {
    pub company_id: i64,
    pub email: &'a str,
    pub role: CompanyRole,
    pub invited_by: i64,
    pub expires_at: OffsetDateTime,
}

/// Records an invitation; an earlier open one to the same address for the company stops
/// working (the newest e-mail is the one that counts).
pub async fn insert_invitation(tx: &mut Tx, new: &NewInvitation<'_>) -> Result<i64> {
    let now = now();
    db_run!(tx tx, |c| sqlx::query(
        "UPDATE company_invitations SET withdrawn_at = $1 WHERE company_id = $2 AND email = $3 \
         AND accepted_at IS NULL AND withdrawn_at IS NULL"
    )
    .bind(now)
    .bind(new.company_id)
    .bind(new.email)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO company_invitations (company_id, email, role, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(new.company_id)
    .bind(new.email)
    .bind(new.role.as_str())
    .bind(new.invited_by)
    .bind(now)
    .bind(new.expires_at)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn invitation(db: &Db, id: i64) -> Result<Option<Invitation>> {
    let sql = format!("{INVITATION_SQL} WHERE id = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

/// The company's invitations that can still be used, newest first.
pub async fn open_invitations(db: &Db, company_id: i64) -> Result<Vec<Invitation>> {
    let sql = format!(
        "{INVITATION_SQL} WHERE company_id = $1 AND accepted_at IS NULL AND withdrawn_at IS NULL \
         AND expires_at > $2 ORDER BY id DESC"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company_id)
        .bind(now())
        .fetch_all(p)
        .await)?,
    )
}

/// Uses the invitation up for `user_id`; false if it was used, withdrawn or expired meanwhile.
pub async fn accept_invitation(tx: &mut Tx, id: i64, user_id: i64) -> Result<bool> {
    let now = now();
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE company_invitations SET accepted_at = $1, accepted_by = $2 \
         WHERE id = $3 AND accepted_at IS NULL AND withdrawn_at IS NULL AND expires_at > $1"
    )
    .bind(now)
    .bind(user_id)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Withdraws an open invitation of the company; false if there is none by that number.
pub async fn withdraw_invitation(db: &Db, company_id: i64, id: i64) -> Result<bool> {
    let changed = db_run!(pool db, |p| sqlx::query(
        "UPDATE company_invitations SET withdrawn_at = $1 \
         WHERE id = $2 AND company_id = $3 AND accepted_at IS NULL AND withdrawn_at IS NULL"
    )
    .bind(now())
    .bind(id)
    .bind(company_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Invitations sent to an address (the privacy centre's view of them).
pub async fn invitations_to(db: &Db, email: &str) -> Result<Vec<Invitation>> {
    let sql = format!("{INVITATION_SQL} WHERE email = $1 ORDER BY id");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(email).fetch_all(p).await)?,
    )
}

/// Housekeeping: invitations used, withdrawn or expired before `before`.
pub async fn delete_spent_invitations(db: &Db, before: OffsetDateTime) -> Result<u64> {
    Ok(db_run!(pool db, |p| sqlx::query(
        "DELETE FROM company_invitations WHERE expires_at < $1 OR accepted_at < $1 OR withdrawn_at < $1"
    )
    .bind(before)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}

// ---------------------------------------------------------------------------------------------

/// What changed in a company's team.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Joined,
    RoleChanged,
    Removed,
    Left,
    /// Made admin because the company's last admin was erased.
    Promoted,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Joined => "joined",
            EventKind::RoleChanged => "role_changed",
            EventKind::Removed => "removed",
            EventKind::Left => "left",
            EventKind::Promoted => "promoted",
        }
    }

    fn parse(text: &str) -> Option<EventKind> {
        [
            EventKind::Joined,
            EventKind::RoleChanged,
            EventKind::Removed,
            EventKind::Left,
            EventKind::Promoted,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

impl TryFrom<String> for EventKind {
    type Error = String;

    fn try_from(value: String) -> std::result::Result<Self, Self::Error> {
        EventKind::parse(&value).ok_or_else(|| format!("unknown member event {value}"))
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberEvent {
    pub company_id: i64,
    pub member_id: Option<i64>,
    pub actor_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub kind: EventKind,
    #[sqlx(try_from = "String")]
    pub role: CompanyRole,
    pub created_at: OffsetDateTime,
}

const EVENT_SQL: &str =
    "SELECT company_id, member_id, actor_id, kind, role, created_at FROM company_member_events";

pub async fn record_event(
    tx: &mut Tx,
    company_id: i64,
    member_id: i64,
    actor_id: Option<i64>,
    kind: EventKind,
    role: CompanyRole,
) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO company_member_events (company_id, member_id, actor_id, kind, role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(company_id)
    .bind(member_id)
    .bind(actor_id)
    .bind(kind.as_str())
    .bind(role.as_str())
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The company's latest changes, newest first.
pub async fn recent_events(db: &Db, company_id: i64, limit: i64) -> Result<Vec<MemberEvent>> {
    let sql = format!("{EVENT_SQL} WHERE company_id = $1 ORDER BY id DESC LIMIT $2");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company_id)
        .bind(limit)
        .fetch_all(p)
        .await)?,
    )
}

/// The changes a person took part in, as the member or as the one who made them.
pub async fn events_of(db: &Db, user_id: i64) -> Result<Vec<MemberEvent>> {
    let sql = format!("{EVENT_SQL} WHERE member_id = $1 OR actor_id = $1 ORDER BY id");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_all(p)
        .await)?,
    )
}

// ---------------------------------------------------------------------------------------------

/// Whether this member may see and work on the ad (of their company: the caller checks the
/// company): an admin on every one, a recruiter on those assigned to them.
pub async fn may_work_on(db: &Db, who: &CurrentEmployer, ad_id: i64) -> Result<bool> {
    match who.assigned_only() {
        None => Ok(true),
        Some(user) => is_assigned(db, ad_id, user).await,
    }
}

/// Puts the author of a new ad on it, in the transaction that creates the ad.
pub async fn assign_author(tx: &mut Tx, ad_id: i64, author: i64) -> Result<()> {
    assign(tx, ad_id, author, Some(author)).await
}

/// Puts a member on an ad (nothing happens if they are on it already).
pub async fn assign(tx: &mut Tx, ad_id: i64, user_id: i64, by: Option<i64>) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO ad_assignments (ad_id, user_id, assigned_at, assigned_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (ad_id, user_id) DO NOTHING"
    )
    .bind(ad_id)
    .bind(user_id)
    .bind(now())
    .bind(by)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn unassign(tx: &mut Tx, ad_id: i64, user_id: i64) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "DELETE FROM ad_assignments WHERE ad_id = $1 AND user_id = $2"
    )
    .bind(ad_id)
    .bind(user_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn is_assigned(db: &Db, ad_id: i64, user_id: i64) -> Result<bool> {
    let found: Option<i64> = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT ad_id FROM ad_assignments WHERE ad_id = $1 AND user_id = $2"
    )
    .bind(ad_id)
    .bind(user_id)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}

/// Who works on the ad.
pub async fn assignees(db: &Db, ad_id: i64) -> Result<Vec<i64>> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT user_id FROM ad_assignments WHERE ad_id = $1 ORDER BY user_id"
    )
    .bind(ad_id)
    .fetch_all(p)
    .await)?)
}

/// The ads a person works on.
pub async fn assigned_ads(db: &Db, user_id: i64) -> Result<Vec<(i64, OffsetDateTime)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT ad_id, assigned_at FROM ad_assignments WHERE user_id = $1 ORDER BY ad_id"
    )
    .bind(user_id)
    .fetch_all(p)
    .await)?)
}

/// A member leaves (or is taken off) every ad; an account belongs to one company at a time,
/// so these are all of that company's. Returns how many assignments went.
pub async fn unassign_all(tx: &mut Tx, user_id: i64) -> Result<u64> {
    Ok(
        db_run!(tx tx, |c| sqlx::query("DELETE FROM ad_assignments WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?,
    )
}
