//! Queries for accounts, companies, one-time tokens and sign-in attempts.

use time::{Duration, OffsetDateTime};

use crate::{
    db::{Db, Tx, now},
    db_run,
    domain::{CompanyRole, Role},
    error::Result,
    secrets,
};

/// What logging in needs to know about an address.
#[derive(sqlx::FromRow)]
pub struct LoginRecord {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub name: String,
    pub lang: String,
    pub email_verified_at: Option<OffsetDateTime>,
    pub session_epoch: i64,
    /// Set while an operator has blocked the account (see `operator::blocks`).
    pub blocked_at: Option<OffsetDateTime>,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

pub async fn login_record(db: &Db, email: &str) -> Result<Option<LoginRecord>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT id, email, password_hash, name, lang, email_verified_at, session_epoch, blocked_at, role FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_optional(p)
    .await)?)
}

pub async fn login_record_by_id(db: &Db, id: i64) -> Result<Option<LoginRecord>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT id, email, password_hash, name, lang, email_verified_at, session_epoch, blocked_at, role FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub lang: &'a str,
    pub verified: bool,
}

/// Inserts an account; a duplicate address surfaces as a unique violation.
pub async fn insert_user(tx: &mut Tx, user: &NewUser<'_>) -> Result<i64, sqlx::Error> {
    let now = now();
    let verified_at = user.verified.then_some(now);
    db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, name, role, lang, email_verified_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id"
    )
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.name)
    .bind(user.role.as_str())
    .bind(user.lang)
    .bind(verified_at)
    .bind(now)
    .fetch_one(&mut *c)
    .await)
}

/// Creates a company with its first member as its admin.
pub async fn insert_company(
    tx: &mut Tx,
    name: &str,
    cvr: &str,
    owner_id: i64,
) -> Result<i64, sqlx::Error> {
    let now = now();
    db_run!(tx tx, |c| {
        let plain = crate::text::slug(name);
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM companies WHERE slug = $1")
            .bind(&plain)
            .fetch_one(&mut *c)
            .await?;
        let slug = if taken == 0 { plain } else { format!("{plain}-{cvr}") };
        let company_id: i64 = sqlx::query_scalar(
            "INSERT INTO companies (name, cvr, slug, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(cvr)
        .bind(&slug)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        sqlx::query(
            "INSERT INTO company_members (company_id, user_id, role, added_at) \
             VALUES ($1, $2, 'admin', $3)",
        )
        .bind(company_id)
        .bind(owner_id)
        .bind(now)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?;
        Ok(company_id)
    })
}

/// Gives every company that has no address yet (those made before company pages) its slug:
/// from its name, with its CVR number added if another company has that one. Run at start-up;
/// finds nothing to do once done.
pub async fn assign_missing_slugs(db: &Db) -> Result<u64> {
    let missing: Vec<(i64, String, String)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT id, name, cvr FROM companies WHERE slug IS NULL ORDER BY id"
    )
    .fetch_all(p)
    .await)?;
    let mut assigned = 0;
    for (id, name, cvr) in missing {
        let mut tx = db.begin().await?;
        let plain = crate::text::slug(&name);
        let taken: i64 = db_run!(tx &mut tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM companies WHERE slug = $1"
        )
        .bind(&plain)
        .fetch_one(&mut *c)
        .await)?;
        let slug = if taken == 0 {
            plain
        } else {
            format!("{plain}-{cvr}")
        };
        assigned += db_run!(tx &mut tx, |c| sqlx::query(
            "UPDATE companies SET slug = $1 WHERE id = $2 AND slug IS NULL"
        )
        .bind(&slug)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.commit().await?;
    }
    Ok(assigned)
}

/// A company as its public page names it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PublicCompany {
    pub id: i64,
    pub name: String,
    pub slug: String,
    /// Blocked by an operator: its page and ads are gone meanwhile.
    pub blocked: bool,
    /// Its last account was erased (it has no member left): its page is gone for good.
    pub erased: bool,
}

const PUBLIC_COMPANY_SQL: &str = "SELECT c.id, c.name, c.slug, c.blocked_at IS NOT NULL AS blocked, \
     NOT EXISTS (SELECT 1 FROM company_members m WHERE m.company_id = c.id) AS erased \
     FROM companies c";

