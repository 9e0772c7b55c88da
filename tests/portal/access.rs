//! The authorisation matrix: who may use each route the router serves. `ACCESS` has one line
//! per method and path; `every_route_is_in_the_access_table` compares it with the routes read
//! from the source (`routes.rs`), so a new route fails the suite until it has its line. The
//! story then asks the running server, as six people with real sessions, for every line:
//!
//! - a visitor (no session: "anonymous"), Anna (a job seeker), Bo (another job seeker), Erik
//!   (employer of a verified company), Olga (employer of another, unverified company), and an
//!   operator;
//! - each request carries the session's CSRF token, so that it reaches the handler's own
//!   check; path parameters are real objects of the fixture (`Fixture::probe`): Anna's CV,
//!   application and alert, Erik's company's ad, a privacy request, a newsletter, a hold;
//! - someone the line does not admit must be refused: a visitor is sent to the login or gets
//!   401/403/404, a signed-in person gets 403/404 (never the page, a 2xx, a 4xx about the
//!   form, or a redirect onwards); someone it admits must not be (anything but a login
//!   redirect, 401, 403 or 404); a 5xx fails for anyone;
//! - for a `Token` line (a signed link or one-time token is the authority), every one of the
//!   six is refused with a forged link (4xx, or a redirect to a page saying the link is not
//!   valid), and the visitor who holds the genuine link (from the e-mail that carries it; the
//!   unsubscribe link from the signer those e-mails use) gets through;
//! - and each path's methods that the source does not register must answer 405, which shows
//!   that the scan read the router as the server serves it.
//!
//! Refusals are asked first, then the admitted GETs, then the admitted POSTs (which may change
//! things: the objects that a POST uses up, such as a deleted document, are spares of their
//! own). The fixture is made once per database: the matrix is one story, about 20 s on a loaded
//! two-core machine (most of it the fixture's e-mails and password hashes).

use std::collections::{BTreeMap, BTreeSet};

use jobboard::{accounts::store as accounts, domain::Role, i18n::Lang};
use reqwest::{StatusCode, header, multipart, redirect};

use crate::applications::{apply, pdf, upload_document};
use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::newsletter::csrf_token;
use crate::privacy_requests::file_request;
use crate::routes;
use crate::story;

use Access::*;

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Answered only to this machine (loopback): the tests run there, so everyone gets in.
    Local,
    /// Anyone signed in.
    SignedIn,
    /// Job seekers and employers: the people whose data it is. Operators' own accounts are
    /// managed from the command line.
    Subject,
    /// Job seekers, each for their own things.
    Seeker,
    /// Employers, each for their own company.
    Employer,
    /// Employers whose company an operator has verified.
    VerifiedEmployer,
    Operator,
    /// The job seeker whose object the path names; another seeker gets 403/404.
    OwnSeeker,
    /// An employer of the company whose object the path names; another company gets 403/404.
    /// Of a company's members, the admins and the recruiters who work on the object's ad.
    OwnCompany,
    /// Admins of their company, each for their own company (every employer here is one; the
    /// role matrix in `companies.rs` shows that recruiters are refused).
    Admin,
    /// An admin of the company whose object the path names.
    OwnCompanyAdmin,
    /// A signed link or one-time token decides, not the session.
    Token,
}

