//! What the accounts hold about a person, for the privacy centre, the export and erasure: the
//! account (with the company membership), the active sessions and the login history. The
//! account row goes last in erasure, once everything that refers to it is gone.

use async_trait::async_trait;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::{
    db::Tx,
    db_run,
    error::Result,
    privacy::sections::{
        Erasure, Section, SectionContext, Subject, erase_own_rows, opt_ts, ts, user_ids,
    },
    secrets::Fingerprint,
};

pub struct Account;

#[async_trait]
impl Section for Account {
    fn key(&self) -> &'static str {
        "account"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Null);
        };
        type Row = (
            String,
            String,
            String,
            String,
            Option<OffsetDateTime>,
            Option<OffsetDateTime>,
            OffsetDateTime,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let row: Option<Row> = db_run!(pool & cx.db, |p| {
            sqlx::query_as(
            "SELECT u.name, u.email, u.role, u.lang, u.email_verified_at, u.last_login_at, u.created_at, \
             c.name, c.cvr, m.role FROM users u LEFT JOIN company_members m ON m.user_id = u.id \
             LEFT JOIN companies c ON c.id = m.company_id WHERE u.id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await
        })?;
        let Some((
            name,
            email,
            role,
            lang,
            verified,
            last_login,
            created,
            company,
            cvr,
            member_role,
        )) = row
        else {
            return Ok(Value::Null);
        };
        Ok(json!({
            "account_number": id,
            "name": name,
            "email": email,
            "role": role,
            "language": lang,
            "email_verified_at": opt_ts(verified),
            "last_login_at": opt_ts(last_login),
            "created_at": ts(created),
            "company": company.map(|c| json!({"company_name": c, "cvr": cvr, "member_role": member_role})),
        }))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        // Cascades to memberships, tokens, attempts, keys and every row that still refers
        // to the people; rows that must outlive them (notes, moderation) lose the link.
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "account",
            "DELETE FROM users WHERE id IN {list} RETURNING id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

pub struct Sessions;

#[async_trait]
impl Section for Sessions {
    fn key(&self) -> &'static str {
        "sessions"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        Ok(Value::Array(
            crate::privacy::centre::active_sessions(&cx.db, &cx.keys, id)
                .await?
                .into_iter()
                .map(|(_, s)| {
                    json!({
                        "session": s.handle,
                        "device": s.device,
                        "last_used": ts(s.last_used()),
                        "active_until": ts(s.expires_at),
                    })
                })
                .collect(),
        ))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "sessions",
            "DELETE FROM sessions WHERE user_id IN {list} RETURNING user_id",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

pub struct Logins;

#[async_trait]
impl Section for Logins {
    fn key(&self) -> &'static str {
        "logins"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let Some(id) = subject.user_id() else {
            return Ok(Value::Array(Vec::new()));
        };
        let rows: Vec<(String, OffsetDateTime)> = db_run!(pool & cx.db, |p| sqlx::query_as(
            "SELECT masked_ip, created_at FROM login_events WHERE user_id = $1 ORDER BY id DESC"
        )
        .bind(id)
        .fetch_all(p)
        .await)?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(ip, at)| json!({"at": ts(at), "masked_ip": ip}))
                .collect(),
        ))
    }

    async fn erase_many(
        &self,
        cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "logins",
            "DELETE FROM login_events WHERE user_id IN {list} RETURNING user_id",
        )
        .await?;
        let ids = user_ids(subjects);
        tx.execute_list("DELETE FROM auth_attempts WHERE user_id IN {list}", &ids)
            .await?;
        // Failed attempts carry no user id; they are found by the address's fingerprint.
        let keys: Vec<String> = subjects
            .iter()
            .filter(|s| s.user.is_some())
            .map(|s| {
                cx.keys
                    .fingerprint(Fingerprint::ThrottleAccount, &s.email.trim().to_lowercase())
            })
            .collect();
        tx.execute_list(
            "DELETE FROM auth_attempts WHERE account_key IN {list}",
            &keys,
        )
        .await?;
        Ok(())
    }
}