pub async fn company_by_slug(db: &Db, slug: &str) -> Result<Option<PublicCompany>> {
    let sql = format!("{PUBLIC_COMPANY_SQL} WHERE c.slug = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(p).await)?,
    )
}

pub async fn public_company(db: &Db, id: i64) -> Result<Option<PublicCompany>> {
    let sql = format!("{PUBLIC_COMPANY_SQL} WHERE c.id = $1 AND c.slug IS NOT NULL");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

/// The slugs of the companies whose pages are public (not blocked, with an account), for the
/// sitemap: the oldest `limit`.
pub async fn listed_companies(db: &Db, limit: i64) -> Result<Vec<String>> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT c.slug FROM companies c WHERE c.slug IS NOT NULL AND c.blocked_at IS NULL \
         AND EXISTS (SELECT 1 FROM company_members m WHERE m.company_id = c.id) \
         ORDER BY c.id LIMIT $1"
    )
    .bind(limit)
    .fetch_all(p)
    .await)?)
}

/// The companies that one of `users` is the only member of (their pages and billing details
/// go with that account), as `(user, company)` pairs.
pub async fn sole_companies_of(tx: &mut Tx, users: &[i64]) -> Result<Vec<(i64, i64)>> {
    tx.fetch_rows(
        "SELECT m.user_id, m.company_id FROM company_members m WHERE m.user_id IN {list} \
         AND (SELECT COUNT(*) FROM company_members o WHERE o.company_id = m.company_id) = 1",
        users,
    )
    .await
}

/// Which of `users` belong to a company.
pub async fn members_among(tx: &mut Tx, users: &[i64]) -> Result<Vec<i64>> {
    tx.fetch_list(
        "SELECT user_id FROM company_members WHERE user_id IN {list}",
        users,
    )
    .await
}

pub async fn cvr_taken(db: &Db, cvr: &str) -> Result<bool> {
    let found: Option<i64> = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT id FROM companies WHERE cvr = $1"
    )
    .bind(cvr)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}

pub async fn email_taken(db: &Db, email: &str) -> Result<bool> {
    Ok(login_record(db, email).await?.is_some())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    ChangeEmail,
    /// Lets the owner log in to an account past its limit of failed logins.
    UnlockLogin,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
            TokenPurpose::ChangeEmail => "change_email",
            TokenPurpose::UnlockLogin => "unlock_login",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            TokenPurpose::VerifyEmail | TokenPurpose::ChangeEmail => Duration::hours(48),
            TokenPurpose::ResetPassword | TokenPurpose::UnlockLogin => Duration::hours(1),
        }
    }
}

/// Issues a one-time link token; earlier unused tokens of the same purpose stop working.
pub async fn issue_token(
    tx: &mut Tx,
    user_id: i64,
    purpose: TokenPurpose,
    new_email: Option<&str>,
) -> Result<String> {
    let token = secrets::random_token();
    let now = now();
    db_run!(tx tx, |c| {
        sqlx::query(
            "UPDATE account_tokens SET used_at = $1 \
             WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(purpose.as_str())
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?;
        sqlx::query(
            "INSERT INTO account_tokens (user_id, purpose, token_hash, new_email, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(secrets::token_hash(&token))
        .bind(new_email)
        .bind(now + purpose.lifetime())
        .bind(now)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())
    })?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
pub struct ValidToken {
    pub id: i64,
    pub user_id: i64,
    pub new_email: Option<String>,
}

const VALID_TOKEN_SQL: &str = "SELECT id, user_id, new_email FROM account_tokens \
     WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3";

/// Looks a token up without using it (to decide whether to show the form at all).
pub async fn find_token(db: &Db, token: &str, purpose: TokenPurpose) -> Result<Option<ValidToken>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(VALID_TOKEN_SQL)
        .bind(secrets::token_hash(token))
        .bind(purpose.as_str())
        .bind(now())
        .fetch_optional(p)
        .await)?)
}

