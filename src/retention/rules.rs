//! How each retention rule of the registry is carried out: which records are due as of a date,
//! which of them a legal hold keeps, and what happens to the others. Periods, events and
//! warnings come from the registry (`Rule::info`); this file only knows where the data lives.
//! Every batch is keyset-paged by id and changed in its own short transaction, so a run can be
//! killed at any moment and the next one simply carries on.

use serde::Serialize;
use time::OffsetDateTime;

use super::{emails, store};
use crate::{
    db_run,
    error::{Error, Result},
    i18n::Lang,
    marketing::consent::{self, Action, Purpose, Step},
    privacy::{
        erasure::{self, Via},
        registry::{self, Rule},
        sections::Subject,
    },
    state::AppState,
};

/// Records looked at per query and changed per transaction.
const BATCH: i64 = 200;
/// People erased per transaction (each takes a few rows in some twenty tables).
const ERASE_BATCH: usize = 100;

/// What a rule did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Counts {
    pub deleted: u64,
    pub anonymised: u64,
    pub hidden: u64,
    /// Due, but kept by a legal hold.
    pub held: u64,
    /// People told by e-mail that their account will be deleted unless they log in.
    pub warned: u64,
}

/// The circumstances of one run.
pub struct Cx<'a> {
    pub state: &'a AppState,
    pub as_of: OffsetDateTime,
    pub dry_run: bool,
    /// A forecast: assume the daily runs from this day up to `as_of` take place, so warnings
    /// not yet sent are counted as sent when due (and their deletions a month later).
    pub daily_from: Option<OffsetDateTime>,
    /// The lease this run holds, renewed after every batch (none in a dry run).
    pub lease: Option<&'a str>,
}

impl Cx<'_> {
    async fn batch_done(&self) -> Result<()> {
        if let Some(holder) = self.lease
            && !store::renew_lease(&self.state.db, holder, crate::db::now()).await?
        {
            return Err(Error::Internal(
                "the retention lease was lost to another node".into(),
            ));
        }
        Ok(())
    }

    fn cutoff(&self, rule: Rule) -> OffsetDateTime {
        rule.info().keep.before(self.as_of)
    }
}

/// How the sweeper carries out a rule.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Accounts inactive past the rule's period: warned first (if the rule says so), then
    /// erased through the privacy centre's erasure.
    People(&'static str),
    /// Rows deleted one by one once due.
    Rows(&'static [RowPart]),
    Applications,
    AdContacts,
    JobAlerts,
    /// The audit log's oldest entries, as one prefix of the chain.
    AuditLog,
    /// Not the sweeper's rule (the feature or housekeeping applies it).
    NotTheSweepers,
}

/// One table's due rows: `due` selects `(id, held)` with `$1` = the last id seen, `$2` = the
/// rule's cutoff and `$3` = the batch size; the rows that are not held are deleted from
/// `table` by their `id`, a batch per statement.
#[derive(Debug, PartialEq, Eq)]
pub struct RowPart {
    pub due: &'static str,
    pub table: &'static str,
}

macro_rules! held_person {
    ($user:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at IS NULL AND h.subject_kind = 'person' AND h.subject_id = ",
            $user,
            ")"
        )
    };
}

macro_rules! held_email {
    ($email:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM legal_holds h JOIN users hu ON hu.id = h.subject_id \
             WHERE h.lifted_at IS NULL AND h.subject_kind = 'person' AND hu.email = ",
            $email,
            ")"
        )
    };
}

macro_rules! held_as {
    ($kind:literal, $id:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at IS NULL AND h.subject_kind = '",
            $kind,
            "' AND h.subject_id = ",
            $id,
            ")"
        )
    };
}

/// Seekers, by their last login (or sign-up, if they never logged in).
const SEEKERS: &str = concat!(
    "SELECT u.id, COALESCE(u.last_login_at, u.created_at), ",
    held_person!("u.id"),
    " FROM users u WHERE u.id > $1 AND u.role = 'seeker' AND COALESCE(u.last_login_at, u.created_at) < $2 \
     ORDER BY u.id LIMIT $3"
);

