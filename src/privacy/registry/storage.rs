//! Where data lives: every database table, declared as holding personal data (and which
//! categories) or as holding none, and the storage areas outside the database. A story checks
//! this list against the real schema, so a new table cannot go undeclared.

use serde::Serialize;

use super::{Category, Text, t};
use Category::*;

#[derive(Debug, Serialize)]
pub struct Table {
    pub name: &'static str,
    pub holds: Holds,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Holds {
    PersonalData(&'static [Category]),
    /// No personal data; the reason says why (for the reader of this list).
    NoPersonalData(&'static str),
}

const fn personal(name: &'static str, categories: &'static [Category]) -> Table {
    Table {
        name,
        holds: Holds::PersonalData(categories),
    }
}

const fn no_personal_data(name: &'static str, why: &'static str) -> Table {
    Table {
        name,
        holds: Holds::NoPersonalData(why),
    }
}

/// Every table of both backends, one line each. Adding a table to a migration means adding
/// its line here (and, when that changes what the policy says, raising the policy version).
pub static TABLES: &[Table] = &[
    no_personal_data("_sqlx_migrations", "which migrations have run"),
    personal("users", &[SeekerAccount, EmployerAccount, OperatorAccount]),
    personal("companies", &[Company]),
    personal("company_pages", &[Company]),
    personal("company_members", &[EmployerAccount]),
    personal("sessions", &[Sessions]),
    personal("account_tokens", &[SignInSecurity]),
    personal("auth_attempts", &[SignInSecurity]),
    personal("outbox", &[Email]),
    personal("outbox_attachments", &[Email, Applications]),
    no_personal_data(
        "ads",
        "an ad's state and dates; its content is in ad_revisions",
    ),
    personal("ad_revisions", &[JobAds]),
    no_personal_data("ad_changes", "which ad changed when, for the search index"),
    personal("moderation_decisions", &[JobAds, OperatorAccount]),
    no_personal_data(
        "ad_statistics",
        "per ad and per day, how often its page was seen, it was shown in search results, its \
         apply button was used, it was applied to and saved: plain counters, with nothing about \
         who (no address, no cookie, no visitor id), so they are not personal data and are \
         counted without consent",
    ),
    personal("seeker_profiles", &[SeekerProfile]),
    personal("data_keys", &[SeekerDocuments]),
    personal("files", &[SeekerDocuments, Applications]),
    no_personal_data(
        "pending_objects",
        "random storage keys of uploads in progress and of objects waiting to be deleted",
    ),
    personal("saved_ads", &[SavedJobs]),
    personal("applications", &[Applications]),
    personal("application_files", &[Applications]),
    personal("application_notes", &[Applications]),
    personal("disclosures", &[Applications]),
    no_personal_data(
        "consent_texts",
        "the exact banner texts shown, by hash, so a consent record proves what was read",
    ),
    personal("cookie_consents", &[CookieConsent]),
    personal("page_views", &[VisitStatistics]),
    no_personal_data(
        "campaign_visits",
        "which campaign brought a visit, by day, with nothing that identifies the visitor",
    ),
    personal("newsletter_subscribers", &[Newsletter]),
    personal("marketing_consents", &[Newsletter, JobAlerts]),
    personal("newsletter_issues", &[OperatorAccount]),
    personal("job_alerts", &[JobAlerts]),
    personal("login_events", &[SignInSecurity]),
    personal("processing_limits", &[PrivacyRequests]),
    personal("privacy_events", &[PrivacyRequests]),
    personal("operator_audit", &[OperatorAccount, PrivacyRequests]),
    personal("operator_factors", &[OperatorAccount]),
    personal("operator_recovery_codes", &[OperatorAccount]),
    personal("operator_passkeys", &[OperatorAccount]),
    no_personal_data(
        "audit_chain",
        "the audit log's newest and last-deleted entry numbers with their hashes",
    ),
    personal("erasure_records", &[PrivacyRequests]),
    personal("privacy_requests", &[PrivacyRequests]),
    personal("privacy_request_events", &[PrivacyRequests]),
    personal("legal_holds", &[PrivacyRequests]),
    no_personal_data(
        "retention_lease",
        "which retention run may work now, by a random token",
    ),
    no_personal_data(
        "retention_runs",
        "when each retention run ran and how many records per rule it changed",
    ),
    personal("retention_warnings", &[SeekerAccount, EmployerAccount]),
    no_personal_data(
        "billing_products",
        "the products operators sell, with their prices",
    ),
    personal("billing_profiles", &[Billing]),
    personal("customer_status_events", &[Billing]),
    no_personal_data(
        "billing_series",
        "the next number of the invoice and credit-note series",
    ),
    personal("billing_packages", &[Billing]),
    personal("billing_orders", &[Billing]),
    personal("invoices", &[Billing]),
    personal("invoice_lines", &[Billing]),
    personal("credit_notes", &[Billing]),
    personal("credit_note_lines", &[Billing]),
    personal("billing_payments", &[Billing]),
    personal("bank_import_lines", &[Billing]),
    personal("billing_reminders", &[Billing]),
    personal("outbox_documents", &[Email, Billing]),
    personal("account_blocks", &[AccountBlocks]),
    personal("company_invitations", &[CompanyTeam]),
    personal("company_member_events", &[CompanyTeam]),
    personal("ad_assignments", &[CompanyTeam]),
    personal("support_inquiries", &[SupportInquiries]),
    personal("support_messages", &[SupportInquiries]),
];

/// Storage outside the database tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Files,
    SearchIndex,
    MailFolder,
    Logs,
}

impl Area {
    pub const ALL: &'static [Area] =
        &[Area::Files, Area::SearchIndex, Area::MailFolder, Area::Logs];

    pub fn text(self) -> Text {
        match self {
            Area::Files => t(
                "File storage: the folder files/ in the data directory, or the configured S3 bucket (encrypted per person; company logos, which are public, unencrypted)",
                "Fillager: mappen files/ i datamappen eller den konfigurerede S3-bucket (krypteret pr. person; virksomhedslogoer, som er offentlige, ukrypteret)",
            ),
            Area::SearchIndex => t(
                "The search index of each server (search-index/ in its data directory): published ads only",
                "Hver servers søgeindeks (search-index/ i dens datamappe): kun offentliggjorte annoncer",
            ),
            Area::MailFolder => t(
                "The local mail folder (mail/ in the data directory), used instead of a mail server when none is configured",
                "Den lokale postmappe (mail/ i datamappen), som bruges i stedet for en mailserver, når ingen er konfigureret",
            ),
            Area::Logs => t(
                "The server's log output (standard error), kept by the host",
                "Serverens logudskrift (standard error), som opbevares af hostingen",
            ),
        }
    }

    /// The entry in the data directory this area occupies, if any.
    pub fn data_dir_entry(self) -> Option<&'static str> {
        match self {
            Area::Files => Some("files"),
            Area::SearchIndex => Some("search-index"),
            Area::MailFolder => Some("mail"),
            Area::Logs => None,
        }
    }
}

/// The tables that hold data of `category`.
pub fn tables_of(category: Category) -> impl Iterator<Item = &'static str> {
    TABLES.iter().filter_map(move |table| match table.holds {
        Holds::PersonalData(categories) if categories.contains(&category) => Some(table.name),
        _ => None,
    })
}