/// Uses a token up inside the transaction that acts on it; `None` if invalid, used or expired.
pub async fn consume_token(
    tx: &mut Tx,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Option<ValidToken>> {
    let now = now();
    let found: Option<ValidToken> = db_run!(tx tx, |c| sqlx::query_as(VALID_TOKEN_SQL)
        .bind(secrets::token_hash(token))
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(&mut *c)
        .await)?;
    if let Some(valid) = &found {
        let updated = db_run!(tx tx, |c| sqlx::query(
            "UPDATE account_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL"
        )
        .bind(now)
        .bind(valid.id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
        if updated != 1 {
            return Ok(None);
        }
    }
    Ok(found)
}

pub async fn mark_verified(tx: &mut Tx, user_id: i64) -> Result<()> {
    let now = now();
    db_run!(tx tx, |c| sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, user_id: i64, password_hash: &str) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(password_hash)
    .bind(now())
    .bind(user_id)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_email(tx: &mut Tx, user_id: i64, email: &str) -> Result<(), sqlx::Error> {
    db_run!(tx tx, |c| sqlx::query("UPDATE users SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now())
        .bind(user_id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The name a person goes by, changed by themselves (profile or privacy centre).
pub async fn set_name(tx: &mut Tx, user_id: i64, name: &str, at: OffsetDateTime) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("UPDATE users SET name = $1, updated_at = $2 WHERE id = $3")
        .bind(name)
        .bind(at)
        .bind(user_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_language(db: &Db, user_id: i64, lang: &str) -> Result<()> {
    db_run!(pool db, |p| sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
        .bind(lang)
        .bind(user_id)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Adds a successful login with the masked address to the login history the privacy centre
/// shows.
pub async fn record_login_event(db: &Db, user: i64, ip: std::net::IpAddr) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "INSERT INTO login_events (user_id, masked_ip, created_at) VALUES ($1, $2, $3)"
    )
    .bind(user)
    .bind(crate::privacy::policy::MaskedIp::new(ip).to_string())
    .bind(now())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn record_login(db: &Db, user_id: i64) -> Result<()> {
    db_run!(pool db, |p| sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(now())
        .bind(user_id)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of a person (after a password reset or change): the stored ones are
/// deleted, and the epoch is raised so that one re-created by a request still in flight (a
/// renewed id carries the epoch it had) is refused at its next request. Returns the new epoch;
/// `None` if the epoch is no longer `seen` (given), i.e. the asking session itself has ended.
pub async fn end_sessions(tx: &mut Tx, user_id: i64, seen: Option<i64>) -> Result<Option<i64>> {
    let epoch: Option<i64> = db_run!(tx tx, |c| sqlx::query_scalar(
        "UPDATE users SET session_epoch = session_epoch + 1 \
         WHERE id = $1 AND ($2 IS NULL OR session_epoch = $2) RETURNING session_epoch"
    )
    .bind(user_id)
    .bind(seen)
    .fetch_optional(&mut *c)
    .await)?;
    if epoch.is_some() {
        db_run!(tx tx, |c| sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(epoch)
}

#[derive(Clone, Copy)]
pub enum AttemptAction {
    Login,
    PasswordReset,
    Register,
    /// An e-mail to an address that has an account, about someone else's use of it.
    AccountNotice,
    /// The e-mail with a link that opens an account past its login limit.
    UnlockNotice,
}

impl AttemptAction {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            AttemptAction::Login => "login",
            AttemptAction::PasswordReset => "password_reset",
            AttemptAction::Register => "register",
            AttemptAction::AccountNotice => "account_notice",
            AttemptAction::UnlockNotice => "unlock_notice",
        }
    }
}

pub struct Attempt<'a> {
    pub action: AttemptAction,
    pub account_key: &'a str,
    pub ip_key: &'a str,
    pub user_id: Option<i64>,
}

/// Records an attempt as unsuccessful (until `attempt_succeeded` says otherwise).
pub async fn record_attempt(tx: &mut Tx, attempt: &Attempt<'_>) -> Result<i64> {
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "INSERT INTO auth_attempts (action, account_key, ip_key, user_id, succeeded, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(attempt.action.as_str())
    .bind(attempt.account_key)
    .bind(attempt.ip_key)
    .bind(attempt.user_id)
    .bind(false)
    .bind(now())
    .fetch_one(&mut *c)
    .await)?)
}

/// Marks a recorded attempt as successful, so that it no longer counts against a limit.
pub async fn attempt_succeeded(db: &Db, attempt_id: i64, user_id: i64) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "UPDATE auth_attempts SET succeeded = $1, user_id = $2 WHERE id = $3"
    )
    .bind(true)
    .bind(user_id)
    .bind(attempt_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Unsuccessful attempts since `since`, per account key and per IP key. An account's count
/// starts again after its last successful attempt (the owner proved the password); an IP's
/// does not, or an attacker could clear it by logging in to an account of their own.
pub async fn count_failures(
    tx: &mut Tx,
    action: AttemptAction,
    account_key: &str,
    ip_key: &str,
    since: OffsetDateTime,
) -> Result<(i64, i64)> {
    let last_success: Option<OffsetDateTime> = db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT MAX(created_at) FROM auth_attempts \
         WHERE action = $1 AND account_key = $2 AND succeeded = $3 AND created_at > $4"
    )
    .bind(action.as_str())
    .bind(account_key)
    .bind(true)
    .bind(since)
    .fetch_one(&mut *c)
    .await)?;
    let account_since = last_success.map_or(since, |at| at.max(since));
    let counts: (i64, i64) = db_run!(tx tx, |c| sqlx::query_as(
        "SELECT \
           COALESCE(SUM(CASE WHEN account_key = $2 AND created_at > $6 THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN ip_key = $3 THEN 1 ELSE 0 END), 0) \
         FROM auth_attempts \
         WHERE action = $1 AND succeeded = $4 AND created_at > $5 AND (account_key = $2 OR ip_key = $3)"
    )
    .bind(action.as_str())
    .bind(account_key)
    .bind(ip_key)
    .bind(false)
    .bind(since)
    .bind(account_since)
    .fetch_one(&mut *c)
    .await)?;
    Ok(counts)
}

/// Accounts for the operator overview, newest first.
#[derive(sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub company_name: Option<String>,
    pub email_verified_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
    pub blocked_at: Option<OffsetDateTime>,
}

const ACCOUNT_ROW_SQL: &str = "SELECT u.id, u.email, u.name, u.role, c.name AS company_name, \
     u.email_verified_at, u.created_at, u.last_login_at, u.blocked_at \
     FROM users u \
     LEFT JOIN company_members m ON m.user_id = u.id \
     LEFT JOIN companies c ON c.id = m.company_id";

pub async fn recent_accounts(db: &Db, limit: i64) -> Result<Vec<AccountRow>> {
    let sql = format!("{ACCOUNT_ROW_SQL} ORDER BY u.id DESC LIMIT $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
    .bind(limit)
    .fetch_all(p)
    .await)?,
    )
}

/// Number of accounts per role, and of companies.
pub async fn account_counts(db: &Db) -> Result<Vec<(String, i64)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT role, COUNT(*) FROM users GROUP BY role \
         UNION ALL SELECT 'companies', COUNT(*) FROM companies"
    )
    .fetch_all(p)
    .await)?)
}

/// `%words%` for a LIKE over lower-cased text, with LIKE's wildcards taken out of the words.
fn contains_pattern(words: &str) -> String {
    format!("%{}%", words.trim().to_lowercase().replace(['%', '_'], ""))
}

/// Accounts whose name or e-mail address contains `words`, or whose company's name or CVR
/// number does (the operators' search), newest first.
pub async fn search_accounts(db: &Db, words: &str, limit: i64) -> Result<Vec<AccountRow>> {
    let sql = format!(
        "{ACCOUNT_ROW_SQL} WHERE LOWER(u.name) LIKE $1 OR LOWER(u.email) LIKE $1 \
         OR LOWER(c.name) LIKE $1 OR c.cvr LIKE $1 ORDER BY u.id DESC LIMIT $2"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(contains_pattern(words))
        .bind(limit)
        .fetch_all(p)
        .await)?,
    )
}