/// Employer accounts whose company has no live ad, by the later of their last login and the
/// end of their company's last live ad (`cooperation-ended`).
const EMPLOYERS: &str = concat!(
    "SELECT id, CASE WHEN last_ad IS NOT NULL AND last_ad > login THEN last_ad ELSE login END, held FROM (",
    "SELECT u.id, COALESCE(u.last_login_at, u.created_at) AS login, ",
    "(SELECT MAX(COALESCE(a.closed_at, a.expires_at, a.updated_at)) FROM ads a JOIN company_members m ON m.company_id = a.company_id \
      WHERE m.user_id = u.id AND a.first_published_at IS NOT NULL) AS last_ad, ",
    "(",
    held_person!("u.id"),
    " OR EXISTS (SELECT 1 FROM legal_holds h JOIN company_members m ON m.company_id = h.subject_id \
       WHERE h.lifted_at IS NULL AND h.subject_kind = 'company' AND m.user_id = u.id)) AS held ",
    "FROM users u WHERE u.id > $1 AND u.role = 'employer' AND COALESCE(u.last_login_at, u.created_at) < $2 \
     AND NOT EXISTS (SELECT 1 FROM ads a JOIN company_members m ON m.company_id = a.company_id \
       WHERE m.user_id = u.id AND a.state IN ('published', 'in_review'))",
    ") x ORDER BY id LIMIT $3"
);

const JOB_ALERT_CONSENTS: RowPart = RowPart {
    // The records of an alert that is gone or stopped, once its last record is old enough.
    due: concat!(
        "SELECT m.id, ",
        held_email!("m.email"),
        " FROM marketing_consents m WHERE m.id > $1 AND m.purpose = 'job_alert' AND m.created_at < $2 \
         AND NOT EXISTS (SELECT 1 FROM job_alerts a WHERE a.id = m.alert_id AND a.status <> 'stopped') \
         AND NOT EXISTS (SELECT 1 FROM marketing_consents n WHERE n.purpose = 'job_alert' \
           AND n.alert_id = m.alert_id AND n.created_at >= $2) ORDER BY m.id LIMIT $3"
    ),
    table: "marketing_consents",
};

const NEWSLETTER_CONSENTS: RowPart = RowPart {
    // An address's records once it is no longer subscribed and its last record is old enough.
    due: concat!(
        "SELECT m.id, ",
        held_email!("m.email"),
        " FROM marketing_consents m WHERE m.id > $1 AND m.purpose = 'newsletter' AND m.created_at < $2 \
         AND NOT EXISTS (SELECT 1 FROM newsletter_subscribers s WHERE s.email = m.email AND s.status <> 'unsubscribed') \
         AND NOT EXISTS (SELECT 1 FROM marketing_consents n WHERE n.purpose = 'newsletter' \
           AND n.email = m.email AND n.created_at >= $2) ORDER BY m.id LIMIT $3"
    ),
    table: "marketing_consents",
};

const UNSUBSCRIBED: RowPart = RowPart {
    due: concat!(
        "SELECT s.id, ",
        held_email!("s.email"),
        " FROM newsletter_subscribers s WHERE s.id > $1 AND s.status = 'unsubscribed' \
         AND s.unsubscribed_at < $2 ORDER BY s.id LIMIT $3"
    ),
    table: "newsletter_subscribers",
};

const COOKIE_CONSENTS: RowPart = RowPart {
    due: concat!(
        "SELECT c.id, ",
        held_person!("c.user_id"),
        " FROM cookie_consents c WHERE c.id > $1 AND c.decided_at < $2 ORDER BY c.id LIMIT $3"
    ),
    table: "cookie_consents",
};

const PAGE_VIEWS: RowPart = RowPart {
    due: "SELECT id, FALSE FROM page_views WHERE id > $1 AND viewed_at < $2 ORDER BY id LIMIT $3",
    table: "page_views",
};

const CAMPAIGN_VISITS: RowPart = RowPart {
    due: "SELECT id, FALSE FROM campaign_visits WHERE id > $1 AND visited_at < $2 ORDER BY id LIMIT $3",
    table: "campaign_visits",
};

const ERASURE_RECORDS: RowPart = RowPart {
    due: concat!(
        "SELECT e.id, ",
        held_person!("e.former_user_id"),
        " FROM erasure_records e WHERE e.id > $1 AND e.erased_at < $2 ORDER BY e.id LIMIT $3"
    ),
    table: "erasure_records",
};

