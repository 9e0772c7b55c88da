//! Retention rules (PRODUCT.md "Retention rules from the seeds"), as data a sweeper can apply:
//! each says which data, from which event the period counts, how long, and what then happens.

use serde::Serialize;
use time::{Date, Month, OffsetDateTime};

use super::{Text, t};
use crate::i18n::Lang;

/// A length of time, in the unit people use for it (so "6 months" stays calendar months).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", content = "count", rename_all = "kebab-case")]
pub enum Period {
    /// Nothing is kept once the event has happened.
    Immediately,
    Minutes(u32),
    Days(u32),
    Months(u32),
    Years(u32),
}

impl Period {
    /// The instant this period after `start` ends. Calendar months and years: a month after
    /// 31 January is the last day of February.
    pub fn after(self, start: OffsetDateTime) -> OffsetDateTime {
        match self {
            Period::Immediately => start,
            Period::Minutes(n) => start + time::Duration::minutes(n.into()),
            Period::Days(n) => start + time::Duration::days(n.into()),
            Period::Months(n) => add_months(start, n as i32),
            Period::Years(n) => add_months(start, n as i32 * 12),
        }
    }

    /// The instant this period before `end`: what was collected before it is due.
    pub fn before(self, end: OffsetDateTime) -> OffsetDateTime {
        match self {
            Period::Immediately => end,
            Period::Minutes(n) => end - time::Duration::minutes(n.into()),
            Period::Days(n) => end - time::Duration::days(n.into()),
            Period::Months(n) => add_months(end, -(n as i32)),
            Period::Years(n) => add_months(end, -(n as i32) * 12),
        }
    }

    /// The fixed length of a period counted in minutes or days (cookie and session expiry);
    /// `None` for calendar months and years, whose length depends on the start.
    pub fn fixed_length(self) -> Option<time::Duration> {
        match self {
            Period::Immediately => Some(time::Duration::ZERO),
            Period::Minutes(n) => Some(time::Duration::minutes(n.into())),
            Period::Days(n) => Some(time::Duration::days(n.into())),
            Period::Months(_) | Period::Years(_) => None,
        }
    }

    /// "6 months", "6 måneder".
    pub fn text(self, lang: Lang) -> String {
        let (count, one, many) = match (self, lang) {
            (Period::Immediately, Lang::En) => return "none (at once)".into(),
            (Period::Immediately, Lang::Da) => return "ingen (straks)".into(),
            (Period::Minutes(n), Lang::En) => (n, "minute", "minutes"),
            (Period::Minutes(n), Lang::Da) => (n, "minut", "minutter"),
            (Period::Days(n), Lang::En) => (n, "day", "days"),
            (Period::Days(n), Lang::Da) => (n, "dag", "dage"),
            (Period::Months(n), Lang::En) => (n, "month", "months"),
            (Period::Months(n), Lang::Da) => (n, "måned", "måneder"),
            (Period::Years(n), Lang::En) => (n, "year", "years"),
            (Period::Years(n), Lang::Da) => (n, "år", "år"),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    }
}

fn add_months(start: OffsetDateTime, months: i32) -> OffsetDateTime {
    let zero_based = start.year() * 12 + i32::from(u8::from(start.month())) - 1 + months;
    let year = zero_based.div_euclid(12);
    let month = Month::try_from((zero_based.rem_euclid(12) + 1) as u8).expect("1..=12");
    let day = start.day().min(month.length(year));
    let date = Date::from_calendar_date(year, month, day).expect("day clamped to the month");
    start.replace_date(date)
}

/// The event a retention period counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    LastLogin,
    ApplicationSent,
    AdInactive,
    AlertsStopped,
    EndOfFinancialYear,
    Recorded,
    Collected,
    InquiryClosed,
    CooperationEnded,
    ConsentLastUsed,
    PurposeEnded,
    SessionLastUsed,
    AttemptMade,
    TokenSpent,
    SignedUp,
}