/// One account as the operators' console shows it.
#[derive(sqlx::FromRow)]
pub struct AccountDetail {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub lang: String,
    pub email_verified_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
    pub blocked_at: Option<OffsetDateTime>,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
}

pub async fn account_detail(db: &Db, id: i64) -> Result<Option<AccountDetail>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.role, u.lang, u.email_verified_at, u.created_at, \
         u.last_login_at, u.blocked_at, c.id AS company_id, c.name AS company_name \
         FROM users u LEFT JOIN company_members m ON m.user_id = u.id \
         LEFT JOIN companies c ON c.id = m.company_id WHERE u.id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

/// A company as the operators' console shows it.
#[derive(sqlx::FromRow)]
pub struct CompanyDetail {
    pub id: i64,
    pub name: String,
    pub cvr: String,
    pub created_at: OffsetDateTime,
    pub trusted: bool,
    pub verified_at: Option<OffsetDateTime>,
    pub blocked_at: Option<OffsetDateTime>,
}

const COMPANY_DETAIL_SQL: &str =
    "SELECT id, name, cvr, created_at, trusted, verified_at, blocked_at FROM companies";

pub async fn company_detail(db: &Db, id: i64) -> Result<Option<CompanyDetail>> {
    let sql = format!("{COMPANY_DETAIL_SQL} WHERE id = $1");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(p)
        .await)?,
    )
}