const ANSWERED_REQUESTS: RowPart = RowPart {
    due: concat!(
        "SELECT r.id, ",
        held_email!("r.email"),
        " FROM privacy_requests r WHERE r.id > $1 AND r.state = 'answered' AND r.answered_at < $2 \
         ORDER BY r.id LIMIT $3"
    ),
    table: "privacy_requests",
};

/// The audit log from its oldest entry: whether each is due, and whether a legal hold on the
/// person it concerns keeps it. Only a prefix of the chain is deleted (see `audit_log`).
const AUDIT_ENTRIES: &str = concat!(
    "SELECT o.id, o.created_at < $2, ",
    held_person!("o.subject_user_id"),
    " FROM operator_audit o WHERE o.id > $1 ORDER BY o.id LIMIT $3"
);

const LIFTED_HOLDS: RowPart = RowPart {
    due: "SELECT id, FALSE FROM legal_holds WHERE id > $1 AND lifted_at < $2 ORDER BY id LIMIT $3",
    table: "legal_holds",
};

const BLOCK_RECORDS: RowPart = RowPart {
    // The documentation of a block counts from its end: a block in force is never due.
    due: concat!(
        "SELECT b.id, ((b.subject_kind = 'user' AND ",
        held_person!("b.subject_id"),
        ") OR (b.subject_kind = 'company' AND ",
        held_as!("company", "b.subject_id"),
        ")) FROM account_blocks b WHERE b.id > $1 AND b.lifted_at < $2 ORDER BY b.id LIMIT $3"
    ),
    table: "account_blocks",
};

const CLOSED_INQUIRIES: RowPart = RowPart {
    // The thread (`support_messages`) goes with its inquiry (ON DELETE CASCADE).
    due: concat!(
        "SELECT s.id, (",
        held_person!("s.user_id"),
        " OR ",
        held_email!("s.email"),
        ") FROM support_inquiries s WHERE s.id > $1 AND s.state = 'closed' AND s.closed_at < $2 \
         ORDER BY s.id LIMIT $3"
    ),
    table: "support_inquiries",
};

const SENT_MAIL: RowPart = RowPart {
    // Delivered or given up: the purpose of the e-mail has ended.
    due: concat!(
        "SELECT o.id, ",
        held_email!("o.recipient"),
        " FROM outbox o WHERE o.id > $1 AND (o.sent_at < $2 OR o.failed_at < $2) ORDER BY o.id LIMIT $3"
    ),
    table: "outbox",
};

// Bookkeeping records (billing): each 5 years after the end of its financial year, children
// before the documents they refer to, so a document goes once nothing refers to it any more.
// A legal hold on the company keeps all of its records.
const BANK_LINES: RowPart = RowPart {
    due: "SELECT b.id, FALSE FROM bank_import_lines b WHERE b.id > $1 AND b.financial_year_end < $2 \
          ORDER BY b.id LIMIT $3",
    table: "bank_import_lines",
};

/// A record that belongs to an invoice, due with its own financial year, held with the company.
macro_rules! invoice_record {
    ($table:literal) => {
        RowPart {
            due: concat!(
                "SELECT x.id, ",
                held_as!("company", "i.company_id"),
                " FROM ",
                $table,
                " x JOIN invoices i ON i.id = x.invoice_id \
                 WHERE x.id > $1 AND x.financial_year_end < $2 ORDER BY x.id LIMIT $3"
            ),
            table: $table,
        }
    };
}

const REMINDERS: RowPart = invoice_record!("billing_reminders");
const PAYMENTS: RowPart = invoice_record!("billing_payments");
const CREDIT_NOTES: RowPart = invoice_record!("credit_notes");

const INVOICES: RowPart = RowPart {
    due: concat!(
        "SELECT i.id, ",
        held_as!("company", "i.company_id"),
        " FROM invoices i WHERE i.id > $1 AND i.financial_year_end < $2 \
         AND NOT EXISTS (SELECT 1 FROM credit_notes c WHERE c.invoice_id = i.id) \
         AND NOT EXISTS (SELECT 1 FROM billing_payments p WHERE p.invoice_id = i.id) \
         AND NOT EXISTS (SELECT 1 FROM billing_reminders r WHERE r.invoice_id = i.id) \
         ORDER BY i.id LIMIT $3"
    ),
    table: "invoices",
};

