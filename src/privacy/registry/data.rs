//! Whose data, what it is, why we hold it, on which legal basis and who else receives it.

use serde::Serialize;

use super::{Area, Rule, Text, t};
use crate::config::Config;
use LegalBasis::*;
use Processor::*;

/// The kinds of people the portal holds data about (Art. 30(1)(c) "categories of data subjects").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    Visitor,
    JobSeeker,
    Employer,
    Operator,
    NewsletterSubscriber,
}

impl Subject {
    pub const ALL: &'static [Subject] = &[
        Subject::Visitor,
        Subject::JobSeeker,
        Subject::Employer,
        Subject::Operator,
        Subject::NewsletterSubscriber,
    ];

    pub fn name(self) -> Text {
        match self {
            Subject::Visitor => t("Website visitors", "Besøgende på hjemmesiden"),
            Subject::JobSeeker => t("Job seekers", "Jobsøgere"),
            Subject::Employer => t(
                "Companies and their contact persons",
                "Virksomheder og deres kontaktpersoner",
            ),
            Subject::Operator => t(
                "Operators (the people who run the portal)",
                "Operatører (dem, der driver portalen)",
            ),
            Subject::NewsletterSubscriber => t(
                "Newsletter subscribers (with or without an account)",
                "Tilmeldte til nyhedsbrevet (med eller uden konto)",
            ),
        }
    }
}

/// Why we process personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    Accounts,
    JobSeeking,
    ForwardApplications,
    JobAds,
    Security,
    Email,
    Preferences,
    Statistics,
    Marketing,
    ConsentRecords,
    PrivacyRequests,
    Bookkeeping,
    Support,
    Moderation,
}

impl Purpose {
    pub const ALL: &'static [Purpose] = &[
        Purpose::Accounts,
        Purpose::JobSeeking,
        Purpose::ForwardApplications,
        Purpose::JobAds,
        Purpose::Security,
        Purpose::Email,
        Purpose::Preferences,
        Purpose::Statistics,
        Purpose::Marketing,
        Purpose::ConsentRecords,
        Purpose::PrivacyRequests,
        Purpose::Bookkeeping,
        Purpose::Support,
        Purpose::Moderation,
    ];

    pub fn text(self) -> Text {
        match self {
            Purpose::Accounts => t(
                "To create and run your account: registration, e-mail verification, login and password recovery",
                "At oprette og drive din konto: registrering, bekræftelse af e-mail, login og gendannelse af adgangskode",
            ),
            Purpose::JobSeeking => t(
                "To let job seekers keep a profile and documents, save jobs and apply for them",
                "At lade jobsøgere have en profil og dokumenter, gemme job og søge dem",
            ),
            Purpose::ForwardApplications => t(
                "To forward an application to the company applied to, and let it handle the application",
                "At videresende en ansøgning til den virksomhed, der søges hos, og lade den behandle ansøgningen",
            ),
            Purpose::JobAds => t(
                "To publish companies' job ads, review them and show who to contact",
                "At offentliggøre virksomheders jobannoncer, gennemgå dem og vise, hvem man kan kontakte",
            ),
            Purpose::Security => t(
                "To keep the portal working and secure: sessions, protection of forms, limits on login attempts, error logs, preventing abuse",
                "At holde portalen funktionsdygtig og sikker: sessioner, beskyttelse af formularer, begrænsning af loginforsøg, fejllogs, forebyggelse af misbrug",
            ),
            Purpose::Email => t(
                "To send the e-mails that an action on the portal calls for (verification links, notices about applications and ads)",
                "At sende de e-mails, som en handling på portalen kræver (bekræftelseslinks, beskeder om ansøgninger og annoncer)",
            ),
            Purpose::Preferences => t(
                "To remember the language you chose",
                "At huske det sprog, du har valgt",
            ),
            Purpose::Statistics => t(
                "To count visits per day, first-party only and only with consent",
                "At tælle besøg pr. dag, kun hos os selv og kun med samtykke",
            ),
            Purpose::Marketing => t(
                "To send the newsletter and job alerts people asked for, and to see which campaign brought a visitor (with consent)",
                "At sende det nyhedsbrev og de jobagenter, man har bedt om, og se hvilken kampagne der bragte en besøgende hertil (med samtykke)",
            ),
            Purpose::ConsentRecords => t(
                "To document consent and its withdrawal",
                "At dokumentere samtykke og tilbagekaldelse af samtykke",
            ),
            Purpose::PrivacyRequests => t(
                "To answer requests to see, export, correct or erase data, and to document that we did",
                "At besvare anmodninger om indsigt, udlevering, berigtigelse eller sletning og dokumentere, at vi gjorde det",
            ),
            Purpose::Bookkeeping => t(
                "To bill companies for job ads and keep the accounts the law requires",
                "At fakturere virksomheder for jobannoncer og føre det regnskab, loven kræver",
            ),
            Purpose::Support => t(
                "To answer the questions people send us through the contact form",
                "At besvare de spørgsmål, man sender os via kontaktformularen",
            ),
            Purpose::Moderation => t(
                "To stop fraud and abuse: blocking an account or company, with the reason documented and the person told",
                "At standse svindel og misbrug: at blokere en konto eller virksomhed, med begrundelsen dokumenteret og personen underrettet",
            ),
        }
    }
}