/// Every route the router serves and who may use it, by feature. A new route needs its line
/// here (and, if its path has parameters, its objects in `Fixture::probe`).
pub(crate) const ACCESS: &[(&str, &str, Access)] = &[
    // site
    ("GET", "/", Public),
    ("POST", "/language", Public),
    ("GET", "/assets/{file}", Public),
    ("GET", "/healthz", Public),
    ("GET", "/readyz", Public),
    ("GET", "/metrics", Local),
    // accounts
    ("GET", "/register", Public),
    ("POST", "/register", Public),
    ("GET", "/verify-email", Token),
    ("POST", "/verify-email", Token),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("POST", "/logout", Public),
    ("GET", "/login/second-factor", Public),
    ("POST", "/login/second-factor", Public),
    ("GET", "/login/second-factor/enrol", Public),
    ("POST", "/login/second-factor/enrol", Public),
    ("POST", "/login/second-factor/passkey", Public),
    ("POST", "/login/second-factor/enrol/passkey", Public),
    ("GET", "/operator/security", Operator),
    ("POST", "/operator/security/passkeys/{id}/remove", Operator),
    ("POST", "/operator/security/authenticator/remove", Operator),
    ("GET", "/operator/security/recovery-codes", Operator),
    ("POST", "/operator/security/recovery-codes", Operator),
    ("GET", "/password/forgot", Public),
    ("POST", "/password/forgot", Public),
    ("GET", "/password/reset", Token),
    ("POST", "/password/reset", Token),
    ("GET", "/account", SignedIn),
    ("GET", "/account/email", SignedIn),
    ("POST", "/account/email", SignedIn),
    ("GET", "/account/email/confirm", Token),
    ("POST", "/account/email/confirm", Token),
    ("GET", "/account/password", SignedIn),
    ("POST", "/account/password", SignedIn),
    // ads
    ("GET", "/jobs", Public),
    ("GET", "/jobs.atom", Public),
    ("GET", "/sitemap.xml", Public),
    ("GET", "/sitemaps/{file}", Public),
    ("GET", "/robots.txt", Public),
    ("GET", "/jobs/{id}", Public),
    ("GET", "/jobs/{id}/apply-link", Public),
    ("GET", "/employer/ads", Employer),
    ("GET", "/employer/ads/new", Employer),
    ("POST", "/employer/ads/new", Employer),
    ("GET", "/employer/ads/{id}", OwnCompany),
    ("GET", "/employer/ads/{id}/edit", OwnCompany),
    ("POST", "/employer/ads/{id}/edit", OwnCompany),
    ("POST", "/employer/ads/{id}/{action}", OwnCompany),
    ("GET", "/employer/ads/{id}/statistics.csv", OwnCompany),
    // companies
    ("GET", "/companies/{slug}", Public),
    ("GET", "/companies/{slug}/logo/{file}", Public),
    ("GET", "/employer/company", Admin),
    ("POST", "/employer/company", Admin),
    ("POST", "/employer/company/logo", Admin),
    ("POST", "/employer/company/logo/delete", Admin),
    ("GET", "/operator/moderation", Operator),
    ("GET", "/operator/moderation/{id}", Operator),
    ("POST", "/operator/moderation/{id}/approve", Operator),
    ("POST", "/operator/moderation/{id}/reject", Operator),
    ("GET", "/operator/companies", Operator),
    ("POST", "/operator/companies/{id}/trust", Operator),
    ("POST", "/operator/companies/{id}/verify", Operator),
    // operator console
    ("GET", "/operator", Operator),
    ("GET", "/operator/accounts", Operator),
    ("GET", "/operator/accounts/{id}", Operator),
    ("GET", "/operator/accounts/{id}/documents/{file}", Operator),
    ("GET", "/operator/applications/{id}", Operator),
    ("GET", "/operator/applications/{id}/files/{file}", Operator),
    // audit log
    ("GET", "/operator/audit", Operator),
    ("POST", "/operator/accounts/{id}/block", Operator),
    ("POST", "/operator/accounts/{id}/unblock", Operator),
    ("GET", "/operator/companies/{id}", Operator),
    ("POST", "/operator/companies/{id}/block", Operator),
    ("POST", "/operator/companies/{id}/unblock", Operator),
    // support
    ("GET", "/contact", Public),
    ("POST", "/contact", Public),
    ("GET", "/contact/confirm", Token),
    ("POST", "/contact/confirm", Token),
    ("GET", "/operator/support", Operator),
    ("GET", "/operator/support/{id}", Operator),
    ("POST", "/operator/support/{id}/reply", Operator),
    ("POST", "/operator/support/{id}/close", Operator),
    // billing
    ("GET", "/employer/billing", Admin),
    ("GET", "/employer/billing/details", Admin),
    ("POST", "/employer/billing/details", Admin),
    ("GET", "/employer/billing/checkout/{ad}", OwnCompany),
    ("POST", "/employer/billing/checkout/{ad}", OwnCompany),
    ("GET", "/employer/billing/packages", Admin),
    ("POST", "/employer/billing/packages", Admin),
    (
        "GET",
        "/employer/billing/documents/{id}/{format}",
        OwnCompanyAdmin,
    ),
    ("GET", "/operator/billing", Operator),
    ("GET", "/operator/billing/customers", Operator),
    ("GET", "/operator/billing/products", Operator),
    ("POST", "/operator/billing/products", Operator),
    ("GET", "/operator/billing/invoices/{id}", Operator),
    ("POST", "/operator/billing/invoices/{id}/payments", Operator),
    ("POST", "/operator/billing/invoices/{id}/credit", Operator),
    ("GET", "/operator/billing/bank", Operator),
    ("POST", "/operator/billing/bank", Operator),
    ("POST", "/operator/billing/bank/{id}/{resolution}", Operator),
    ("GET", "/operator/billing/export.csv", Operator),
    ("GET", "/operator/billing/documents/{id}/{format}", Operator),
    // profiles
    ("GET", "/profile", Seeker),
    ("POST", "/profile", Seeker),
    ("GET", "/saved", Seeker),
    ("GET", "/employer/candidates", Employer),
    ("GET", "/profile/photo", Seeker),
    ("POST", "/profile/photo", Seeker),
    ("POST", "/profile/photo/withdraw", Seeker),
    ("GET", "/employer/candidates/{id}/photo", VerifiedEmployer),
    ("POST", "/jobs/{id}/save", Seeker),
    ("POST", "/jobs/{id}/unsave", Seeker),
    // documents
    ("GET", "/documents", Seeker),
    ("POST", "/documents/upload", Seeker),
    ("GET", "/documents/{id}/download", OwnSeeker),
    ("POST", "/documents/{id}/rename", OwnSeeker),
    ("POST", "/documents/{id}/default", OwnSeeker),
    ("POST", "/documents/{id}/delete", OwnSeeker),
    // applications
    ("GET", "/jobs/{id}/apply", Seeker),
    ("POST", "/jobs/{id}/apply", Seeker),
    ("GET", "/applications", Seeker),
    ("GET", "/applications/{id}/withdraw", OwnSeeker),
    ("POST", "/applications/{id}/withdraw", OwnSeeker),
    ("GET", "/employer/applications", Employer),
    ("GET", "/employer/settings", Admin),
    ("POST", "/employer/settings", Admin),
    ("GET", "/employer/applications/{id}", OwnCompany),
    ("POST", "/employer/applications/{id}/status", OwnCompany),
    ("POST", "/employer/applications/{id}/notes", OwnCompany),
    ("GET", "/employer/applications/{id}/reject", OwnCompany),
    ("POST", "/employer/applications/{id}/reject", OwnCompany),
    (
        "GET",
        "/employer/applications/{id}/files/{file}",
        OwnCompany,
    ),
    ("GET", "/shared/applications/{id}/files/{file}", Token),
    // teams
    ("GET", "/employer/team", Admin),
    ("POST", "/employer/team/invitations", Admin),
    (
        "POST",
        "/employer/team/invitations/{id}/withdraw",
        OwnCompanyAdmin,
    ),
    ("POST", "/employer/team/members/{id}/role", OwnCompanyAdmin),
    (
        "POST",
        "/employer/team/members/{id}/remove",
        OwnCompanyAdmin,
    ),
    ("GET", "/employer/team/leave", Employer),
    ("POST", "/employer/team/leave", Employer),
    ("GET", "/employer/team/ads/{id}", OwnCompanyAdmin),
    ("POST", "/employer/team/ads/{id}", OwnCompanyAdmin),
    ("GET", "/join/{company}/{invitation}", Token),
    ("POST", "/join/{company}/{invitation}", Token),
    // privacy: policy pages and the record of processing
    ("GET", "/privacy", Public),
    ("GET", "/cookie-policy", Public),
    ("GET", "/operator/processing-record", Operator),
    // privacy centre
    ("GET", "/account/privacy", Subject),
    ("GET", "/account/privacy/export", Subject),
    ("GET", "/account/privacy/correct", Subject),
    ("POST", "/account/privacy/correct", Subject),
    ("POST", "/account/privacy/restrict", Subject),
    ("POST", "/account/privacy/object", Subject),
    ("POST", "/account/privacy/consents/photo/withdraw", Subject),
    (
        "POST",
        "/account/privacy/consents/visibility/withdraw",
        Subject,
    ),
    (
        "POST",
        "/account/privacy/consents/newsletter/withdraw",
        Subject,
    ),
    ("POST", "/account/privacy/sessions/end", Subject),
    ("GET", "/account/privacy/erase", Subject),
    ("POST", "/account/privacy/erase", Subject),
    // privacy requests without an account, and the operators' queue
    ("GET", "/privacy/request", Public),
    ("POST", "/privacy/request", Public),
    ("GET", "/privacy/request/verify", Public),
    ("POST", "/privacy/request/verify", Token),
    ("GET", "/privacy/request/{id}/export", Token),
    ("GET", "/operator/privacy-requests", Operator),
    ("GET", "/operator/privacy-requests/{id}", Operator),
    ("POST", "/operator/privacy-requests/{id}/extend", Operator),
    ("POST", "/operator/privacy-requests/{id}/answer", Operator),
    // cookie consent
    ("POST", "/cookies", Public),
    ("GET", "/cookies/settings", Public),
    ("GET", "/cookies/receipt", Public),
    ("GET", "/cookies/receipt.json", Public),
    // statistics
    ("GET", "/operator/statistics", Operator),
    // newsletter
    ("GET", "/newsletter", Public),
    ("POST", "/newsletter", Public),
    ("GET", "/newsletter/confirm", Token),
    ("POST", "/newsletter/confirm", Token),
    ("GET", "/newsletter/confirmed", Public),
    ("GET", "/unsubscribe", Token),
    ("POST", "/unsubscribe", Token),
    ("GET", "/operator/newsletter", Operator),
    ("POST", "/operator/newsletter", Operator),
    ("GET", "/operator/newsletter/{id}", Operator),
    ("POST", "/operator/newsletter/{id}", Operator),
    ("POST", "/operator/newsletter/{id}/send", Operator),
    // alerts
    ("GET", "/alerts", Seeker),
    ("POST", "/alerts", Seeker),
    ("POST", "/alerts/{id}/frequency", OwnSeeker),
    ("POST", "/alerts/{id}/pause", OwnSeeker),
    ("POST", "/alerts/{id}/resume", OwnSeeker),
    ("POST", "/alerts/{id}/delete", OwnSeeker),
    // retention
    ("GET", "/operator/retention", Operator),
    ("GET", "/operator/retention/holds", Operator),
    ("POST", "/operator/retention/holds", Operator),
    ("POST", "/operator/retention/holds/{id}/lift", Operator),
    // public API
    ("GET", "/api/v1/search", Public),
    ("GET", "/api/v1/ads/{id}", Public),
    ("GET", "/api/v1/stream", Public),
    ("GET", "/api/v1/typeahead", Public),
    ("GET", "/api/v1/openapi.json", Public),
    // the local mailbox (embedded mode without SMTP)
    ("GET", "/mailbox", Local),
    ("GET", "/mailbox/{file}", Local),
];