const ORDERS: RowPart = RowPart {
    due: concat!(
        "SELECT o.id, ",
        held_as!("company", "o.company_id"),
        " FROM billing_orders o WHERE o.id > $1 AND o.financial_year_end < $2 \
         AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id) ORDER BY o.id LIMIT $3"
    ),
    table: "billing_orders",
};

const PACKAGES: RowPart = RowPart {
    due: concat!(
        "SELECT k.id, ",
        held_as!("company", "k.company_id"),
        " FROM billing_packages k WHERE k.id > $1 AND k.financial_year_end < $2 \
         AND NOT EXISTS (SELECT 1 FROM billing_orders o WHERE o.package_id = k.id) ORDER BY k.id LIMIT $3"
    ),
    table: "billing_packages",
};

const APPLICATIONS: &str = concat!(
    "SELECT a.id, (",
    held_person!("a.seeker_id"),
    " OR ",
    held_as!("company", "a.company_id"),
    " OR ",
    held_as!("ad", "a.ad_id"),
    " OR ",
    held_as!("application", "a.id"),
    ") FROM applications a WHERE a.id > $1 AND a.created_at < $2 ORDER BY a.id LIMIT $3"
);

/// Ads that stopped being active (expired, closed, rejected) before the cutoff and still name
/// a contact person.
const AD_CONTACTS: &str = concat!(
    "SELECT a.id, (",
    held_as!("ad", "a.id"),
    " OR ",
    held_as!("company", "a.company_id"),
    ") FROM ads a WHERE a.id > $1 AND a.state IN ('expired', 'closed', 'rejected') \
     AND COALESCE(CASE a.state WHEN 'closed' THEN a.closed_at WHEN 'expired' THEN a.expires_at END, a.updated_at) < $2 \
     AND EXISTS (SELECT 1 FROM ad_revisions r WHERE r.ad_id = a.id AND \
       (r.contact_name IS NOT NULL OR r.contact_email IS NOT NULL OR r.contact_phone IS NOT NULL)) \
     ORDER BY a.id LIMIT $3"
);

/// Alerts of people who have not logged in since the cutoff.
const INACTIVE_ALERTS: &str = "SELECT a.id, a.user_id, a.status, u.email, u.lang FROM job_alerts a \
     JOIN users u ON u.id = a.user_id WHERE a.id > $1 AND COALESCE(u.last_login_at, u.created_at) < $2 \
     ORDER BY a.id LIMIT $3";

pub fn plan(rule: Rule) -> Plan {
    match rule {
        Rule::SeekerInactive => Plan::People(SEEKERS),
        Rule::PartnerContacts => Plan::People(EMPLOYERS),
        Rule::JobAlertsInactive => Plan::JobAlerts,
        Rule::JobAlertConsentRecords => Plan::Rows(&[JOB_ALERT_CONSENTS]),
        Rule::Applications => Plan::Applications,
        Rule::AdContactDeleted => Plan::AdContacts,
        Rule::ErasureDocumentation => Plan::Rows(&[
            ERASURE_RECORDS,
            ANSWERED_REQUESTS,
            LIFTED_HOLDS,
            BLOCK_RECORDS,
        ]),
        Rule::AuditLog => Plan::AuditLog,
        Rule::VisitorData => Plan::Rows(&[COOKIE_CONSENTS, PAGE_VIEWS, CAMPAIGN_VISITS]),
        Rule::NewsletterConsents => Plan::Rows(&[NEWSLETTER_CONSENTS, UNSUBSCRIBED]),
        Rule::OtherData => Plan::Rows(&[SENT_MAIL]),
        Rule::Bookkeeping => Plan::Rows(&[
            BANK_LINES,
            REMINDERS,
            PAYMENTS,
            CREDIT_NOTES,
            INVOICES,
            ORDERS,
            PACKAGES,
        ]),
        Rule::SupportInquiries => Plan::Rows(&[CLOSED_INQUIRIES]),
        Rule::AdContactHidden
        | Rule::Sessions
        | Rule::SignInAttempts
        | Rule::AccountTokens
        | Rule::NewsletterUnconfirmed => Plan::NotTheSweepers,
    }
}