/// Companies whose name or CVR number contains `words`, by name.
pub async fn search_companies(db: &Db, words: &str, limit: i64) -> Result<Vec<CompanyDetail>> {
    let sql = format!(
        "{COMPANY_DETAIL_SQL} WHERE LOWER(name) LIKE $1 OR cvr LIKE $1 ORDER BY name, id LIMIT $2"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(contains_pattern(words))
        .bind(limit)
        .fetch_all(p)
        .await)?,
    )
}

/// The accounts that belong to a company.
pub async fn company_members(db: &Db, company_id: i64) -> Result<Vec<AccountRow>> {
    let sql = format!("{ACCOUNT_ROW_SQL} WHERE m.company_id = $1 ORDER BY u.name, u.id");
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company_id)
        .fetch_all(p)
        .await)?,
    )
}

/// Marks an account as blocked since `at`, or (`None`) no longer; false if there is no such
/// account. The reason and the history are the operator console's (`account_blocks`).
pub async fn set_user_blocked(
    tx: &mut Tx,
    user_id: i64,
    at: Option<OffsetDateTime>,
) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query("UPDATE users SET blocked_at = $1 WHERE id = $2")
        .bind(at)
        .bind(user_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// The same for a company: while it is blocked its ads are public nowhere.
pub async fn set_company_blocked(
    tx: &mut Tx,
    company_id: i64,
    at: Option<OffsetDateTime>,
) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query("UPDATE companies SET blocked_at = $1 WHERE id = $2")
        .bind(at)
        .bind(company_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// The people to tell about a company's block: its members, with their language.
pub async fn company_member_addresses(
    tx: &mut Tx,
    company_id: i64,
) -> Result<Vec<(String, String, String)>> {
    Ok(db_run!(tx tx, |c| sqlx::query_as(
        "SELECT u.email, u.name, u.lang FROM users u JOIN company_members m ON m.user_id = u.id \
         WHERE m.company_id = $1 ORDER BY u.id"
    )
    .bind(company_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Registrations (accounts other than operators) in each of `days`, for the console.
pub async fn registrations_per_day(db: &Db, days: &[time::Date]) -> Result<Vec<(time::Date, i64)>> {
    crate::db::daily::count_per_day(
        db,
        "SELECT COUNT(*) FROM users WHERE created_at >= $1 AND created_at < $2 AND role <> 'operator'",
        days,
    )
    .await
}

/// Blocked accounts and blocked companies, for the console.
pub async fn blocked_counts(db: &Db) -> Result<(i64, i64)> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM users WHERE blocked_at IS NOT NULL), \
                (SELECT COUNT(*) FROM companies WHERE blocked_at IS NOT NULL)"
    )
    .fetch_one(p)
    .await)?)
}

/// The names of accounts by id (the operators who took a step, for pages that say who); ids
/// of accounts since deleted are absent.
pub async fn names(
    db: &Db,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>> {
    let ids: std::collections::BTreeSet<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    // Integers, never user input.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("SELECT id, name FROM users WHERE id IN ({list})");
    let rows: Vec<(i64, String)> =
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    Ok(rows.into_iter().collect())
}

// ---------------------------------------------------------------------------------------------
// A company's members and their roles (the teams feature's pages change them).

/// A member of a company, as the team page shows them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Member {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub lang: String,
    #[sqlx(try_from = "String")]
    pub role: CompanyRole,
    pub added_at: OffsetDateTime,
}

const MEMBER_SQL: &str = "SELECT m.user_id, u.name, u.email, u.lang, m.role, m.added_at \
     FROM company_members m JOIN users u ON u.id = m.user_id";

/// The company's members: admins first, then by name.
pub async fn members(db: &Db, company_id: i64) -> Result<Vec<Member>> {
    let sql = format!(
        "{MEMBER_SQL} WHERE m.company_id = $1 \
         ORDER BY CASE m.role WHEN 'admin' THEN 0 ELSE 1 END, u.name, u.id"
    );
    Ok(
        db_run!(pool db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company_id)
        .fetch_all(p)
        .await)?,
    )
}