/// The legal grounds we rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegalBasis {
    /// GDPR Art. 6(1)(a).
    Consent,
    /// GDPR Art. 6(1)(b).
    Contract,
    /// GDPR Art. 6(1)(c).
    LegalObligation,
    /// GDPR Art. 6(1)(f).
    LegitimateInterests,
    /// Cookiebekendtgørelsen § 3.
    CookieOrder,
    /// Markedsføringsloven § 10.
    MarketingAct,
}

impl LegalBasis {
    pub const ALL: &'static [LegalBasis] = &[
        LegalBasis::Consent,
        LegalBasis::Contract,
        LegalBasis::LegalObligation,
        LegalBasis::LegitimateInterests,
        LegalBasis::CookieOrder,
        LegalBasis::MarketingAct,
    ];

    /// The provision, as lawyers cite it.
    pub fn reference(self) -> Text {
        match self {
            LegalBasis::Consent => t("GDPR Art. 6(1)(a)", "GDPR art. 6, stk. 1, litra a"),
            LegalBasis::Contract => t("GDPR Art. 6(1)(b)", "GDPR art. 6, stk. 1, litra b"),
            LegalBasis::LegalObligation => t("GDPR Art. 6(1)(c)", "GDPR art. 6, stk. 1, litra c"),
            LegalBasis::LegitimateInterests => {
                t("GDPR Art. 6(1)(f)", "GDPR art. 6, stk. 1, litra f")
            }
            LegalBasis::CookieOrder => t(
                "Danish cookie order (cookiebekendtgørelsen) § 3",
                "Cookiebekendtgørelsens § 3",
            ),
            LegalBasis::MarketingAct => t(
                "Danish Marketing Practices Act (markedsføringsloven) § 10",
                "Markedsføringslovens § 10",
            ),
        }
    }

    pub fn text(self) -> Text {
        match self {
            LegalBasis::Consent => t(
                "Your consent, which you can withdraw at any time.",
                "Dit samtykke, som du til enhver tid kan trække tilbage.",
            ),
            LegalBasis::Contract => t(
                "Necessary for the agreement you enter into when you create an account or ask us to do something (such as sending an application).",
                "Nødvendigt for den aftale, du indgår, når du opretter en konto eller beder os om at gøre noget (fx sende en ansøgning).",
            ),
            LegalBasis::LegalObligation => t(
                "Necessary to meet a legal obligation (bookkeeping, documenting consent, answering privacy requests).",
                "Nødvendigt for at overholde en retlig forpligtelse (bogføring, dokumentation af samtykke, besvarelse af anmodninger om dine rettigheder).",
            ),
            LegalBasis::LegitimateInterests => t(
                "Our legitimate interest in running a secure, working portal and in the cooperation with companies; it does not override your interests.",
                "Vores legitime interesse i at drive en sikker, velfungerende portal og i samarbejdet med virksomheder; den går ikke forud for dine interesser.",
            ),
            LegalBasis::CookieOrder => t(
                "Storing or reading information on your device needs your consent, except what is strictly necessary for the service you asked for.",
                "Lagring og læsning af oplysninger på dit udstyr kræver dit samtykke, undtagen det der er strengt nødvendigt for den tjeneste, du har bedt om.",
            ),
            LegalBasis::MarketingAct => t(
                "E-mails with marketing (the newsletter, job alerts) are sent only with your prior consent.",
                "E-mails med markedsføring (nyhedsbrevet, jobagenter) sendes kun med dit forudgående samtykke.",
            ),
        }
    }
}

/// Those who receive personal data from us as controllers in their own right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recipient {
    CompanyAppliedTo,
    VerifiedEmployers,
    Public,
}