/// Applies one rule as of `cx.as_of`.
pub async fn apply(cx: &Cx<'_>, rule: Rule) -> Result<Counts> {
    let mut counts = Counts::default();
    match plan(rule) {
        Plan::People(sql) => people(cx, rule, sql, &mut counts).await?,
        Plan::Rows(parts) => {
            for part in parts {
                rows(cx, rule, part, &mut counts).await?;
            }
        }
        Plan::Applications => applications(cx, rule, &mut counts).await?,
        Plan::AdContacts => ad_contacts(cx, rule, &mut counts).await?,
        Plan::JobAlerts => job_alerts(cx, rule, &mut counts).await?,
        Plan::AuditLog => audit_log(cx, rule, &mut counts).await?,
        Plan::NotTheSweepers => {}
    }
    Ok(counts)
}

/// Due `(id, held)` pairs after `after`, at most a batch.
async fn due_ids(
    cx: &Cx<'_>,
    sql: &'static str,
    after: i64,
    cutoff: OffsetDateTime,
) -> Result<Vec<(i64, bool)>> {
    Ok(db_run!(pool & cx.state.db, |p| sqlx::query_as(sql)
        .bind(after)
        .bind(cutoff)
        .bind(BATCH)
        .fetch_all(p)
        .await)?)
}