/// The company a person belongs to, with their membership, inside a transaction.
pub async fn membership_in(tx: &mut Tx, user_id: i64) -> Result<Option<(i64, Member)>> {
    let company: Option<i64> = db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT company_id FROM company_members WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(&mut *c)
    .await)?;
    let Some(company_id) = company else {
        return Ok(None);
    };
    Ok(member_in(tx, company_id, user_id)
        .await?
        .map(|m| (company_id, m)))
}

/// One member of the company, inside a transaction; `None` if they are no member of it.
pub async fn member_in(tx: &mut Tx, company_id: i64, user_id: i64) -> Result<Option<Member>> {
    let sql = format!("{MEMBER_SQL} WHERE m.company_id = $1 AND m.user_id = $2");
    Ok(db_run!(tx tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company_id)
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await)?)
}

/// The key `Tx::lock` takes for changes to one company's members.
pub fn members_lock(company_id: i64) -> String {
    format!("company-members:{company_id}")
}

/// Serialises changes to one company's members until the transaction ends (`Tx::lock`), so
/// that two admins removing each other at once cannot leave the company without one. False if
/// there is no such company.
pub async fn lock_company(tx: &mut Tx, company_id: i64) -> Result<bool> {
    tx.lock(&[&members_lock(company_id)]).await?;
    let found: Option<i64> = db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT id FROM companies WHERE id = $1"
    )
    .bind(company_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(found.is_some())
}

pub async fn admin_count(tx: &mut Tx, company_id: i64) -> Result<i64> {
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM company_members WHERE company_id = $1 AND role = 'admin'"
    )
    .bind(company_id)
    .fetch_one(&mut *c)
    .await)?)
}

/// Adds a member; an account that belongs to a company already surfaces as a unique violation.
pub async fn insert_member(
    tx: &mut Tx,
    company_id: i64,
    user_id: i64,
    role: CompanyRole,
    added_by: Option<i64>,
) -> Result<(), sqlx::Error> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO company_members (company_id, user_id, role, added_at, added_by) \
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(company_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now())
    .bind(added_by)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_member_role(
    tx: &mut Tx,
    company_id: i64,
    user_id: i64,
    role: CompanyRole,
) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query(
        "UPDATE company_members SET role = $1 WHERE company_id = $2 AND user_id = $3"
    )
    .bind(role.as_str())
    .bind(company_id)
    .bind(user_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

pub async fn delete_member(tx: &mut Tx, company_id: i64, user_id: i64) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query(
        "DELETE FROM company_members WHERE company_id = $1 AND user_id = $2"
    )
    .bind(company_id)
    .bind(user_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

// ---------------------------------------------------------------- operators' second factor

/// An operator's TOTP secret (sealed) and the last time step a code was accepted for.
pub async fn second_factor(db: &Db, user: i64) -> Result<Option<(Vec<u8>, i64)>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT totp_secret, last_step FROM operator_factors WHERE user_id = $1"
    )
    .bind(user)
    .fetch_optional(p)
    .await)?)
}

/// Whether the operator has an app or a passkey, without loading either.
pub async fn has_second_factor(db: &Db, user: i64) -> Result<bool> {
    let factors: i64 = db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM operator_factors WHERE user_id = $1) \
              + (SELECT COUNT(*) FROM operator_passkeys WHERE user_id = $1)"
    )
    .bind(user)
    .fetch_one(p)
    .await)?;
    Ok(factors > 0)
}

/// Sets (or replaces) the operator's TOTP secret, with the step its first code used.
pub async fn save_second_factor(tx: &mut Tx, user: i64, sealed: &[u8], step: i64) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO operator_factors (user_id, totp_secret, last_step, enrolled_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET totp_secret = excluded.totp_secret, last_step = excluded.last_step, \
         enrolled_at = excluded.enrolled_at"
    )
    .bind(user)
    .bind(sealed)
    .bind(step)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Accepts a code's time step once: false if that step (or a later one) was used already.