impl Recipient {
    pub const ALL: &'static [Recipient] = &[
        Recipient::CompanyAppliedTo,
        Recipient::VerifiedEmployers,
        Recipient::Public,
    ];

    pub fn text(self) -> Text {
        match self {
            Recipient::CompanyAppliedTo => t(
                "The company you apply to: it receives your application, your name and e-mail address and the documents you choose, in its inbox and by e-mail to the ad's contact person. From then on it is the controller of its copy.",
                "Den virksomhed, du søger hos: den modtager din ansøgning, dit navn og din e-mailadresse og de dokumenter, du vælger, i sin indbakke og pr. e-mail til annoncens kontaktperson. Derefter er den dataansvarlig for sin kopi.",
            ),
            Recipient::VerifiedEmployers => t(
                "Verified employers, only if you make your profile visible (and your photo only with your consent).",
                "Verificerede arbejdsgivere, kun hvis du gør din profil synlig (og dit foto kun med dit samtykke).",
            ),
            Recipient::Public => t(
                "Everyone: a published job ad, including its contact person, while the ad is active.",
                "Alle: en offentliggjort jobannonce, herunder kontaktpersonen, så længe annoncen er aktiv.",
            ),
        }
    }
}

/// Processors: they handle data only on our instructions, under a data processing agreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Processor {
    Hosting,
    EmailDelivery,
    ObjectStorage,
}

impl Processor {
    pub const ALL: &'static [Processor] = &[
        Processor::Hosting,
        Processor::EmailDelivery,
        Processor::ObjectStorage,
    ];

    pub fn text(self) -> Text {
        match self {
            Processor::Hosting => t(
                "Hosting: the servers, database and backups the portal runs on.",
                "Hosting: de servere, den database og de sikkerhedskopier, portalen kører på.",
            ),
            Processor::EmailDelivery => t(
                "E-mail delivery: the mail service that carries our e-mails to your inbox.",
                "Levering af e-mail: den mailtjeneste, der bringer vores e-mails frem til din indbakke.",
            ),
            Processor::ObjectStorage => t(
                "Object storage: where uploaded files (CVs, attachments, photos) are kept, encrypted with a key of each person's own.",
                "Objektlager: hvor uploadede filer (CV'er, bilag, fotos) opbevares, krypteret med en nøgle for hver person.",
            ),
        }
    }

    /// Whether this installation uses the processor: without an SMTP server e-mails stay in
    /// the data dir, and without S3 files do too.
    pub fn in_use(self, config: &Config) -> bool {
        match self {
            Processor::Hosting => true,
            Processor::EmailDelivery => config.smtp_url.is_some(),
            Processor::ObjectStorage => config.s3.is_some(),
        }
    }
}

/// AWS regions inside the EU/EEA (Ireland, Paris, Frankfurt, Stockholm, Milan, Spain). London
/// and Zurich are third countries (with adequacy decisions), so they are not in the list.
const EU_AWS_REGIONS: &[&str] = &[
    "eu-west-1",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
];

/// The AWS region files are stored in, when this installation's configuration itself shows a
/// transfer outside the EU/EEA: S3 on AWS (no custom endpoint) in a region outside it, the
/// default being `us-east-1`. The policies say "no transfers", so operators are warned.
pub fn third_country_storage(config: &Config) -> Option<String> {
    let s3 = config.s3.as_ref()?;
    if s3.endpoint.is_some() {
        // A custom endpoint (MinIO, another provider): its location is not in the config.
        return None;
    }
    let region = s3.region.as_deref().unwrap_or("us-east-1");
    (!EU_AWS_REGIONS.contains(&region)).then(|| region.to_string())
}

/// A data category: what we hold about one kind of person, for which purposes, on which
/// basis, who receives it and how long it is kept. Where it is stored comes from
/// `storage::TABLES` and `areas`.
#[derive(Debug, Serialize)]
pub struct DataCategory {
    pub id: Category,
    pub subject: Subject,
    pub name: Text,
    pub contains: Text,
    pub purposes: &'static [Purpose],
    pub legal_bases: &'static [LegalBasis],
    pub recipients: &'static [Recipient],
    pub processors: &'static [Processor],
    pub retention: &'static [Rule],
    /// Storage outside the database tables (which `storage::TABLES` declares).
    pub areas: &'static [Area],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    SeekerAccount,
    SeekerProfile,
    SeekerDocuments,
    SavedJobs,
    Applications,
    JobAlerts,
    EmployerAccount,
    Company,
    CompanyTeam,
    Billing,
    JobAds,
    OperatorAccount,
    Sessions,
    SignInSecurity,
    Email,
    ServerLogs,
    CookieConsent,
    VisitStatistics,
    Newsletter,
    PrivacyRequests,
    SupportInquiries,
    AccountBlocks,
}

impl Category {
    pub fn info(self) -> &'static DataCategory {
        CATEGORIES
            .iter()
            .find(|c| c.id == self)
            .expect("every category is described in CATEGORIES (checked by a unit test)")
    }
}

const ALL_PROCESSORS: &[Processor] = &[Hosting, EmailDelivery, ObjectStorage];
const HOSTING_AND_MAIL: &[Processor] = &[Hosting, EmailDelivery];

