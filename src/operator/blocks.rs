//! Blocking accounts and companies. A blocked account cannot log in (the login page says why)
//! and its sessions end at once; a blocked company's ads leave every public page, feed, the
//! sitemap, the API and the search index at once, and return when the block is lifted. Each
//! block and its lifting carry a reason from a fixed list and a note, are documented in
//! `account_blocks` (kept five years after the block is lifted, rule `erasure-documentation`),
//! and are e-mailed to the people concerned.
//!
//! The four actions below are the only ways to change a block.

use super::{emails, store};
use crate::{
    accounts::store as accounts,
    ads::store as ads,
    audit::{self, Action, Entry, Object},
    db::now,
    domain::Role,
    error::{Error, Result},
    i18n::Lang,
    state::AppState,
};

/// What a block applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockSubject {
    User(i64),
    Company(i64),
}

impl BlockSubject {
    pub fn kind(self) -> &'static str {
        match self {
            BlockSubject::User(_) => "user",
            BlockSubject::Company(_) => "company",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            BlockSubject::User(id) | BlockSubject::Company(id) => id,
        }
    }
}

/// Why an account or company is blocked (the fixed list the console offers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockReason {
    Fraud,
    Spam,
    Abuse,
    Discrimination,
    FalseIdentity,
    TermsBreach,
}

impl BlockReason {
    pub const ALL: &'static [BlockReason] = &[
        BlockReason::Fraud,
        BlockReason::Spam,
        BlockReason::Abuse,
        BlockReason::Discrimination,
        BlockReason::FalseIdentity,
        BlockReason::TermsBreach,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BlockReason::Fraud => "fraud",
            BlockReason::Spam => "spam",
            BlockReason::Abuse => "abuse",
            BlockReason::Discrimination => "discrimination",
            BlockReason::FalseIdentity => "false-identity",
            BlockReason::TermsBreach => "terms-breach",
        }
    }

    pub fn parse(code: &str) -> Option<BlockReason> {
        BlockReason::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == code)
    }
}

/// Why a block is lifted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiftReason {
    Resolved,
    Mistake,
    AppealGranted,
}

impl LiftReason {
    pub const ALL: &'static [LiftReason] = &[
        LiftReason::Resolved,
        LiftReason::Mistake,
        LiftReason::AppealGranted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LiftReason::Resolved => "resolved",
            LiftReason::Mistake => "mistake",
            LiftReason::AppealGranted => "appeal-granted",
        }
    }

    pub fn parse(code: &str) -> Option<LiftReason> {
        LiftReason::ALL.iter().copied().find(|r| r.as_str() == code)
    }
}

/// The label key of a reason code as stored (block or lift reasons, and `account-erased`).
pub fn reason_key(code: &str) -> String {
    format!("blocks.reason.{code}")
}

/// The operator's note on a block or its lifting: what happened, for whoever looks later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note(String);

impl Note {
    pub const MIN: usize = 5;
    pub const MAX: usize = 2000;