impl Event {
    pub fn text(self) -> Text {
        match self {
            Event::LastLogin => t("the last login", "seneste login"),
            Event::ApplicationSent => t("the application was sent", "ansøgningen blev sendt"),
            Event::AdInactive => t(
                "the ad stopped being active (expired, closed or rejected)",
                "annoncen ikke længere er aktiv (udløbet, lukket eller afvist)",
            ),
            Event::AlertsStopped => t("the job alerts stopped", "jobagenterne stoppede"),
            Event::EndOfFinancialYear => t(
                "the end of the financial year the record belongs to",
                "udgangen af det regnskabsår, materialet vedrører",
            ),
            Event::Recorded => t("it was recorded", "det blev registreret"),
            Event::Collected => t("it was collected", "indsamlingen"),
            Event::InquiryClosed => t("the inquiry was closed", "henvendelsen blev afsluttet"),
            Event::CooperationEnded => t(
                "the cooperation ended: the later of the employer account's last login and the end of its company's last live ad (while the company has a live ad, the cooperation lasts)",
                "samarbejdet ophørte: det seneste af arbejdsgiverkontoens sidste login og udløbet af virksomhedens sidste aktive annonce (så længe virksomheden har en aktiv annonce, varer samarbejdet)",
            ),
            Event::ConsentLastUsed => t(
                "the consent was last used (or withdrawn)",
                "samtykket sidst blev udnyttet (eller tilbagekaldt)",
            ),
            Event::PurposeEnded => t(
                "the purpose ended: for an e-mail we sent, its delivery or our giving up on it",
                "formålet ophørte: for en e-mail, vi har sendt, at den blev leveret, eller at vi opgav at levere den",
            ),
            Event::SessionLastUsed => t("the session was last used", "sessionen sidst blev brugt"),
            Event::AttemptMade => t("the attempt", "forsøget"),
            Event::TokenSpent => t(
                "the link was used or expired",
                "linket blev brugt eller udløb",
            ),
            Event::SignedUp => t("the sign-up", "tilmeldingen"),
        }
    }
}

/// What happens to the data when its period is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Delete,
    /// Kept without anything that identifies a person.
    Anonymise,
    /// Kept, but taken off every public page, feed, API answer and the search index.
    Hide,
}

impl Action {
    pub fn text(self) -> Text {
        match self {
            Action::Delete => t("deleted", "slettes"),
            Action::Anonymise => t("anonymised", "anonymiseres"),
            Action::Hide => t(
                "hidden from public pages and search",
                "skjules på offentlige sider og i søgningen",
            ),
        }
    }
}

/// Who carries the rule out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Enforcement {
    /// The retention sweeper (`jobboard retention run`) applies it.
    Sweeper,
    /// Done as part of the feature itself (e.g. an ad's contact person disappears when the
    /// ad stops being active).
    Feature,
    /// The periodic housekeeping every node runs (sessions, tokens, sign-in attempts).
    Housekeeping,
}

/// The stable id of a retention rule; the sweeper's report and the policy pages use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    SeekerInactive,
    JobAlertsInactive,
    JobAlertConsentRecords,
    Applications,
    AdContactHidden,
    AdContactDeleted,
    Bookkeeping,
    ErasureDocumentation,
    AuditLog,
    VisitorData,
    SupportInquiries,
    PartnerContacts,
    NewsletterConsents,
    OtherData,
    Sessions,
    SignInAttempts,
    AccountTokens,
    NewsletterUnconfirmed,
}

impl Rule {
    /// The rule's details.
    pub fn info(self) -> &'static RetentionRule {
        RULES
            .iter()
            .find(|rule| rule.id == self)
            .expect("every rule is described in RULES (checked by a unit test)")
    }
}

#[derive(Debug, Serialize)]
pub struct RetentionRule {
    pub id: Rule,
    /// Which data the rule covers.
    pub data: Text,
    pub counts_from: Event,
    pub keep: Period,
    pub action: Action,
    /// The person is warned this long before the action (by e-mail), if at all.
    pub warn_before: Option<Period>,
    /// A legal hold (a dispute) pauses the action for the records it names.
    pub paused_by_legal_hold: bool,
    pub enforced_by: Enforcement,
    pub reason: Text,
}

impl RetentionRule {
    pub fn data_text(&self, lang: Lang) -> &'static str {
        self.data.get(lang)
    }
}