pub static CATEGORIES: &[DataCategory] = &[
    DataCategory {
        id: Category::SeekerAccount,
        subject: Subject::JobSeeker,
        name: t("Job seeker's account", "Jobsøgerens konto"),
        contains: t(
            "Name, e-mail address, password (only as an Argon2id hash), language, and when the account was created, verified and last logged in to.",
            "Navn, e-mailadresse, adgangskode (kun som Argon2id-hash), sprog, og hvornår kontoen blev oprettet, bekræftet og sidst logget ind på.",
        ),
        purposes: &[Purpose::Accounts, Purpose::JobSeeking, Purpose::Email],
        legal_bases: &[Contract],
        recipients: &[Recipient::CompanyAppliedTo],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::SeekerInactive],
        areas: &[],
    },
    DataCategory {
        id: Category::SeekerProfile,
        subject: Subject::JobSeeker,
        name: t("Job seeker's profile", "Jobsøgerens profil"),
        contains: t(
            "Address, phone number, job interests (occupations, municipalities, employment types), whether the profile is visible to verified employers, and when consent to show the photo was given.",
            "Adresse, telefonnummer, jobmæssige interesser (stillinger, kommuner, ansættelsesformer), om profilen er synlig for verificerede arbejdsgivere, og hvornår der blev givet samtykke til at vise fotoet.",
        ),
        purposes: &[Purpose::JobSeeking],
        legal_bases: &[Contract, Consent],
        recipients: &[Recipient::VerifiedEmployers, Recipient::CompanyAppliedTo],
        processors: &[Hosting],
        retention: &[Rule::SeekerInactive],
        areas: &[],
    },
    DataCategory {
        id: Category::SeekerDocuments,
        subject: Subject::JobSeeker,
        name: t("CVs, attachments and photo", "CV'er, bilag og foto"),
        contains: t(
            "The files you upload (name, type, size and content), encrypted with a data key of your own; the photo is re-encoded so location and camera data are gone.",
            "De filer, du uploader (navn, type, størrelse og indhold), krypteret med din egen datanøgle; fotoet kodes om, så placerings- og kameradata forsvinder.",
        ),
        purposes: &[Purpose::JobSeeking, Purpose::ForwardApplications],
        legal_bases: &[Contract, Consent],
        recipients: &[Recipient::CompanyAppliedTo, Recipient::VerifiedEmployers],
        processors: ALL_PROCESSORS,
        retention: &[Rule::SeekerInactive],
        areas: &[Area::Files],
    },
    DataCategory {
        id: Category::SavedJobs,
        subject: Subject::JobSeeker,
        name: t("Saved jobs", "Gemte job"),
        contains: t(
            "The job ads you saved, and when.",
            "De jobannoncer, du har gemt, og hvornår.",
        ),
        purposes: &[Purpose::JobSeeking],
        legal_bases: &[Contract],
        recipients: &[],
        processors: &[Hosting],
        retention: &[Rule::SeekerInactive],
        areas: &[],
    },
    DataCategory {
        id: Category::Applications,
        subject: Subject::JobSeeker,
        name: t("Applications", "Ansøgninger"),
        contains: t(
            "The cover letter, the documents sent with it, the status in the company's process, the company's notes, and a record of which company received what, how and when.",
            "Ansøgningen, de dokumenter, der blev sendt med, status i virksomhedens proces, virksomhedens noter og en registrering af, hvilken virksomhed der modtog hvad, hvordan og hvornår.",
        ),
        purposes: &[Purpose::ForwardApplications, Purpose::Email],
        legal_bases: &[Contract, LegitimateInterests],
        recipients: &[Recipient::CompanyAppliedTo],
        processors: ALL_PROCESSORS,
        retention: &[Rule::Applications, Rule::SeekerInactive],
        areas: &[Area::Files],
    },
    DataCategory {
        id: Category::JobAlerts,
        subject: Subject::JobSeeker,
        name: t("Job alerts", "Jobagenter"),
        contains: t(
            "Saved searches, how often to send them, and the record of your consent (text and version shown, time, masked IP address).",
            "Gemte søgninger, hvor ofte de skal sendes, og dokumentationen for dit samtykke (viste tekst og version, tidspunkt, maskeret IP-adresse).",
        ),
        purposes: &[Purpose::Marketing, Purpose::ConsentRecords],
        legal_bases: &[Consent, MarketingAct, LegalObligation],
        recipients: &[],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::JobAlertsInactive, Rule::JobAlertConsentRecords],
        areas: &[],
    },
    DataCategory {
        id: Category::EmployerAccount,
        subject: Subject::Employer,
        name: t(
            "Company contact person's account",
            "Kontaktpersonens konto hos virksomheden",
        ),
        contains: t(
            "Name, e-mail address, password (only as a hash), language, the company you belong to and your role in it, and when you last logged in.",
            "Navn, e-mailadresse, adgangskode (kun som hash), sprog, den virksomhed, du hører til, og din rolle i den, og hvornår du sidst loggede ind.",
        ),
        purposes: &[Purpose::Accounts, Purpose::JobAds, Purpose::Email],
        legal_bases: &[Contract, LegitimateInterests],
        recipients: &[],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::PartnerContacts, Rule::OtherData],
        areas: &[],
    },
    DataCategory {
        id: Category::Company,
        subject: Subject::Employer,
        name: t("Company details", "Virksomhedsoplysninger"),
        contains: t(
            "Company name, CVR number, how applications are forwarded to it, whether moderators trust its ads, and its public company page: description, website, locations and logo (a sole proprietorship's details are personal data). The page and the logo are erased with the company's last account.",
            "Virksomhedsnavn, CVR-nummer, hvordan ansøgninger videresendes til den, om moderatorerne stoler på dens annoncer, og dens offentlige virksomhedsside: beskrivelse, hjemmeside, arbejdssteder og logo (en enkeltmandsvirksomheds oplysninger er personoplysninger). Siden og logoet slettes sammen med virksomhedens sidste konto.",
        ),
        purposes: &[Purpose::JobAds, Purpose::Bookkeeping],
        legal_bases: &[Contract, LegitimateInterests],
        recipients: &[Recipient::Public],
        processors: &[Hosting],
        retention: &[Rule::PartnerContacts, Rule::Bookkeeping],
        areas: &[Area::Files],
    },
    DataCategory {
        id: Category::CompanyTeam,
        subject: Subject::Employer,
        name: t("Colleagues and roles", "Kolleger og roller"),
        contains: t(
            "Invitations to join a company (the address invited, the role offered, who sent it, when it was used or withdrawn), the record of changes to a company's members (who joined, changed role, was removed or left, and who did it), and which job ads each recruiter works on. Invitations are deleted 7 days after they were used, withdrawn or expired; an erased account leaves the record of changes without the person, and when a company's last admin is erased, the member who joined first becomes admin.",
            "Invitationer til at blive medlem af en virksomhed (den inviterede adresse, den tilbudte rolle, hvem der sendte den, hvornår den blev brugt eller trukket tilbage), registreringen af ændringer i virksomhedens medlemmer (hvem der kom til, skiftede rolle, blev fjernet eller gik, og hvem der gjorde det), og hvilke jobannoncer hver rekrutteringsansvarlig arbejder på. Invitationer slettes 7 dage efter, at de blev brugt, trukket tilbage eller udløb; en slettet konto efterlader registreringen af ændringer uden personen, og når en virksomheds sidste administrator slettes, bliver det medlem, der kom først, administrator.",
        ),
        purposes: &[Purpose::Accounts, Purpose::JobAds, Purpose::Email],
        legal_bases: &[Contract, LegitimateInterests],
        recipients: &[],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::PartnerContacts, Rule::AccountTokens],
        areas: &[],
    },
    DataCategory {
        id: Category::Billing,
        subject: Subject::Employer,
        name: t(
            "Orders, invoices and payments",
            "Ordrer, fakturaer og betalinger",
        ),
        contains: t(
            "What a company ordered and who in it placed the order; invoices and credit notes with the buyer's name, address, CVR and EAN number, billing e-mail address, order reference and contact person; payments, bank statement lines and reminders; the company's billing details and customer status.",
            "Hvad en virksomhed har bestilt, og hvem i den der bestilte; fakturaer og kreditnotaer med køberens navn, adresse, CVR- og EAN-nummer, faktura-e-mailadresse, ordrereference og kontaktperson; betalinger, kontoudtogslinjer og rykkere; virksomhedens faktureringsoplysninger og kundestatus.",
        ),
        purposes: &[Purpose::Bookkeeping, Purpose::Email],
        legal_bases: &[Contract, LegalObligation],
        recipients: &[],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::Bookkeeping],
        areas: &[],
    },
    DataCategory {
        id: Category::JobAds,
        subject: Subject::Employer,
        name: t(
            "Job ads and their contact persons",
            "Jobannoncer og deres kontaktpersoner",
        ),
        contains: t(
            "Every version of each ad, the contact person's name, e-mail address and phone number, who wrote each version, and the moderators' decisions with their reasons.",
            "Alle versioner af hver annonce, kontaktpersonens navn, e-mailadresse og telefonnummer, hvem der skrev hver version, og moderatorernes afgørelser med begrundelser.",
        ),
        purposes: &[Purpose::JobAds],
        legal_bases: &[Contract, LegitimateInterests],
        recipients: &[Recipient::Public],
        processors: &[Hosting],
        retention: &[Rule::AdContactHidden, Rule::AdContactDeleted],
        areas: &[Area::SearchIndex],
    },
    DataCategory {
        id: Category::OperatorAccount,
        subject: Subject::Operator,
        name: t(
            "Operator accounts and actions",
            "Operatørkonti og -handlinger",
        ),
        contains: t(
            "Name, e-mail address, password (only as a hash), the second factor (passkeys: their names, public keys and when they were added and last used; the authenticator app's secret, encrypted; recovery codes, only as hashes), login times, the moderation decisions each operator made, and the audit log of every operator action and every look at a person's data (which operator, what, whose account and which record by number, when, and the reason code).",
            "Navn, e-mailadresse, adgangskode (kun som hash), anden faktor (adgangsnøgler: deres navne, offentlige nøgler og hvornår de blev tilføjet og sidst brugt; hemmeligheden til godkendelsesappen, krypteret; gendannelseskoder, kun som hash), logintidspunkter, de moderationsafgørelser, hver operatør har truffet, og revisionsloggen over hver operatørhandling og hvert opslag i en persons data (hvilken operatør, hvad, hvis konto og hvilken post efter nummer, hvornår og begrundelseskoden).",
        ),
        purposes: &[Purpose::Accounts, Purpose::JobAds, Purpose::Security],
        legal_bases: &[Contract, LegitimateInterests],
        recipients: &[],
        processors: &[Hosting],
        retention: &[Rule::OtherData, Rule::AuditLog],
        areas: &[],
    },
    DataCategory {
        id: Category::Sessions,
        subject: Subject::Visitor,
        name: t("Sessions", "Sessioner"),
        contains: t(
            "A random session id (the session cookie), the form token, the language chosen, who is logged in, the kind of browser and system while logged in (such as \"Firefox on Windows\", no version, so you can tell your sessions apart), and a message for the next page. Created only when you use a form or log in.",
            "Et tilfældigt sessions-id (sessionscookien), formular-token, det valgte sprog, hvem der er logget ind, typen af browser og system, mens du er logget ind (fx \"Firefox on Windows\", uden version, så du kan kende dine sessioner fra hinanden), og en besked til næste side. Oprettes kun, når du bruger en formular eller logger ind.",
        ),
        purposes: &[Purpose::Security, Purpose::Accounts],
        legal_bases: &[LegitimateInterests, CookieOrder],
        recipients: &[],
        processors: &[Hosting],
        retention: &[Rule::Sessions],
        areas: &[],
    },
    DataCategory {
        id: Category::SignInSecurity,
        subject: Subject::Visitor,
        name: t("Sign-in security", "Sikkerhed ved login"),
        contains: t(
            "Login, registration and password-reset attempts, and the e-mails sent to your address about someone else's use of it, stored only as keyed fingerprints of the e-mail address and IP address, with the time and outcome; your login history (time and IP address shortened to /24 or /48), shown in your privacy centre; one-time links, stored only as hashes, and a requested new e-mail address.",
            "Forsøg på login, oprettelse og nulstilling af adgangskode samt de e-mails, der er sendt til din adresse om andres brug af den, kun gemt som nøglede fingeraftryk af e-mailadresse og IP-adresse, med tidspunkt og udfald; din login-historik (tidspunkt og IP-adresse forkortet til /24 eller /48), vist i dit privatlivscenter; engangslinks, kun gemt som hash, og en ønsket ny e-mailadresse.",
        ),
        purposes: &[Purpose::Security, Purpose::Accounts],
        legal_bases: &[LegitimateInterests, Contract],
        recipients: &[],
        processors: &[Hosting],
        retention: &[Rule::SignInAttempts, Rule::AccountTokens],
        areas: &[],
    },
    DataCategory {
        id: Category::Email,
        subject: Subject::Visitor,
        name: t("E-mails we send", "E-mails, vi sender"),
        contains: t(
            "Recipient address, subject, text, attachments (applications forwarded as attachments), and delivery attempts.",
            "Modtageradresse, emne, tekst, vedhæftede filer (ansøgninger videresendt som vedhæftninger) og leveringsforsøg.",
        ),
        purposes: &[Purpose::Email],
        legal_bases: &[Contract, LegitimateInterests],
        recipients: &[Recipient::CompanyAppliedTo],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::OtherData],
        areas: &[Area::MailFolder],
    },
    DataCategory {
        id: Category::ServerLogs,
        subject: Subject::Visitor,
        name: t("Server logs", "Serverlogs"),
        contains: t(
            "Time, method and path of each request, and errors. E-mail addresses appear only shortened (first letter and domain); no IP addresses, passwords or tokens are logged.",
            "Tidspunkt, metode og sti for hver forespørgsel samt fejl. E-mailadresser optræder kun forkortet (første bogstav og domæne); IP-adresser, adgangskoder og tokens logges ikke.",
        ),
        purposes: &[Purpose::Security],
        legal_bases: &[LegitimateInterests],
        recipients: &[],
        processors: &[Hosting],
        retention: &[Rule::OtherData],
        areas: &[Area::Logs],
    },
    DataCategory {
        id: Category::CookieConsent,
        subject: Subject::Visitor,
        name: t("Cookie choices", "Cookievalg"),
        contains: t(
            "For each choice: a consent id, the time, the policy version and the text shown, the categories chosen, how (accept all, reject all, choose, withdraw), the page, and the IP address masked to its network (/24 or /48).",
            "For hvert valg: et samtykke-id, tidspunktet, politikkens version og den viste tekst, de valgte kategorier, hvordan (accepter alle, afvis alle, vælg, træk tilbage), siden og IP-adressen maskeret til dens netværk (/24 eller /48).",
        ),
        purposes: &[Purpose::ConsentRecords],
        legal_bases: &[LegalObligation, CookieOrder],
        recipients: &[],
        processors: &[Hosting],
        retention: &[Rule::VisitorData],
        areas: &[],
    },
    DataCategory {
        id: Category::VisitStatistics,
        subject: Subject::Visitor,
        name: t("Visit statistics", "Besøgsstatistik"),
        contains: t(
            "With your consent only: the pages viewed, when, a random visit id and the masked IP address. No third party is involved.",
            "Kun med dit samtykke: de viste sider, hvornår, et tilfældigt besøgs-id og den maskerede IP-adresse. Ingen tredjepart er involveret.",
        ),
        purposes: &[Purpose::Statistics],
        legal_bases: &[Consent, CookieOrder],
        recipients: &[],
        processors: &[Hosting],
        retention: &[Rule::VisitorData],
        areas: &[],
    },
    DataCategory {
        id: Category::Newsletter,
        subject: Subject::NewsletterSubscriber,
        name: t("Newsletter subscription", "Tilmelding til nyhedsbrev"),
        contains: t(
            "E-mail address and the record of the consent given and any withdrawal (text and version shown, time, source, masked IP address).",
            "E-mailadresse og dokumentationen for afgivet og eventuelt tilbagekaldt samtykke (viste tekst og version, tidspunkt, kilde, maskeret IP-adresse).",
        ),
        purposes: &[Purpose::Marketing, Purpose::ConsentRecords],
        legal_bases: &[Consent, MarketingAct, LegalObligation],
        recipients: &[],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::NewsletterConsents, Rule::NewsletterUnconfirmed],
        areas: &[],
    },
    DataCategory {
        id: Category::PrivacyRequests,
        subject: Subject::Visitor,
        name: t("Privacy requests", "Anmodninger om dine rettigheder"),
        contains: t(
            "Who asked (the verified e-mail address), what was asked, when, the deadline, each step taken and by whom, our answer, and documentation of erasures (account number and counts only); the restriction, objection, consent withdrawals, corrections and downloads you made in the privacy centre; and each time an operator looked at or acted on your data.",
            "Hvem der spurgte (den bekræftede e-mailadresse), hvad der blev spurgt om, hvornår, fristen, hvert trin og hvem der tog det, vores svar og dokumentation for sletninger (kun kontonummer og antal); de begrænsninger, indsigelser, tilbagekaldelser af samtykke, rettelser og downloads, du har foretaget i privatlivscenteret; og hver gang en operatør har set på eller behandlet dine data.",
        ),
        purposes: &[Purpose::PrivacyRequests],
        legal_bases: &[LegalObligation],
        recipients: &[],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::ErasureDocumentation, Rule::AuditLog],
        areas: &[],
    },
    DataCategory {
        id: Category::SupportInquiries,
        subject: Subject::Visitor,
        name: t("Messages to our support", "Henvendelser til vores support"),
        contains: t(
            "Your name and e-mail address (your account, if you were logged in), the topic, subject and text of your message, our replies and which operator wrote them, when it was received and closed, and your IP address shortened to /24 or /48 (against abuse of the form).",
            "Dit navn og din e-mailadresse (din konto, hvis du var logget ind), emne, overskrift og tekst i din henvendelse, vores svar og hvilken operatør der skrev dem, hvornår den blev modtaget og afsluttet, og din IP-adresse forkortet til /24 eller /48 (mod misbrug af formularen).",
        ),
        purposes: &[Purpose::Support, Purpose::Email],
        legal_bases: &[LegitimateInterests, Contract],
        recipients: &[],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::SupportInquiries],
        areas: &[],
    },
    DataCategory {
        id: Category::AccountBlocks,
        subject: Subject::Visitor,
        name: t(
            "Blocks of accounts and companies",
            "Blokeringer af konti og virksomheder",
        ),
        contains: t(
            "That an account or company was blocked, when and by which operator, the reason (from a fixed list), the operator's note, and when, by whom and why the block was lifted.",
            "At en konto eller virksomhed blev blokeret, hvornår og af hvilken operatør, begrundelsen (fra en fast liste), operatørens notat, og hvornår, af hvem og hvorfor blokeringen blev ophævet.",
        ),
        purposes: &[Purpose::Moderation, Purpose::Security],
        legal_bases: &[LegitimateInterests],
        recipients: &[],
        processors: HOSTING_AND_MAIL,
        retention: &[Rule::ErasureDocumentation],
        areas: &[],
    },
];