pub async fn accept_step(db: &Db, user: i64, step: i64) -> Result<bool> {
    let changed = db_run!(pool db, |p| sqlx::query(
        "UPDATE operator_factors SET last_step = $1 WHERE user_id = $2 AND last_step < $1"
    )
    .bind(step)
    .bind(user)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Replaces the operator's recovery codes with these (hashed) ones.
pub async fn replace_recovery_codes(tx: &mut Tx, user: i64, hashes: &[String]) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("DELETE FROM operator_recovery_codes WHERE user_id = $1")
        .bind(user)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    for hash in hashes {
        db_run!(tx tx, |c| sqlx::query(
            "INSERT INTO operator_recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)"
        )
        .bind(user)
        .bind(hash)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Uses up an unused recovery code (by its hash); false if there is none such.
pub async fn use_recovery_code(db: &Db, user: i64, hash: &str) -> Result<bool> {
    let changed = db_run!(pool db, |p| sqlx::query(
        "UPDATE operator_recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL"
    )
    .bind(now())
    .bind(user)
    .bind(hash)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// How many of the operator's recovery codes are still unused.
pub async fn recovery_codes_left(db: &Db, user: i64) -> Result<i64> {
    Ok(db_run!(pool db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM operator_recovery_codes WHERE user_id = $1 AND used_at IS NULL"
    )
    .bind(user)
    .fetch_one(p)
    .await)?)
}

/// Removes the operator's TOTP secret; false if there was none.
pub async fn delete_second_factor(tx: &mut Tx, user: i64) -> Result<bool> {
    let changed = db_run!(tx tx, |c| sqlx::query("DELETE FROM operator_factors WHERE user_id = $1")
        .bind(user)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Removes the operator's recovery codes (when the last second factor goes).
pub async fn delete_recovery_codes(tx: &mut Tx, user: i64) -> Result<()> {
    db_run!(tx tx, |c| sqlx::query("DELETE FROM operator_recovery_codes WHERE user_id = $1")
        .bind(user)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One of an operator's passkeys, as the security page lists it; `passkey` is the WebAuthn
/// library's record (public key and counter) as JSON.
#[derive(sqlx::FromRow)]
pub struct StoredPasskey {
    pub id: i64,
    pub name: String,
    pub passkey: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

pub async fn passkeys(db: &Db, user: i64) -> Result<Vec<StoredPasskey>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(
        "SELECT id, name, passkey, created_at, last_used_at FROM operator_passkeys \
         WHERE user_id = $1 ORDER BY id"
    )
    .bind(user)
    .fetch_all(p)
    .await)?)
}

/// Adds a passkey; false if its credential is registered already (to any account).
pub async fn add_passkey(
    tx: &mut Tx,
    user: i64,
    credential_id: &str,
    name: &str,
    passkey: &str,
) -> Result<bool> {
    let added = db_run!(tx tx, |c| sqlx::query(
        "INSERT INTO operator_passkeys (user_id, credential_id, name, passkey, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (credential_id) DO NOTHING"
    )
    .bind(user)
    .bind(credential_id)
    .bind(name)
    .bind(passkey)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(added == 1)
}

/// Notes a sign-in with the passkey, with its record as updated (the new counter).
pub async fn passkey_used(db: &Db, user: i64, credential_id: &str, passkey: &str) -> Result<()> {
    db_run!(pool db, |p| sqlx::query(
        "UPDATE operator_passkeys SET passkey = $1, last_used_at = $2 \
         WHERE user_id = $3 AND credential_id = $4"
    )
    .bind(passkey)
    .bind(now())
    .bind(user)
    .bind(credential_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes one of the operator's passkeys; its name if it was theirs.
pub async fn delete_passkey(tx: &mut Tx, user: i64, id: i64) -> Result<Option<String>> {
    Ok(db_run!(tx tx, |c| sqlx::query_scalar(
        "DELETE FROM operator_passkeys WHERE id = $1 AND user_id = $2 RETURNING name"
    )
    .bind(id)
    .bind(user)
    .fetch_optional(&mut *c)
    .await)?)
}