/// Walks the due records of `sql` batch by batch, counting held ones and handing the others,
/// one batch at a time, to `act` (unless this is a dry run); `act` returns how many it removed.
async fn each_batch<F, Fut>(
    cx: &Cx<'_>,
    sql: &'static str,
    cutoff: OffsetDateTime,
    counts: &mut Counts,
    mut act: F,
) -> Result<()>
where
    F: FnMut(Vec<i64>) -> Fut,
    Fut: std::future::Future<Output = Result<u64>>,
{
    let mut after = 0;
    loop {
        let batch = due_ids(cx, sql, after, cutoff).await?;
        let Some(&(last, _)) = batch.last() else {
            break;
        };
        after = last;
        let due: Vec<i64> = batch
            .iter()
            .filter(|(_, h)| !h)
            .map(|(id, _)| *id)
            .collect();
        counts.held += (batch.len() - due.len()) as u64;
        if cx.dry_run {
            counts.deleted += due.len() as u64;
        } else if !due.is_empty() {
            counts.deleted += act(due).await?;
            cx.batch_done().await?;
        }
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    Ok(())
}

async fn rows(cx: &Cx<'_>, rule: Rule, part: &'static RowPart, counts: &mut Counts) -> Result<()> {
    let db = cx.state.db.clone();
    let delete = format!("DELETE FROM {} WHERE id IN {{list}}", part.table);
    each_batch(cx, part.due, cx.cutoff(rule), counts, |ids| {
        let (db, delete) = (db.clone(), delete.clone());
        async move {
            let mut tx = db.begin().await?;
            let removed = tx.execute_list(&delete, &ids).await?;
            tx.commit().await?;
            Ok(removed)
        }
    })
    .await
}

/// Applications past their period go with their documents (the copies made for the company);
/// the objects are deleted after the commit (their rows are gone, so a failure leaves only
/// ciphertext that the storage sweep removes).
async fn applications(cx: &Cx<'_>, rule: Rule, counts: &mut Counts) -> Result<()> {
    let state = cx.state;
    each_batch(
        cx,
        APPLICATIONS,
        cx.cutoff(rule),
        counts,
        |ids| async move {
            let files = crate::applications::store::files_of(&state.db, &ids).await?;
            let file_ids: Vec<i64> = files.iter().map(|f| f.file_id).collect();
            let mut tx = state.db.begin().await?;
            let removed = tx
                .execute_list("DELETE FROM applications WHERE id IN {list}", &ids)
                .await?;
            tx.execute_list("DELETE FROM files WHERE id IN {list}", &file_ids)
                .await?;
            tx.commit().await?;
            for f in &files {
                crate::documents::delete_object(state, &f.storage_key).await;
            }
            Ok(removed)
        },
    )
    .await
}

/// The contact person of an ad inactive for the rule's period leaves every revision of it;
/// each node's search index follows through the change log.
async fn ad_contacts(cx: &Cx<'_>, rule: Rule, counts: &mut Counts) -> Result<()> {
    let db = cx.state.db.clone();
    each_batch(cx, AD_CONTACTS, cx.cutoff(rule), counts, |ids| {
        let db = db.clone();
        async move {
            let mut tx = db.begin().await?;
            tx.execute_list(
                "UPDATE ad_revisions SET contact_name = NULL, contact_email = NULL, contact_phone = NULL \
                 WHERE ad_id IN {list}",
                &ids,
            )
            .await?;
            for &id in &ids {
                crate::ads::store::log_change(&mut tx, id).await?;
            }
            tx.commit().await?;
            Ok(ids.len() as u64)
        }
    })
    .await
}

/// The audit log is a hash chain, so only its beginning goes: the due entries up to the first
/// one that is not due yet or that a legal hold keeps (that one and all after it stay). The
/// audit store deletes them and keeps the last one's hash as the chain's checkpoint.
async fn audit_log(cx: &Cx<'_>, rule: Rule, counts: &mut Counts) -> Result<()> {
    let cutoff = cx.cutoff(rule);
    let mut after = 0;
    loop {
        let batch: Vec<(i64, bool, bool)> =
            db_run!(pool & cx.state.db, |p| sqlx::query_as(AUDIT_ENTRIES)
                .bind(after)
                .bind(cutoff)
                .bind(BATCH)
                .fetch_all(p)
                .await)?;
        let prefix: Vec<i64> = batch
            .iter()
            .take_while(|(_, due, held)| *due && !held)
            .map(|(id, ..)| *id)
            .collect();
        let stopped = batch.get(prefix.len()).copied();
        if stopped.is_some_and(|(_, due, held)| due && held) {
            counts.held += 1;
        }
        if let Some(&last) = prefix.last() {
            if cx.dry_run {
                counts.deleted += prefix.len() as u64;
            } else {
                counts.deleted += crate::audit::store::sweep_through(&cx.state.db, last).await?;
                cx.batch_done().await?;
            }
            after = last;
        }
        if stopped.is_some() || (batch.len() as i64) < BATCH {
            break;
        }
    }
    Ok(())
}

/// Alerts of people who have not logged in for the rule's period are deleted; one still
/// running is first stopped in the consent record, which then documents its end.
async fn job_alerts(cx: &Cx<'_>, rule: Rule, counts: &mut Counts) -> Result<()> {
    let cutoff = cx.cutoff(rule);
    let reason = format!("no login for {}", rule.info().keep.text(Lang::En));
    let mut after = 0;
    loop {
        let batch: Vec<(i64, i64, String, String, String)> =
            db_run!(pool & cx.state.db, |p| sqlx::query_as(INACTIVE_ALERTS)
                .bind(after)
                .bind(cutoff)
                .bind(BATCH)
                .fetch_all(p)
                .await)?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.0;
        if cx.dry_run {
            counts.deleted += batch.len() as u64;
        } else {
            let mut tx = cx.state.db.begin().await?;
            for (alert, user, status, email, lang) in &batch {
                if status != "stopped" {
                    let lang = Lang::parse(lang).unwrap_or_default();
                    consent::record(
                        &mut tx,
                        &Step {
                            purpose: Purpose::JobAlert,
                            action: Action::Stopped,
                            email,
                            user_id: Some(*user),
                            alert_id: Some(*alert),
                            text: lang.tr().s("alerts.stopped_inactive"),
                            lang,
                            source: "retention sweeper",
                            ip: None,
                            reason: Some(&reason),
                        },
                    )
                    .await?;
                }
            }
            let ids: Vec<i64> = batch.iter().map(|(alert, ..)| *alert).collect();
            counts.deleted += tx
                .execute_list("DELETE FROM job_alerts WHERE id IN {list}", &ids)
                .await?;
            tx.commit().await?;
            cx.batch_done().await?;
        }
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    Ok(())
}

/// Inactive accounts: a warning e-mail `warn_before` the deadline (once per period of
/// inactivity; logging in starts a new one), then, no sooner than `warn_before` after the
/// warning, erasure through the privacy centre's sections (rows, files by their key, queued
/// e-mails, sessions; companies that received applications are told), a batch of people per
/// transaction.
async fn people(cx: &Cx<'_>, rule: Rule, sql: &'static str, counts: &mut Counts) -> Result<()> {
    let info = rule.info();
    let rule_id = registry::id_of(rule);
    // A generous bound for the query; the exact calendar test is made for each person below.
    let bound = match info.warn_before {
        Some(w) => info.keep.before(w.after(cx.as_of)) + time::Duration::days(1),
        None => cx.cutoff(rule) + time::Duration::days(1),
    };
    if !cx.dry_run {
        store::forget_voided_warnings(&cx.state.db, &rule_id).await?;
    }
    // Mail queued from here on is this run's own (see `Via::Retention`).
    let unsent_before = store::next_outbox_id(&cx.state.db).await?;
    let mut after = 0;
    loop {
        let batch: Vec<(i64, OffsetDateTime, bool)> =
            db_run!(pool & cx.state.db, |p| sqlx::query_as(sql)
                .bind(after)
                .bind(bound)
                .bind(BATCH)
                .fetch_all(p)
                .await)?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.0;
        let users: Vec<i64> = batch.iter().map(|(user, ..)| *user).collect();
        let warnings = store::warnings(&cx.state.db, &rule_id, &users).await?;
        let mut to_erase = Vec::new();
        for &(user, activity, held) in &batch {
            let deadline = info.keep.after(activity);
            let warn_at = info.warn_before.map_or(deadline, |w| w.before(deadline));
            if warn_at > cx.as_of {
                continue;
            }
            if held {
                counts.held += 1;
                continue;
            }
            let due = match (info.warn_before, warnings.get(&(user, activity))) {
                (None, _) => deadline,
                (Some(_), Some(&due)) => due,
                (Some(notice), None) => {
                    let warned = match cx.daily_from {
                        Some(today) => warn_at.max(today),
                        None => cx.as_of,
                    };
                    let due = deadline.max(notice.after(warned));
                    // A rerun (or another node) may have sent it already: count it once.
                    if cx.dry_run || warn(cx, &rule_id, user, activity, due).await? {
                        counts.warned += 1;
                    }
                    if cx.daily_from.is_none() {
                        continue;
                    }
                    due
                }
            };
            if due > cx.as_of {
                continue;
            }
            to_erase.push(user);
        }
        if cx.dry_run {
            counts.deleted += to_erase.len() as u64;
        } else {
            for chunk in to_erase.chunks(ERASE_BATCH) {
                let subjects = Subject::of_users(&cx.state.db, chunk).await?;
                erasure::erase_many(cx.state, &subjects, Via::Retention { unsent_before }).await?;
                counts.deleted += subjects.len() as u64;
                cx.batch_done().await?;
            }
            if to_erase.is_empty() {
                cx.batch_done().await?;
            }
        }
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    Ok(())
}

/// Records the warning and queues its e-mail in one transaction; false if it was sent before.
async fn warn(
    cx: &Cx<'_>,
    rule_id: &str,
    user: i64,
    activity: OffsetDateTime,
    due: OffsetDateTime,
) -> Result<bool> {
    let Some(subject) = Subject::of_users(&cx.state.db, &[user]).await?.pop() else {
        return Ok(false);
    };
    let Some(person) = subject.user else {
        return Ok(false);
    };
    let mut tx = cx.state.db.begin().await?;
    if !store::record_warning(&mut tx, rule_id, user, activity, cx.as_of, due).await? {
        return Ok(false);
    }
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let mail = emails::warning(
        lang.tr(),
        &person.email,
        &person.name,
        person.role == crate::domain::Role::Employer,
        due,
        &cx.state.link("/login"),
    )?;
    cx.state.queue_mail(&mut tx, &mail).await?;
    tx.commit().await?;
    cx.state.mail_queued();
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::registry::{Enforcement, RULES};

    #[test]
    fn every_rule_the_registry_gives_the_sweeper_has_an_implementation() {
        for rule in RULES {
            let plan = plan(rule.id);
            assert_eq!(
                rule.enforced_by == Enforcement::Sweeper,
                plan != Plan::NotTheSweepers,
                "{:?} is enforced by {:?} but planned as {plan:?}",
                rule.id,
                rule.enforced_by
            );
        }
    }

    #[test]
    fn people_rules_warn_as_the_registry_says() {
        assert_eq!(
            Rule::SeekerInactive.info().warn_before,
            Some(registry::Period::Months(1))
        );
        assert_eq!(
            Rule::PartnerContacts.info().warn_before,
            Some(registry::Period::Months(1))
        );
    }
}