/// Transfers to countries outside the EU/EEA: none. Stated as data so the pages and the
/// record of processing say the same.
pub fn transfers() -> Text {
    t(
        "We transfer no personal data to countries outside the EU/EEA, and no page loads anything from a third party. Our processors are to be located in the EU/EEA. Should an e-mail or storage provider outside the EU/EEA ever be used, the transfer would rely on an adequacy decision (GDPR Art. 45) or the EU standard contractual clauses (Art. 46(2)(c)), and this policy would name the recipient and the safeguard, with a new version, before the transfer begins.",
        "Vi overfører ingen personoplysninger til lande uden for EU/EØS, og ingen side henter noget fra tredjeparter. Vores databehandlere skal være placeret i EU/EØS. Skulle en e-mail- eller lagerudbyder uden for EU/EØS nogensinde blive brugt, vil overførslen bygge på en tilstrækkelighedsafgørelse (GDPR art. 45) eller EU's standardkontraktbestemmelser (art. 46, stk. 2, litra c), og denne politik vil nævne modtageren og garantien i en ny version, før overførslen begynder.",
    )
}

/// The technical and organisational security measures (Art. 30(1)(g), Art. 32).
pub static SECURITY_MEASURES: &[Text] = &[
    t(
        "Passwords are stored only as Argon2id hashes; links in e-mails carry random 256-bit tokens stored only as hashes, single-use and short-lived.",
        "Adgangskoder gemmes kun som Argon2id-hash; links i e-mails bærer tilfældige 256-bit tokens, der kun gemmes som hash, kan bruges én gang og udløber hurtigt.",
    ),
    t(
        "Uploaded files are encrypted at rest (AES-256-GCM) with a key of each person's own; deleting the key makes every copy unreadable, in backups and bucket replicas too.",
        "Uploadede filer krypteres (AES-256-GCM) med en nøgle for hver person; sletning af nøglen gør alle kopier ulæselige, også i sikkerhedskopier og replikaer.",
    ),
    t(
        "IP addresses are stored only masked (/24 or /48) or as keyed fingerprints; logs hold no passwords, tokens, IP addresses or full e-mail addresses.",
        "IP-adresser gemmes kun maskeret (/24 eller /48) eller som nøglede fingeraftryk; logs indeholder ingen adgangskoder, tokens, IP-adresser eller fulde e-mailadresser.",
    ),
    t(
        "Sessions live on the server and are renewed at every change of privilege; cookies are HttpOnly and SameSite, and Secure over HTTPS (with HSTS).",
        "Sessioner ligger på serveren og fornyes ved hver ændring af rettigheder; cookies er HttpOnly og SameSite, og Secure over HTTPS (med HSTS).",
    ),
    t(
        "Every form is protected against cross-site requests; a strict Content-Security-Policy forbids inline and third-party scripts.",
        "Alle formularer er beskyttet mod forespørgsler fra andre sites; en streng Content-Security-Policy forbyder indlejrede scripts og scripts fra tredjeparter.",
    ),
    t(
        "Login and password-reset attempts are limited per account and per IP address.",
        "Forsøg på login og nulstilling af adgangskode begrænses pr. konto og pr. IP-adresse.",
    ),
    t(
        "Files are served only to those allowed (the owner, the company applied to, or a signed, expiring link); the operator area is open to operators only.",
        "Filer udleveres kun til dem, der har ret til dem (ejeren, virksomheden der søges hos, eller et signeret link, der udløber); operatørområdet er kun åbent for operatører.",
    ),
    t(
        "Operators sign in with a second factor (a passkey or a code from an authenticator app), their sessions end after 30 minutes unused, and blocking, erasure on request and handing out someone's data ask for it again after 10 minutes; every operator action and every look at a person's data is written to a hash-chained audit log, which the person sees.",
        "Operatører logger ind med en anden faktor (en adgangsnøgle eller en kode fra en godkendelsesapp), deres sessioner udløber efter 30 minutter uden brug, og blokering, sletning efter anmodning og udlevering af en persons data kræver den igen efter 10 minutter; hver operatørhandling og hvert opslag i en persons data skrives i en hashkædet revisionslog, som personen kan se.",
    ),
    t(
        "Retention periods are enforced by the software, from the same rules this policy shows.",
        "Opbevaringsperioder håndhæves af softwaren, ud fra de samme regler, som denne politik viser.",
    ),
];