/// Every retention rule, in the order of PRODUCT.md's table, then the technical ones.
pub static RULES: &[RetentionRule] = &[
    RetentionRule {
        id: Rule::SeekerInactive,
        data: t(
            "A registered job seeker's account, profile, uploaded documents and applications",
            "En registreret jobsøgers konto, profil, uploadede dokumenter og ansøgninger",
        ),
        counts_from: Event::LastLogin,
        keep: Period::Years(1),
        action: Action::Delete,
        warn_before: Some(Period::Months(1)),
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "An account nobody uses no longer serves its purpose. We e-mail you a month before; logging in keeps the account.",
            "En konto, som ingen bruger, tjener ikke længere sit formål. Vi skriver til dig en måned før; logger du ind, bevares kontoen.",
        ),
    },
    RetentionRule {
        id: Rule::JobAlertsInactive,
        data: t(
            "Job alerts (saved searches sent by e-mail)",
            "Jobagenter (gemte søgninger, der sendes pr. e-mail)",
        ),
        counts_from: Event::LastLogin,
        keep: Period::Years(2),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: false,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "Alerts are sent until you stop them or have not logged in for 2 years.",
            "Jobagenter sendes, indtil du stopper dem, eller du ikke har logget ind i 2 år.",
        ),
    },
    RetentionRule {
        id: Rule::JobAlertConsentRecords,
        data: t(
            "The consent record of stopped job alerts",
            "Samtykkedokumentationen for stoppede jobagenter",
        ),
        counts_from: Event::AlertsStopped,
        keep: Period::Years(2),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "To document the consent for as long as criminal liability under the Danish Marketing Practices Act and the cookie order can be pursued.",
            "For at kunne dokumentere samtykket, så længe strafansvar efter markedsføringsloven og cookiebekendtgørelsen kan gøres gældende.",
        ),
    },
    RetentionRule {
        id: Rule::Applications,
        data: t(
            "Applications sent through the portal, with their documents, notes and hand-over records",
            "Ansøgninger sendt gennem portalen med dokumenter, noter og registrering af, hvem der modtog dem",
        ),
        counts_from: Event::ApplicationSent,
        keep: Period::Months(6),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "Long enough for the company to handle the application and answer questions about it.",
            "Længe nok til, at virksomheden kan behandle ansøgningen og besvare spørgsmål om den.",
        ),
    },
    RetentionRule {
        id: Rule::AdContactHidden,
        data: t(
            "The contact person named in a job ad",
            "Kontaktpersonen i en jobannonce",
        ),
        counts_from: Event::AdInactive,
        keep: Period::Immediately,
        action: Action::Hide,
        warn_before: None,
        paused_by_legal_hold: false,
        enforced_by: Enforcement::Feature,
        reason: t(
            "The contact person is public only while the ad is.",
            "Kontaktpersonen er kun offentlig, så længe annoncen er.",
        ),
    },
    RetentionRule {
        id: Rule::AdContactDeleted,
        data: t(
            "Personal data in job ads (the contact person)",
            "Personoplysninger i jobannoncer (kontaktpersonen)",
        ),
        counts_from: Event::AdInactive,
        keep: Period::Years(5),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "The ad is part of what a company bought and falls under our bookkeeping duty.",
            "Annoncen er en del af virksomhedens køb og er omfattet af vores bogføringspligt.",
        ),
    },
    RetentionRule {
        id: Rule::Bookkeeping,
        data: t(
            "Orders, invoices, payments and reminders (name, e-mail address, amounts)",
            "Ordrer, fakturaer, betalinger og rykkere (navn, e-mailadresse, beløb)",
        ),
        counts_from: Event::EndOfFinancialYear,
        keep: Period::Years(5),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "Required by the Danish Bookkeeping Act (bogføringsloven).",
            "Krævet efter bogføringsloven.",
        ),
    },
    RetentionRule {
        id: Rule::ErasureDocumentation,
        data: t(
            "Documentation of erasure agreements, of rejected and blocked users (a block counts from when it is lifted) and of payment inquiries",
            "Dokumentation for aftaler om sletning, afvisning og blokering af brugere (en blokering regnes fra, når den ophæves) og henvendelser om betalinger",
        ),
        counts_from: Event::Recorded,
        keep: Period::Years(5),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "To show what we did and why, as the Danish Bookkeeping Act requires for anything about payments.",
            "For at kunne dokumentere, hvad vi gjorde og hvorfor, som bogføringsloven kræver for alt om betalinger.",
        ),
    },
    RetentionRule {
        id: Rule::AuditLog,
        data: t(
            "The audit log: each operator action and each time an operator looked at a person's data (account and record numbers, codes and times only)",
            "Revisionsloggen: hver operatørhandling og hver gang en operatør har set en persons data (kun konto- og postnumre, koder og tidspunkter)",
        ),
        counts_from: Event::Recorded,
        keep: Period::Years(5),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "Accountability for how our staff handled personal data. Entries are deleted oldest first, and the hash of the last one deleted is kept, so the rest of the log can still be checked; an entry about a person under a legal hold stops the deletion there.",
            "Ansvarlighed for, hvordan vores medarbejdere har behandlet personoplysninger. Posterne slettes ældste først, og hashværdien af den senest slettede gemmes, så resten af loggen stadig kan kontrolleres; en post om en person med et retligt forbehold standser sletningen dér.",
        ),
    },
    RetentionRule {
        id: Rule::VisitorData,
        data: t(
            "Website visitor data: visit statistics and visitors' cookie consent records",
            "Data om besøgende: besøgsstatistik og besøgendes cookiesamtykker",
        ),
        counts_from: Event::Collected,
        keep: Period::Months(12),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "Kept 12 months unless needed for a dispute.",
            "Opbevares 12 måneder, medmindre de er nødvendige i forbindelse med en tvist.",
        ),
    },
    RetentionRule {
        id: Rule::SupportInquiries,
        data: t(
            "Inquiries to our support, with our replies (a message whose address was never confirmed is deleted after 48 hours)",
            "Henvendelser til vores support med vores svar (en henvendelse, hvis adresse aldrig blev bekræftet, slettes efter 48 timer)",
        ),
        counts_from: Event::InquiryClosed,
        keep: Period::Months(12),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "Long enough to follow up on the same question.",
            "Længe nok til at kunne følge op på det samme spørgsmål.",
        ),
    },
    RetentionRule {
        id: Rule::PartnerContacts,
        data: t(
            "Contacts of partners and customers: an employer account (name, e-mail address, company membership) whose company no longer advertises",
            "Kontaktoplysninger på samarbejdspartnere og kunder: en arbejdsgiverkonto (navn, e-mailadresse, tilknytning til virksomheden), hvis virksomhed ikke længere annoncerer",
        ),
        counts_from: Event::CooperationEnded,
        keep: Period::Months(12),
        action: Action::Delete,
        warn_before: Some(Period::Months(1)),
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "Kept as long as the cooperation lasts, and 12 months more to pick it up again. We e-mail you a month before; logging in keeps the account.",
            "Opbevares, så længe samarbejdet varer, og 12 måneder mere, så det kan genoptages. Vi skriver til dig en måned før; logger du ind, bevares kontoen.",
        ),
    },
    RetentionRule {
        id: Rule::NewsletterConsents,
        data: t(
            "Newsletter consents and records of withdrawn consent",
            "Samtykker til nyhedsbrevet og dokumentation for tilbagekaldte samtykker",
        ),
        counts_from: Event::ConsentLastUsed,
        keep: Period::Years(2),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "The limitation period for criminal liability under the Danish Marketing Practices Act and the cookie order.",
            "Forældelsesfristen for strafansvar efter markedsføringsloven og cookiebekendtgørelsen.",
        ),
    },
    RetentionRule {
        id: Rule::OtherData,
        data: t(
            "Any other personal data, such as the record of each e-mail we sent (recipient, subject, when it was delivered)",
            "Alle andre personoplysninger, fx registreringen af hver e-mail, vi har sendt (modtager, emne, hvornår den blev leveret)",
        ),
        counts_from: Event::PurposeEnded,
        keep: Period::Months(12),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: true,
        enforced_by: Enforcement::Sweeper,
        reason: t(
            "Nothing is kept longer than its purpose needs, and never more than 12 months after.",
            "Intet opbevares længere end formålet kræver, og aldrig mere end 12 måneder derefter.",
        ),
    },
    RetentionRule {
        id: Rule::Sessions,
        data: t(
            "Sessions (who is logged in, the form token)",
            "Sessioner (hvem der er logget ind, formular-token)",
        ),
        counts_from: Event::SessionLastUsed,
        keep: Period::Days(14),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: false,
        enforced_by: Enforcement::Housekeeping,
        reason: t(
            "A session unused for 14 days ends; logging out ends it at once.",
            "En session, der ikke er brugt i 14 dage, ophører; log ud afslutter den straks.",
        ),
    },
    RetentionRule {
        id: Rule::SignInAttempts,
        data: t(
            "Sign-in, registration and password-reset attempts, and e-mails about someone else's use of an address (keyed fingerprints of the address and IP)",
            "Forsøg på login, oprettelse og nulstilling af adgangskode samt e-mails om andres brug af en adresse (nøglede fingeraftryk af adresse og IP)",
        ),
        counts_from: Event::AttemptMade,
        keep: Period::Days(30),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: false,
        enforced_by: Enforcement::Housekeeping,
        reason: t(
            "Long enough to limit guessing and to show a person their login history.",
            "Længe nok til at begrænse gætteforsøg og vise en person deres loginhistorik.",
        ),
    },
    RetentionRule {
        id: Rule::AccountTokens,
        data: t(
            "One-time links (verification, password reset, change of e-mail) and invitations to join a company",
            "Engangslinks (bekræftelse, nulstilling af adgangskode, skift af e-mail) og invitationer til at blive medlem af en virksomhed",
        ),
        counts_from: Event::TokenSpent,
        keep: Period::Days(7),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: false,
        enforced_by: Enforcement::Housekeeping,
        reason: t(
            "A spent or expired link is of no further use.",
            "Et brugt eller udløbet link har ikke længere nogen funktion.",
        ),
    },
    RetentionRule {
        id: Rule::NewsletterUnconfirmed,
        data: t(
            "Newsletter sign-ups that were never confirmed (the e-mail address)",
            "Tilmeldinger til nyhedsbrevet, der aldrig blev bekræftet (e-mailadressen)",
        ),
        counts_from: Event::SignedUp,
        keep: Period::Days(7),
        action: Action::Delete,
        warn_before: None,
        paused_by_legal_hold: false,
        enforced_by: Enforcement::Housekeeping,
        reason: t(
            "Without a confirmation there is no consent, so the address is not kept.",
            "Uden bekræftelse er der intet samtykke, så adressen gemmes ikke.",
        ),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn calendar_months_clamp_to_the_end_of_the_month() {
        assert_eq!(
            Period::Months(1).after(datetime!(2026-01-31 12:00 UTC)),
            datetime!(2026-02-28 12:00 UTC)
        );
        assert_eq!(
            Period::Months(6).after(datetime!(2026-11-22 08:30 UTC)),
            datetime!(2027-05-22 08:30 UTC)
        );
        assert_eq!(
            Period::Years(1).after(datetime!(2028-02-29 00:00 UTC)),
            datetime!(2029-02-28 00:00 UTC)
        );
        assert_eq!(
            Period::Days(14).after(datetime!(2026-12-25 00:00 UTC)),
            datetime!(2027-01-08 00:00 UTC)
        );
    }

    #[test]
    fn before_is_the_inverse_of_after_on_the_calendar() {
        assert_eq!(
            Period::Months(12).before(datetime!(2026-11-22 08:30 UTC)),
            datetime!(2025-11-22 08:30 UTC)
        );
        assert_eq!(
            Period::Months(1).before(datetime!(2026-03-31 00:00 UTC)),
            datetime!(2026-02-28 00:00 UTC)
        );
        assert_eq!(
            Period::Days(7).before(datetime!(2026-01-03 00:00 UTC)),
            datetime!(2025-12-27 00:00 UTC)
        );
    }

    #[test]
    fn periods_read_naturally() {
        assert_eq!(Period::Months(6).text(Lang::En), "6 months");
        assert_eq!(Period::Years(1).text(Lang::En), "1 year");
        assert_eq!(Period::Months(1).text(Lang::Da), "1 måned");
        assert_eq!(Period::Minutes(30).text(Lang::Da), "30 minutter");
    }
}