    /// The trimmed note, or the key of the message saying what is wrong with it.
    pub fn parse(text: &str) -> Result<Note, &'static str> {
        let text = text.trim();
        match text.chars().count() {
            n if n < Note::MIN => Err("blocks.validation.note_short"),
            n if n > Note::MAX => Err("validation.too_long"),
            _ => Ok(Note(text.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The operator's decision, as the forms hand it over.
pub struct Decision<'a, R> {
    pub operator: i64,
    pub reason: R,
    pub note: &'a Note,
}

/// Blocks an account: recorded, the account marked, every session ended (the session epoch
/// rises, so a request in flight cannot revive one), and the person told by e-mail. False if
/// it was blocked already. Operators' accounts are not blocked here.
pub async fn block_user(
    state: &AppState,
    user: i64,
    decision: Decision<'_, BlockReason>,
) -> Result<bool> {
    let account = accounts::account_detail(&state.db, user)
        .await?
        .ok_or(Error::NotFound)?;
    if account.role == Role::Operator {
        return Err(Error::Forbidden);
    }
    let at = now();
    let mut tx = state.db.begin().await?;
    let subject = BlockSubject::User(user);
    let reason = decision.reason.as_str();
    if !store::insert(
        &mut tx,
        subject,
        reason,
        decision.note.as_str(),
        decision.operator,
        at,
    )
    .await?
    {
        return Ok(false);
    }
    accounts::set_user_blocked(&mut tx, user, Some(at)).await?;
    accounts::end_sessions(&mut tx, user, None).await?;
    let t = Lang::parse(&account.lang).unwrap_or_default().tr();
    let mail = emails::account_blocked(state, t, &account.email, &account.name, reason, at)?;
    state.queue_mail(&mut tx, &mail).await?;
    let entry = Entry::new(decision.operator, Action::BlockedAccount);
    audit::record(
        &mut tx,
        entry
            .about(Some(user))
            .on(Object::Account(user))
            .because(reason),
    )
    .await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(
        user_id = user,
        operator = decision.operator,
        reason,
        "account blocked"
    );
    Ok(true)
}

/// Lifts an account's block and tells the person; false if it was not blocked.
pub async fn unblock_user(
    state: &AppState,
    user: i64,
    decision: Decision<'_, LiftReason>,
) -> Result<bool> {
    let account = accounts::account_detail(&state.db, user)
        .await?
        .ok_or(Error::NotFound)?;
    let mut tx = state.db.begin().await?;
    let subject = BlockSubject::User(user);
    let reason = decision.reason.as_str();
    if !store::lift(
        &mut tx,
        subject,
        reason,
        decision.note.as_str(),
        decision.operator,
        now(),
    )
    .await?
    {
        return Ok(false);
    }
    accounts::set_user_blocked(&mut tx, user, None).await?;
    let t = Lang::parse(&account.lang).unwrap_or_default().tr();
    let mail = emails::account_unblocked(state, t, &account.email, &account.name)?;
    state.queue_mail(&mut tx, &mail).await?;
    let entry = Entry::new(decision.operator, Action::UnblockedAccount);
    audit::record(
        &mut tx,
        entry
            .about(Some(user))
            .on(Object::Account(user))
            .because(reason),
    )
    .await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(
        user_id = user,
        operator = decision.operator,
        reason,
        "account unblocked"
    );
    Ok(true)
}

/// Blocks a company: recorded, the company marked, a change logged for each of its ads (so
/// every node's search index and the API's change stream drop them; pages, feeds, the sitemap
/// and the API check the mark at once), and its members told. False if blocked already.
pub async fn block_company(
    state: &AppState,
    company: i64,
    decision: Decision<'_, BlockReason>,
) -> Result<bool> {
    accounts::company_detail(&state.db, company)
        .await?
        .ok_or(Error::NotFound)?;
    let at = now();
    let mut tx = state.db.begin().await?;
    let subject = BlockSubject::Company(company);
    let reason = decision.reason.as_str();
    if !store::insert(
        &mut tx,
        subject,
        reason,
        decision.note.as_str(),
        decision.operator,
        at,
    )
    .await?
    {
        return Ok(false);
    }
    accounts::set_company_blocked(&mut tx, company, Some(at)).await?;
    let ads = ads::log_company_changes(&mut tx, company).await?;
    for (email, name, lang) in accounts::company_member_addresses(&mut tx, company).await? {
        let t = Lang::parse(&lang).unwrap_or_default().tr();
        let mail = emails::company_blocked(state, t, &email, &name, reason, at)?;
        state.queue_mail(&mut tx, &mail).await?;
    }
    let entry = Entry::new(decision.operator, Action::BlockedCompany);
    audit::record(&mut tx, entry.on(Object::Company(company)).because(reason)).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(
        company_id = company,
        operator = decision.operator,
        reason,
        ads,
        "company blocked"
    );
    Ok(true)
}

/// Lifts a company's block: its published ads are public again (and re-indexed through the
/// change log), and its members are told. False if it was not blocked.
pub async fn unblock_company(
    state: &AppState,
    company: i64,
    decision: Decision<'_, LiftReason>,
) -> Result<bool> {
    accounts::company_detail(&state.db, company)
        .await?
        .ok_or(Error::NotFound)?;
    let mut tx = state.db.begin().await?;
    let subject = BlockSubject::Company(company);
    let reason = decision.reason.as_str();
    if !store::lift(
        &mut tx,
        subject,
        reason,
        decision.note.as_str(),
        decision.operator,
        now(),
    )
    .await?
    {
        return Ok(false);
    }
    accounts::set_company_blocked(&mut tx, company, None).await?;
    let ads = ads::log_company_changes(&mut tx, company).await?;
    for (email, name, lang) in accounts::company_member_addresses(&mut tx, company).await? {
        let t = Lang::parse(&lang).unwrap_or_default().tr();
        let mail = emails::company_unblocked(state, t, &email, &name)?;
        state.queue_mail(&mut tx, &mail).await?;
    }
    let entry = Entry::new(decision.operator, Action::UnblockedCompany);
    audit::record(&mut tx, entry.on(Object::Company(company)).because(reason)).await?;
    tx.commit().await?;
    state.mail_queued();
    tracing::info!(
        company_id = company,
        operator = decision.operator,
        reason,
        ads,
        "company unblocked"
    );
    Ok(true)
}

/// What the login page and the employer's pages say about a block in force: since when, and
/// why (the reason, not the operator's note).
pub async fn statement(
    state: &AppState,
    subject: BlockSubject,
    t: crate::i18n::Tr,
) -> Result<Option<String>> {
    let Some(block) = store::in_force(&state.db, subject).await? else {
        return Ok(None);
    };
    let key = match subject {
        BlockSubject::User(_) => "blocks.statement.user",
        BlockSubject::Company(_) => "blocks.statement.company",
    };
    Ok(Some(t.f(
        key,
        &[
            ("date", &crate::i18n::instant(t.lang(), block.blocked_at)),
            ("reason", t.s(&reason_key(&block.reason))),
        ],
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_read_back() {
        for reason in BlockReason::ALL {
            assert_eq!(BlockReason::parse(reason.as_str()), Some(*reason));
        }
        for reason in LiftReason::ALL {
            assert_eq!(LiftReason::parse(reason.as_str()), Some(*reason));
        }
        assert_eq!(BlockReason::parse("because"), None);
    }

    #[test]
    fn a_note_says_something() {
        assert_eq!(Note::parse("  ok "), Err("blocks.validation.note_short"));
        assert_eq!(Note::parse(&"x".repeat(2001)), Err("validation.too_long"));
        assert_eq!(
            Note::parse(" Fake company, reported twice. ")
                .unwrap()
                .as_str(),
            "Fake company, reported twice."
        );
    }
}