/// The routes of the source that the table misses, and the table's lines that no route has.
pub(crate) fn table_mismatches() -> Vec<String> {
    let source = routes::in_source();
    let served: BTreeSet<(&str, &str)> = source
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    let mut problems = Vec::new();
    for route in &source {
        if !ACCESS
            .iter()
            .any(|(m, p, _)| *m == route.method && *p == route.path)
        {
            problems.push(format!(
                "add {} {} (registered in {}) to the access table in tests/portal/access.rs",
                route.method, route.path, route.file
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for (method, path, _) in ACCESS {
        if !seen.insert((method, path)) {
            problems.push(format!(
                "{method} {path} is in the access table in tests/portal/access.rs twice"
            ));
        }
        if !served.contains(&(*method, *path)) {
            problems.push(format!(
                "the access table in tests/portal/access.rs lists {method} {path}, which no \
                 route in src/ serves: remove the line or fix the path"
            ));
        }
    }
    problems
}

#[test]
fn every_route_is_in_the_access_table() {
    let problems = table_mismatches();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The people

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Person {
    Visitor,
    Anna,
    Bo,
    Erik,
    Olga,
    Ops,
    /// A recruiter of Erik's company (the role matrix in `companies.rs` adds her).
    Rita,
    /// A former member of Erik's company (ditto).
    Rex,
}

const PEOPLE: [Person; 6] = [
    Person::Visitor,
    Person::Anna,
    Person::Bo,
    Person::Erik,
    Person::Olga,
    Person::Ops,
];

impl Person {
    fn email(self) -> Option<&'static str> {
        match self {
            Person::Visitor => None,
            Person::Anna => Some("anna@access.example.com"),
            Person::Bo => Some("bo@access.example.com"),
            Person::Erik => Some("erik@nordlys.example.com"),
            Person::Olga => Some("olga@fjord.example.com"),
            Person::Ops => Some("ops@access.example.com"),
            Person::Rita => Some("rita@nordlys.example.com"),
            Person::Rex => Some("rex@nordlys.example.com"),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Person::Visitor => "a visitor (not signed in)",
            Person::Anna => "Anna (the job seeker whose objects they are)",
            Person::Bo => "Bo (another job seeker)",
            Person::Erik => "Erik (employer of the verified company whose objects they are)",
            Person::Olga => "Olga (employer of another, unverified company)",
            Person::Ops => "an operator",
            Person::Rita => "Rita (recruiter of Erik's company)",
            Person::Rex => "Rex (removed from Erik's company)",
        }
    }
}

impl Access {
    fn admits(self, who: Person) -> bool {
        use Person::*;
        match self {
            Public | Local => true,
            SignedIn => who != Visitor,
            Subject => matches!(who, Anna | Bo | Erik | Olga),
            Access::Seeker => matches!(who, Anna | Bo),
            Access::Employer | Admin => matches!(who, Erik | Olga),
            VerifiedEmployer | OwnCompany | OwnCompanyAdmin => who == Erik,
            Access::Operator => who == Ops,
            OwnSeeker => who == Anna,
            // The link decides: see `Fixture::genuine`.
            Token => false,
        }
    }
}

/// One person's browser: its cookies, and the CSRF token its forms carry. It does not follow
/// redirects, so that a login redirect shows as one.
pub(crate) struct Browser {
    who: Person,
    client: reqwest::Client,
    csrf: String,
}

impl Browser {
    pub(crate) async fn open(app: &TestApp, who: Person) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(redirect::Policy::none())
            .build()
            .expect("client");
        let mut browser = Browser {
            who,
            client,
            csrf: String::new(),
        };
        browser.sign_in(app).await;
        browser
    }

    /// Logs in (if the person has an account) and reads the session's CSRF token.
    pub(crate) async fn sign_in(&mut self, app: &TestApp) {
        let login = Page::from(self.client.get(app.url("/login")).send().await.unwrap()).await;
        let Some(email) = self.who.email() else {
            self.csrf = csrf_token(&login);
            return;
        };
        let response = login
            .form("Log in")
            .fill("E-mail address", email)
            .fill("Password", PASSWORD)
            .submit_raw(&self.client)
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} logs in");
        // An operator's password leads to the second factor.
        let location = response.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        if location.starts_with("/login/second-factor") {
            let step = Page::from(self.client.get(app.url(&location)).send().await.unwrap()).await;
            pass_second_factor(&self.client, &app.base, email, step).await;
        }
        let account = Page::from(self.client.get(app.url("/account")).send().await.unwrap()).await;
        assert_eq!(account.status, StatusCode::OK, "{email} is signed in");
        self.csrf = csrf_token(&account);
    }

    pub(crate) async fn ask(&self, app: &TestApp, method: &str, probe: &Probe) -> Answer {
        let url = app.url(&probe.path);
        let request = match method {
            "GET" => self.client.get(url),
            "POST" => {
                let request = self.client.post(url).header("x-csrf-token", &self.csrf);
                match &probe.body {
                    Body::Form(fields) => {
                        let mut fields = fields.clone();
                        fields.push(("csrf".into(), self.csrf.clone()));
                        request.form(&fields)
                    }
                    Body::Multipart => {
                        request.multipart(multipart::Form::new().text("csrf", self.csrf.clone()))
                    }
                }
            }
            other => panic!("the matrix asks GET and POST only, not {other}"),
        };
        let response = request.send().await.expect("request");
        Answer {
            status: response.status(),
            location: response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }
    }

    /// Follows redirects to the page at the end and reads its text.
    async fn landing_text(&self, app: &TestApp, mut answer: Answer) -> String {
        for _ in 0..5 {
            let Some(location) = answer
                .location
                .take()
                .filter(|_| answer.status.is_redirection())
            else {
                break;
            };
            let response = self.client.get(app.url(&location)).send().await.unwrap();
            answer.status = response.status();
            answer.location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if !answer.status.is_redirection() {
                return Page::from(response).await.text();
            }
        }
        String::new()
    }
}

/// A request to make for a route: the path with its parameters filled in, and what to post.
#[derive(Clone, Debug)]
pub(crate) struct Probe {
    path: String,
    body: Body,
}

#[derive(Clone, Debug)]
enum Body {
    Form(Vec<(String, String)>),
    /// An empty multipart form (uploads): the handler reads it part by part.
    Multipart,
}

impl Probe {
    pub(crate) fn at(path: impl Into<String>) -> Probe {
        Probe {
            path: path.into(),
            body: Body::Form(Vec::new()),
        }
    }

    pub(crate) fn with(mut self, fields: &[(&str, &str)]) -> Probe {
        self.body = Body::Form(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        self
    }

    fn multipart(mut self) -> Probe {
        self.body = Body::Multipart;
        self
    }

    /// The same request with its token or signature (in the query or the form) replaced.
    fn forged(&self) -> Probe {
        let secret = |k: &str| k == "token" || k == "sig";
        let mut forged_any = false;
        let mut forge = |fields: Vec<(String, String)>| -> Vec<(String, String)> {
            fields
                .into_iter()
                .map(|(k, v)| {
                    if secret(&k) {
                        forged_any = true;
                        (k, "forged".to_string())
                    } else {
                        (k, v)
                    }
                })
                .collect()
        };
        let (path, query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        let query: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let query = forge(query);
        let body = match &self.body {
            Body::Form(fields) => Body::Form(forge(fields.clone())),
            Body::Multipart => Body::Multipart,
        };
        assert!(
            forged_any,
            "the genuine request for {} carries no `token` or `sig` to forge",
            self.path
        );
        let query = serde_urlencoded::to_string(&query).unwrap();
        Probe {
            path: if query.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{query}")
            },
            body,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    location: Option<String>,
}

impl Answer {
    pub(crate) fn to_login(&self) -> bool {
        self.status.is_redirection()
            && self
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login"))
    }

    pub(crate) fn refused(&self) -> bool {
        matches!(
            self.status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        )
    }

    pub(crate) fn describe(&self) -> String {
        match &self.location {
            Some(to) => format!("{} to {to}", self.status),
            None => self.status.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The fixture: one of everything the paths name, made once

pub(crate) struct Fixture {
    anna: i64,
    pub(crate) erik: i64,
    /// An invitation of Erik's company, to withdraw.
    spare_invitation: i64,
    pub(crate) company: i64,
    pub(crate) ad: i64,
    in_review: i64,
    in_review_too: i64,
    cv: i64,
    spare_document: i64,
    application: i64,
    application_file: i64,
    alert: i64,
    spare_alert: i64,
    privacy_request: i64,
    issue: i64,
    spare_issue: i64,
    hold: i64,
    /// An account and a company to block and unblock (not one of the six people's).
    spare_account: i64,
    spare_company: i64,
    inquiry: i64,
    /// An invoice to Erik's company (its id and its number), and a bank line to review.
    invoice: i64,
    invoice_number: i64,
    bank_line: i64,
    mail_file: String,
    /// Erik's company's logo, as its public page links to it.
    logo: String,
    /// A passkey of the operator, to remove.
    passkey: i64,
    /// The genuine link of each `Token` route, as its holder received it.
    genuine: BTreeMap<(&'static str, &'static str), Probe>,
}

const CONTACT: &str = "kirsten@kontakt.example.com";
const NEW_PASSWORD: &str = "another horse battery staple";

/// A passkey for the operator: one a virtual authenticator made for `http://localhost` in the
/// passkey story, as the WebAuthn library stores it (a public key and a counter, nothing
/// secret), so that the operator's pages and the removal have a real one to work with.
async fn operator_passkey(app: &TestApp, operator: i64) -> i64 {
    let mut tx = app.state.db.begin().await.unwrap();
    let id = jobboard::db_run!(tx &mut tx, |c| sqlx::query_scalar(
        "INSERT INTO operator_passkeys (user_id, credential_id, name, passkey, created_at) \
         VALUES ($1, $2, 'Recorded key', $3, $4) RETURNING id"
    )
    .bind(operator)
    .bind(RECORDED_CREDENTIAL)
    .bind(RECORDED_PASSKEY)
    .bind(jobboard::db::now())
    .fetch_one(&mut *c)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
    id
}

const RECORDED_CREDENTIAL: &str = "6IsSFA0qDbNGD7L-WsQe_ZbcLI3nq3EUK4s2HtBjz5k";
const RECORDED_PASSKEY: &str = r#"{"cred":{"cred_id":"6IsSFA0qDbNGD7L-WsQe_ZbcLI3nq3EUK4s2HtBjz5k","cred":{"type_":"ES256","key":{"EC_EC2":{"curve":"SECP256R1","x":"9WDErQu9NCU9fmg3cV9eftX3tP_-8d4szcfb9sg6n90","y":"FDN_5oc8e6DzrGieupA-o33G-XnjoN0YcJumOiBX4XY"}}},"counter":1,"transports":null,"user_verified":true,"backup_eligible":false,"backup_state":false,"registration_policy":"required","extensions":{"cred_protect":"Ignored","hmac_create_secret":"NotRequested","appid":"NotRequested","cred_props":{"Unsigned":{"rk":null}}},"attestation":{"data":"None","metadata":"None"},"attestation_format":"none"}}"#;

/// An account with `PASSWORD`, already hashed (once: hashing is slow on purpose).
async fn account(app: &TestApp, password_hash: &str, email: &str, role: Role) -> i64 {
    let mut tx = app.state.db.begin().await.unwrap();
    let id = accounts::insert_user(
        &mut tx,
        &accounts::NewUser {
            email,
            password_hash,
            name: email.split('@').next().unwrap(),
            role,
            lang: "en",
            verified: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn company(app: &TestApp, name: &str, cvr: &str, member: i64) -> i64 {
    let mut tx = app.state.db.begin().await.unwrap();
    let id = accounts::insert_company(&mut tx, name, cvr, member)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// An order by Erik's company (so an invoice with its PDF), and a bank line to review.
async fn billing_objects(app: &TestApp, company: i64) -> (i64, i64, i64) {
    use jobboard::billing::{self, store};
    let state = &app.state;
    let product = store::save_product(
        &state.db,
        None,
        &store::ProductInput {
            code: "access-standard".into(),
            kind: "listing".into(),
            name_en: "Standard ad".into(),
            name_da: "Standardannonce".into(),
            price_ore: 150_000,
            vat_rate_bp: 2500,
            listing_days: 30,
            active: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let product = store::product(&state.db, product).await.unwrap().unwrap();
    let buyer = billing::buyer(state, company, "Erik", "erik@nordlys.example.com")
        .await
        .unwrap();
    let today = jobboard::calendar::today();
    let mut tx = state.db.begin().await.unwrap();
    let placed = billing::place_order(
        state,
        &mut tx,
        &store::NewOrder {
            company_id: company,
            ordered_by: None,
            product: &product,
            description: "Standardannonce".into(),
            ad_id: None,
            from_package: false,
            today,
        },
        &buyer,
        Lang::Da,
    )
    .await
    .unwrap();
    let line = store::UnbookedLine {
        line_no: 1,
        paid_on: today,
        amount: jobboard::billing::domain::Money(10_000),
        reference: "Unknown payer",
        invoice_id: None,
        problem: "unknown_reference",
    };
    store::add_review_line(&mut tx, "access", line)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let invoice = placed.invoice.expect("an invoice");
    let bank_line = store::open_review_lines(&state.db).await.unwrap()[0].id;
    (invoice.id, invoice.number, bank_line)
}

async fn number(app: &TestApp, sql: &'static str, bind: i64) -> i64 {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(p)
        .await)
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A small JPEG, for the profile photos.
fn jpeg() -> Vec<u8> {
    use image::ImageEncoder;
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(&[90u8; 8 * 8 * 3], 8, 8, image::ExtendedColorType::Rgb8)
        .unwrap();
    jpeg
}

/// Uploads a profile photo with consent, as the person signed in on `app`.
async fn upload_photo(app: &TestApp) {
    let action = app.get("/profile").await.upload_action();
    let form = multipart::Form::new()
        .text("consent", "yes")
        .part("photo", multipart::Part::bytes(jpeg()).file_name("me.jpg"));
    let response = app
        .client
        .post(app.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let page = Page::from(response).await;
    assert!(page.contains("Your photo is saved."), "{}", page.text());
}

impl Fixture {
    pub(crate) async fn make(app: &TestApp) -> Fixture {
        let email = |who: Person| who.email().unwrap();
        let hash = app.state.hasher.hash(PASSWORD).await.unwrap();
        let anna = account(app, &hash, email(Person::Anna), Role::Seeker).await;
        let bo = account(app, &hash, email(Person::Bo), Role::Seeker).await;
        let erik = account(app, &hash, email(Person::Erik), Role::Employer).await;
        let olga = account(app, &hash, email(Person::Olga), Role::Employer).await;
        let ops =
            jobboard::accounts::cli::create_operator(&app.state.db, email(Person::Ops), PASSWORD)
                .await
                .unwrap();
        let company_id = company(app, "Nordlys ApS", "24256790", erik).await;
        let logo = crate::company_pages::give_logo(app, company_id).await;
        let spare_owner = account(app, &hash, "fred@blocked.example.com", Role::Employer).await;
        let spare_company = company(app, "Blokeret ApS", "32345670", spare_owner).await;
        company(app, "Fjord ApS", "31245672", olga).await;
        assert!(
            jobboard::ads::store::set_verified(&app.state.db, company_id, Some(ops))
                .await
                .unwrap()
        );
        let nordlys = fixtures::Company {
            id: company_id,
            user: erik,
            operator: ops,
        };
        let ad = fixtures::published(
            app,
            &nordlys,
            content("Backend developer", "Vi søger en backend-udvikler.", "751"),
        )
        .await;
        let mut in_review = Vec::new();
        for title in ["Frontend developer", "Data engineer"] {
            let draft = content(title, "Vi søger en udvikler til teamet.", "751");
            let id = jobboard::ads::lifecycle::create_draft(&app.state, company_id, erik, &draft)
                .await
                .unwrap();
            jobboard::ads::lifecycle::submit(&app.state, Lang::En.tr(), id, company_id)
                .await
                .unwrap();
            in_review.push(id);
        }

        // Anna's documents, application, photo, visible profile and alerts.
        app.login(email(Person::Anna), PASSWORD).await;
        upload_document(app, "cv", "Anna CV.pdf", pdf("Anna's CV")).await;
        upload_document(app, "attachment", "Diploma.pdf", pdf("Diploma")).await;
        let page = apply(app, ad, "I would love to build your Rust services.").await;
        assert!(
            page.contains("Your application has been sent."),
            "{}",
            page.text()
        );
        upload_photo(app).await;
        app.get("/profile")
            .await
            .form("Save profile")
            .fill("Let verified employers find my profile", "yes")
            .submit(app)
            .await;
        app.logout().await;
        let mut alerts = Vec::new();
        for query in ["q=rust", "q=python"] {
            let mut tx = app.state.db.begin().await.unwrap();
            let id = jobboard::alerts::store::insert(
                &mut tx,
                anna,
                query,
                jobboard::alerts::store::Frequency::Daily,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            alerts.push(id);
        }
        // Bo's own photo, so that "my photo" is there for him too.
        app.login(email(Person::Bo), PASSWORD).await;
        upload_photo(app).await;
        app.logout().await;

        let cv = number(
            app,
            "SELECT id FROM files WHERE owner_id = $1 AND kind = 'cv'",
            anna,
        )
        .await;
        let spare_document = number(
            app,
            "SELECT id FROM files WHERE owner_id = $1 AND kind = 'attachment'",
            anna,
        )
        .await;
        let application = number(
            app,
            "SELECT id FROM applications WHERE seeker_id = $1",
            anna,
        )
        .await;
        let application_file = number(
            app,
            "SELECT file_id FROM application_files WHERE application_id = $1",
            application,
        )
        .await;

        let mut genuine = BTreeMap::new();
        // The company's contact person receives signed links to the application's files.
        let shared = app
            .mail(CONTACT, "Ny ansøgning")
            .await
            .link("/shared/applications/");
        genuine.insert(
            ("GET", "/shared/applications/{id}/files/{file}"),
            Probe::at(shared),
        );

        // A request to verify, one to work on, and an answered one with its export link.
        let page = app
            .get("/privacy/request")
            .await
            .form("Send request")
            .fill("E-mail address", "unverified@access.example.com")
            .submit(app)
            .await;
        assert_eq!(page.heading(), "Check your e-mail", "{}", page.text());
        let verify = app
            .mail(
                "unverified@access.example.com",
                "Confirm your privacy request",
            )
            .await
            .link("/privacy/request/verify");
        let token = verify.split("token=").nth(1).unwrap().to_string();
        genuine.insert(
            ("POST", "/privacy/request/verify"),
            Probe::at("/privacy/request/verify").with(&[("token", &token)]),
        );
        let privacy_request = file_request(
            app,
            "open@access.example.com",
            "access",
            "What do you hold about me?",
        )
        .await;
        let answered = file_request(
            app,
            "answered@access.example.com",
            "access",
            "Please send me everything.",
        )
        .await;
        app.login(email(Person::Ops), PASSWORD).await;
        // Beside the app the harness just set up, so that its sign-ins still use a code.
        let passkey = operator_passkey(app, ops).await;
        let page = app
            .get(&format!("/operator/privacy-requests/{answered}"))
            .await
            .form("Send the answer")
            .fill("Answer to the person", "Here is all we hold about you.")
            .submit(app)
            .await;
        assert!(page.contains("The answer is sent."), "{}", page.text());
        let export = app
            .mail(
                "answered@access.example.com",
                &format!("Answer to your privacy request (no. {answered})"),
            )
            .await
            .link("/privacy/request/");
        genuine.insert(("GET", "/privacy/request/{id}/export"), Probe::at(export));

        // A legal hold, and two newsletters (one to send).
        let page = app
            .get("/operator/retention/holds")
            .await
            .form("Place the hold")
            .fill("What to hold", "person")
            .fill("Its number", &bo.to_string())
            .fill("Reason", "Dispute over the hiring decision, case 2026-17")
            .submit(app)
            .await;
        assert!(page.contains("The hold is placed."), "{}", page.text());
        let hold = number(app, "SELECT id FROM legal_holds WHERE subject_id = $1", bo).await;
        let mut issues = Vec::new();
        for subject in ["News in May", "News in June"] {
            let preview = app
                .get("/operator/newsletter")
                .await
                .form("Save and preview")
                .fill("Subject", subject)
                .fill("Text", "What is new on the portal.")
                .submit(app)
                .await;
            let id: i64 = preview
                .path()
                .rsplit('/')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("a newsletter's preview, not {}", preview.url));
            issues.push(id);
        }
        app.logout().await;

        // Links sent to people who are not signed in.
        for reader in ["reader@access.example.com", "leaver@access.example.com"] {
            app.get("/newsletter")
                .await
                .form("Subscribe")
                .fill("E-mail address", reader)
                .submit(app)
                .await;
        }
        let confirm = app
            .mail(
                "reader@access.example.com",
                "Confirm your newsletter subscription",
            )
            .await
            .link("/newsletter/confirm");
        genuine.insert(("GET", "/newsletter/confirm"), Probe::at(&confirm));
        genuine.insert(("POST", "/newsletter/confirm"), Probe::at(&confirm));
        let leaver: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT id FROM newsletter_subscribers WHERE email = $1"
        )
        .bind("leaver@access.example.com")
        .fetch_one(p)
        .await)
        .unwrap();
        let unsubscribe = jobboard::marketing::links::unsubscribe_link(
            &app.state,
            jobboard::marketing::links::List::Newsletter,
            leaver,
        );
        let unsubscribe = unsubscribe.trim_start_matches(&app.base).to_string();
        genuine.insert(("GET", "/unsubscribe"), Probe::at(&unsubscribe));
        genuine.insert(("POST", "/unsubscribe"), Probe::at(&unsubscribe));

        // Someone registers and verifies; Dora resets her password; Eva changes her address.
        app.get("/register")
            .await
            .form("Create account")
            .fill("Your name", "Carl")
            .fill("E-mail address", "carl@access.example.com")
            .fill("New password", PASSWORD)
            .submit(app)
            .await;
        let verify = app
            .mail("carl@access.example.com", "Verify your e-mail address")
            .await
            .link("/verify-email");
        let token = verify.split("token=").nth(1).unwrap().to_string();
        genuine.insert(("GET", "/verify-email"), Probe::at(&verify));
        genuine.insert(
            ("POST", "/verify-email"),
            Probe::at("/verify-email").with(&[("token", &token)]),
        );
        account(app, &hash, "dora@access.example.com", Role::Seeker).await;
        app.get("/password/forgot")
            .await
            .form("Send me a link")
            .fill("E-mail address", "dora@access.example.com")
            .submit(app)
            .await;
        let reset = app
            .mail("dora@access.example.com", "Choose a new password")
            .await
            .link("/password/reset");
        let token = reset.split("token=").nth(1).unwrap().to_string();
        genuine.insert(("GET", "/password/reset"), Probe::at(&reset));
        genuine.insert(
            ("POST", "/password/reset"),
            Probe::at("/password/reset").with(&[
                ("token", &token),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ]),
        );
        account(app, &hash, "eva@access.example.com", Role::Seeker).await;
        app.login("eva@access.example.com", PASSWORD).await;
        app.get("/account/email")
            .await
            .form("Send confirmation link")
            .fill("New e-mail address", "eva.new@access.example.com")
            .fill("Current password", PASSWORD)
            .submit(app)
            .await;
        app.logout().await;
        let change = app
            .mail(
                "eva.new@access.example.com",
                "Confirm your new e-mail address",
            )
            .await
            .link("/account/email/confirm");
        let token = change.split("token=").nth(1).unwrap().to_string();
        genuine.insert(("GET", "/account/email/confirm"), Probe::at(&change));
        genuine.insert(
            ("POST", "/account/email/confirm"),
            Probe::at("/account/email/confirm").with(&[("token", &token)]),
        );

        // A message to support to answer, and one whose sender has yet to confirm it.
        let mut tx = app.state.db.begin().await.unwrap();
        let inquiry = jobboard::support::store::insert(
            &mut tx,
            &jobboard::support::store::NewInquiry {
                email: "asker@access.example.com",
                name: "Asker",
                user_id: None,
                topic: "other",
                subject: "A question",
                message: "Can you help?",
                lang: "en",
                masked_ip: "127.0.0.0/24",
                token_hash: None,
                verify_by: jobboard::db::now(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let page = app
            .get("/contact")
            .await
            .form("Send message")
            .fill("Your name", "Writer")
            .fill("E-mail address", "writer@access.example.com")
            .fill("Topic", "other")
            .fill("Subject", "Hello")
            .fill("Your message", "Hello there.")
            .submit(app)
            .await;
        assert_eq!(page.heading(), "Check your e-mail", "{}", page.text());
        let confirm = app
            .mail(
                "writer@access.example.com",
                "Confirm your message to jobboard",
            )
            .await
            .link("/contact/confirm");
        let token = confirm.split("token=").nth(1).unwrap().to_string();
        genuine.insert(("GET", "/contact/confirm"), Probe::at(&confirm));
        genuine.insert(
            ("POST", "/contact/confirm"),
            Probe::at("/contact/confirm").with(&[("token", &token)]),
        );

        // An invoice to Erik's company, and a bank line nobody could match.
        let (invoice, invoice_number, bank_line) = billing_objects(app, company_id).await;

        // Erik invites two colleagues: one takes the link, the other's invitation is withdrawn.
        app.login(email(Person::Erik), PASSWORD).await;
        let mut invitations = Vec::new();
        for colleague in ["ivy@nordlys.example.com", "spare@nordlys.example.com"] {
            let page = app
                .get("/employer/team")
                .await
                .form("Send invitation")
                .fill("Colleague's e-mail address", colleague)
                .fill("Role", "recruiter")
                .submit(app)
                .await;
            assert!(
                page.contains("The invitation is on its way"),
                "{}",
                page.text()
            );
            let link = app
                .mail(colleague, "Invitation to join Nordlys ApS")
                .await
                .link("/join/");
            invitations.push(link);
        }
        app.logout().await;
        genuine.insert(
            ("GET", "/join/{company}/{invitation}"),
            Probe::at(&invitations[0]),
        );
        genuine.insert(
            ("POST", "/join/{company}/{invitation}"),
            Probe::at(&invitations[0]).with(&[("name", "Ivy"), ("password", PASSWORD)]),
        );
        let spare_invitation: i64 = invitations[1]
            .split('?')
            .next()
            .and_then(|path| path.rsplit('/').next())
            .and_then(|id| id.parse().ok())
            .expect("an invitation number in the link");

        let mail_file = std::fs::read_dir(app.mail_dir())
            .expect("the mail folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|name| name.ends_with(".eml"))
            .expect("an e-mail in the mailbox");

        Fixture {
            anna,
            erik,
            spare_invitation,
            company: company_id,
            ad,
            in_review: in_review[0],
            in_review_too: in_review[1],
            cv,
            spare_document,
            application,
            application_file,
            alert: alerts[0],
            spare_alert: alerts[1],
            privacy_request,
            issue: issues[0],
            spare_issue: issues[1],
            hold,
            spare_account: spare_owner,
            spare_company,
            inquiry,
            invoice,
            invoice_number,
            bank_line,
            mail_file,
            logo,
            passkey,
            genuine,
        }
    }

    /// The request that exercises `method route`: its parameters filled with the fixture's
    /// objects (Anna's, Erik's company's), a spare where the admitted request uses it up, and
    /// the fields a handler reads before it looks at who is asking.
    pub(crate) fn probe(&self, method: &str, route: &str) -> Probe {
        let ad = self.ad;
        let application = self.application;
        let probe = match (method, route) {
            (_, "/assets/{file}") => Probe::at(jobboard::web::assets::url("style.css")),
            (_, "/sitemaps/{file}") => Probe::at("/sitemaps/1.xml"),
            ("POST", "/operator/security/passkeys/{id}/remove") => {
                Probe::at(route.replace("{id}", &self.passkey.to_string()))
            }
            (_, "/mailbox/{file}") => Probe::at(format!("/mailbox/{}", self.mail_file)),
            (_, "/jobs/{id}" | "/api/v1/ads/{id}") => {
                Probe::at(route.replace("{id}", &ad.to_string()))
            }
            ("POST", "/jobs/{id}/save" | "/jobs/{id}/unsave") => {
                Probe::at(route.replace("{id}", &ad.to_string()))
            }
            ("GET", "/jobs/{id}/apply") => Probe::at(format!("/jobs/{ad}/apply")),
            ("POST", "/jobs/{id}/apply") => Probe::at(format!("/jobs/{ad}/apply")).multipart(),
            ("POST", "/documents/upload" | "/profile/photo") => Probe::at(route).multipart(),
            (
                _,
                "/documents/{id}/download" | "/documents/{id}/rename" | "/documents/{id}/default",
            ) => Probe::at(route.replace("{id}", &self.cv.to_string())),
            ("POST", "/documents/{id}/delete") => {
                Probe::at(format!("/documents/{}/delete", self.spare_document))
            }
            (_, "/applications/{id}/withdraw") => {
                Probe::at(format!("/applications/{application}/withdraw"))
            }
            ("POST", "/alerts/{id}/frequency") => {
                Probe::at(format!("/alerts/{}/frequency", self.alert))
                    .with(&[("frequency", "weekly")])
            }
            ("POST", "/alerts/{id}/pause" | "/alerts/{id}/resume") => {
                Probe::at(route.replace("{id}", &self.alert.to_string()))
            }
            ("POST", "/alerts/{id}/delete") => {
                Probe::at(format!("/alerts/{}/delete", self.spare_alert))
            }
            (_, "/employer/ads/{id}" | "/employer/ads/{id}/edit") => {
                Probe::at(route.replace("{id}", &ad.to_string()))
            }
            ("GET", "/employer/ads/{id}/statistics.csv") | ("GET", "/jobs/{id}/apply-link") => {
                Probe::at(route.replace("{id}", &ad.to_string()))
            }
            ("GET", "/companies/{slug}") => Probe::at("/companies/nordlys-aps"),
            ("GET", "/companies/{slug}/logo/{file}") => Probe::at(&self.logo),
            ("POST", "/employer/company/logo") => Probe::at(route).multipart(),
            ("POST", "/employer/ads/{id}/{action}") => {
                Probe::at(format!("/employer/ads/{ad}/duplicate"))
            }
            ("POST", "/employer/applications/{id}/status") => {
                Probe::at(format!("/employer/applications/{application}/status"))
                    .with(&[("status", "reviewed")])
            }
            (
                _,
                "/employer/applications/{id}"
                | "/employer/applications/{id}/notes"
                | "/employer/applications/{id}/reject",
            ) => Probe::at(route.replace("{id}", &application.to_string())),
            ("GET", "/employer/applications/{id}/files/{file}") => Probe::at(format!(
                "/employer/applications/{application}/files/{}",
                self.application_file
            )),
            ("GET", "/employer/candidates/{id}/photo") => {
                Probe::at(format!("/employer/candidates/{}/photo", self.anna))
            }
            ("GET", "/operator/moderation/{id}")
            | ("POST", "/operator/moderation/{id}/approve") => {
                Probe::at(route.replace("{id}", &self.in_review.to_string()))
            }
            ("POST", "/operator/moderation/{id}/reject") => Probe::at(format!(
                "/operator/moderation/{}/reject",
                self.in_review_too
            )),
            ("POST", "/operator/companies/{id}/trust") => {
                Probe::at(format!("/operator/companies/{}/trust", self.company))
                    .with(&[("trusted", "false")])
            }
            ("POST", "/operator/companies/{id}/verify") => {
                Probe::at(format!("/operator/companies/{}/verify", self.company))
                    .with(&[("verified", "true")])
            }
            (_, "/operator/privacy-requests/{id}")
            | (
                "POST",
                "/operator/privacy-requests/{id}/extend" | "/operator/privacy-requests/{id}/answer",
            ) => Probe::at(route.replace("{id}", &self.privacy_request.to_string())),
            (_, "/operator/newsletter/{id}") => {
                Probe::at(format!("/operator/newsletter/{}", self.issue))
            }
            ("POST", "/operator/newsletter/{id}/send") => {
                Probe::at(format!("/operator/newsletter/{}/send", self.spare_issue))
            }
            ("GET", "/operator/accounts/{id}") => {
                Probe::at(format!("/operator/accounts/{}", self.anna))
            }
            ("GET", "/operator/accounts/{id}/documents/{file}") => Probe::at(format!(
                "/operator/accounts/{}/documents/{}",
                self.anna, self.cv
            )),
            ("GET", "/operator/applications/{id}") => {
                Probe::at(format!("/operator/applications/{application}"))
            }
            ("GET", "/operator/applications/{id}/files/{file}") => Probe::at(format!(
                "/operator/applications/{application}/files/{}",
                self.application_file
            )),
            ("POST", "/operator/accounts/{id}/block" | "/operator/accounts/{id}/unblock") => {
                Probe::at(route.replace("{id}", &self.spare_account.to_string())).with(&[
                    (
                        "reason",
                        if route.ends_with("/block") {
                            "spam"
                        } else {
                            "mistake"
                        },
                    ),
                    ("note", "Checked by the access matrix."),
                ])
            }
            ("GET", "/operator/companies/{id}") => {
                Probe::at(format!("/operator/companies/{}", self.company))
            }
            ("POST", "/operator/companies/{id}/block" | "/operator/companies/{id}/unblock") => {
                Probe::at(route.replace("{id}", &self.spare_company.to_string())).with(&[
                    (
                        "reason",
                        if route.ends_with("/block") {
                            "fraud"
                        } else {
                            "resolved"
                        },
                    ),
                    ("note", "Checked by the access matrix."),
                ])
            }
            ("GET", "/operator/support/{id}") | ("POST", "/operator/support/{id}/close") => {
                Probe::at(route.replace("{id}", &self.inquiry.to_string()))
            }
            ("POST", "/operator/support/{id}/reply") => {
                Probe::at(format!("/operator/support/{}/reply", self.inquiry))
                    .with(&[("reply", "Here is the answer.")])
            }
            (_, "/employer/billing/checkout/{ad}") => {
                Probe::at(format!("/employer/billing/checkout/{ad}"))
            }
            (
                _,
                "/employer/billing/documents/{id}/{format}"
                | "/operator/billing/documents/{id}/{format}",
            ) => Probe::at(
                route
                    .replace("{id}", &self.invoice_number.to_string())
                    .replace("{format}", "pdf"),
            ),
            ("GET", "/operator/billing/invoices/{id}") => {
                Probe::at(format!("/operator/billing/invoices/{}", self.invoice))
            }
            ("POST", "/operator/billing/invoices/{id}/payments") => Probe::at(format!(
                "/operator/billing/invoices/{}/payments",
                self.invoice
            ))
            .with(&[
                ("amount", "100,00"),
                ("paid_on", &jobboard::calendar::today().to_string()),
                ("reference", "Access matrix"),
            ]),
            ("POST", "/operator/billing/invoices/{id}/credit") => Probe::at(format!(
                "/operator/billing/invoices/{}/credit",
                self.invoice
            ))
            .with(&[
                ("scope", "partial"),
                ("amount", "10,00"),
                ("reason", "Checked by the access matrix."),
            ]),
            ("POST", "/operator/billing/bank") => Probe::at(route).multipart(),
            ("POST", "/operator/billing/bank/{id}/{resolution}") => {
                Probe::at(format!("/operator/billing/bank/{}/dismiss", self.bank_line))
            }
            ("POST", "/employer/team/invitations/{id}/withdraw") => Probe::at(format!(
                "/employer/team/invitations/{}/withdraw",
                self.spare_invitation
            )),
            // Erik is his company's only admin: both are refused with a message, not done.
            ("POST", "/employer/team/members/{id}/role") => {
                Probe::at(format!("/employer/team/members/{}/role", self.erik))
                    .with(&[("role", "recruiter")])
            }
            ("POST", "/employer/team/members/{id}/remove") => {
                Probe::at(format!("/employer/team/members/{}/remove", self.erik))
            }
            (_, "/employer/team/ads/{id}") => Probe::at(format!("/employer/team/ads/{ad}")),
            ("POST", "/operator/retention/holds/{id}/lift") => {
                Probe::at(format!("/operator/retention/holds/{}/lift", self.hold))
            }
            (_, route) if !route.contains('{') => Probe::at(route),
            _ => panic!(
                "{method} {route}: fill its path parameters with objects of the fixture in \
                 `Fixture::probe` (tests/portal/access.rs)"
            ),
        };
        assert!(
            !probe.path.contains('{'),
            "{method} {route}: `Fixture::probe` left a parameter unfilled"
        );
        probe
    }
}

// ---------------------------------------------------------------------------------------------
// The matrix

struct Matrix<'a> {
    app: &'a TestApp,
    fixture: Fixture,
    browsers: Vec<Browser>,
    failures: Vec<String>,
    link_invalid: &'static str,
}

impl Matrix<'_> {
    fn fail(&mut self, who: Person, method: &str, route: &str, path: &str, problem: String) {
        self.failures.push(format!(
            "{method} {route} ({path}) as {}: {problem}",
            who.describe()
        ));
    }

    /// Someone the line does not admit is refused.
    async fn refusal(&mut self, index: usize, method: &'static str, route: &'static str) {
        let probe = self.fixture.probe(method, route);
        let who = self.browsers[index].who;
        let answer = self.browsers[index].ask(self.app, method, &probe).await;
        let refused = answer.refused() || (who == Person::Visitor && answer.to_login());
        if !refused {
            let problem = format!("{}, expected to be refused", answer.describe());
            self.fail(who, method, route, &probe.path, problem);
        }
    }

    /// A forged link is refused: a 4xx, or a redirect to a page that says the link is invalid.
    async fn forged(&mut self, index: usize, method: &'static str, route: &'static str) {
        let Some(genuine) = self.fixture.genuine.get(&(method, route)) else {
            self.failures.push(format!(
                "{method} {route} is a Token route: give `Fixture::make` its genuine link"
            ));
            return;
        };
        let probe = genuine.forged();
        let browser = &self.browsers[index];
        let who = browser.who;
        let answer = browser.ask(self.app, method, &probe).await;
        let refused = answer.status.is_client_error()
            || (answer.status.is_redirection()
                && browser
                    .landing_text(self.app, answer.clone())
                    .await
                    .contains(self.link_invalid));
        if !refused {
            let problem = format!(
                "{} with a forged link, expected a refusal",
                answer.describe()
            );
            self.fail(who, method, route, &probe.path, problem);
        }
    }

    /// Someone the line admits gets through (the visitor with the genuine link, for `Token`).
    async fn admission(
        &mut self,
        index: usize,
        method: &'static str,
        route: &'static str,
        access: Access,
    ) {
        let probe = if access == Token {
            match self.fixture.genuine.get(&(method, route)) {
                Some(genuine) => genuine.clone(),
                None => return, // reported by `forged`
            }
        } else {
            self.fixture.probe(method, route)
        };
        let browser = &self.browsers[index];
        let who = browser.who;
        let answer = browser.ask(self.app, method, &probe).await;
        let mut problem = None;
        if answer.status.is_server_error() {
            problem = Some(answer.describe());
        } else if access == Token {
            // Where a used link leads (the login, after verifying) is no refusal; its message is.
            if answer.status.is_client_error()
                || browser
                    .landing_text(self.app, answer.clone())
                    .await
                    .contains(self.link_invalid)
            {
                problem = Some(format!("{} with the genuine link", answer.describe()));
            }
        } else if answer.to_login() || answer.refused() {
            problem = Some(format!("{}, expected to get through", answer.describe()));
        }
        if let Some(problem) = problem {
            self.fail(who, method, route, &probe.path, problem);
        }
    }

    /// Each method that the source does not register for a path answers 405.
    async fn unregistered_methods(&mut self) {
        let mut methods: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (method, path, _) in ACCESS {
            methods.entry(path).or_default().insert(method);
        }
        for (route, registered) in methods {
            for method in ["GET", "POST"] {
                if registered.contains(method) {
                    continue;
                }
                let some = registered.iter().next().unwrap();
                let probe = match self.fixture.genuine.get(&(*some, route)) {
                    Some(genuine) => genuine.clone(),
                    None => self.fixture.probe(some, route),
                };
                let answer = self.browsers[0].ask(self.app, method, &probe).await;
                if answer.status != StatusCode::METHOD_NOT_ALLOWED {
                    self.failures.push(format!(
                        "{method} {route} ({}) answers {}, but the source registers only {:?}: \
                         the scan in tests/portal/routes.rs misread the router",
                        probe.path,
                        answer.describe(),
                        registered
                    ));
                }
            }
        }
    }
}

story!(
    every_route_admits_exactly_the_people_its_line_names,
    |app| {
        let mismatches = table_mismatches();
        assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
        let fixture = Fixture::make(&app).await;
        let mut browsers = Vec::new();
        for who in PEOPLE {
            browsers.push(Browser::open(&app, who).await);
        }
        let mut matrix = Matrix {
            app: &app,
            fixture,
            browsers,
            failures: Vec::new(),
            link_invalid: Lang::En.tr().s("link.invalid"),
        };
        matrix.unregistered_methods().await;
        for &(method, route, access) in ACCESS {
            for (index, who) in PEOPLE.into_iter().enumerate() {
                if access == Token {
                    matrix.forged(index, method, route).await;
                } else if !access.admits(who) {
                    matrix.refusal(index, method, route).await;
                }
            }
        }
        // GETs change nothing, so they go before the POSTs that may.
        for pass in ["GET", "POST"] {
            for &(method, route, access) in ACCESS.iter().filter(|(m, ..)| *m == pass) {
                for (index, who) in PEOPLE.into_iter().enumerate() {
                    let holder = access == Token && who == Person::Visitor;
                    if holder || access.admits(who) {
                        matrix.admission(index, method, route, access).await;
                    }
                }
                if route == "/logout" {
                    for browser in &mut matrix.browsers {
                        browser.sign_in(&app).await;
                    }
                }
            }
        }
        assert!(
            matrix.failures.is_empty(),
            "{} problems in the access matrix:\n{}",
            matrix.failures.len(),
            matrix.failures.join("\n")
        );
    }
);
