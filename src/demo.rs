//! Deterministic synthetic data, for trying the portal (`serve --demo`) and for benchmarks
//! (`jobboard demo`). The same seed gives the same data. Three fixed logins are created on an
//! empty database so a person can try each role at once.

use rand::{RngExt, SeedableRng, rngs::StdRng};
use time::Duration;

use crate::{
    accounts::store,
    db::{Db, now},
    db_run,
    domain::Role,
    error::Result,
    passwords::Hasher,
};

/// The password of every demo account. Demo data is for local trials only.
pub const DEMO_PASSWORD: &str = "demo-password";

pub const DEMO_LOGINS: [(&str, Role); 3] = [
    ("seeker@example.com", Role::Seeker),
    ("employer@example.com", Role::Employer),
    ("operator@example.com", Role::Operator),
];

#[derive(Clone, Copy, Debug)]
pub struct DemoOptions {
    pub companies: u32,
    pub ads: u64,
    pub seekers: u32,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            companies: 20,
            ads: 300,
            seekers: 50,
            seed: 1,
        }
    }
}

#[derive(Debug, Default, serde::Serialize)]
pub struct DemoReport {
    pub applications: u64,
    pub invoices: u64,
    /// Companies given a page with a description, a logo and ad statistics.
    pub company_pages: u64,
    pub companies: u32,
    /// Recruiters added to synthetic companies, next to their admin.
    pub colleagues: u32,
    pub ads: u64,
    pub seekers: u32,
    pub logins_created: bool,
}

const FIRST_NAMES: &[&str] = &[
    "Anna", "Mads", "Sofie", "Lars", "Freja", "Oliver", "Ida", "Noah", "Emma", "William", "Clara",
    "Magnus", "Astrid", "Elias", "Karin", "Johan", "Maja", "Erik", "Nora", "Aksel",
];
const LAST_NAMES: &[&str] = &[
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Johansson",
    "Lindqvist",
    "Holm",
    "Berg",
    "Dahl",
    "Lund",
];
const COMPANY_WORDS: &[&str] = &[
    "Nordlys", "Havbris", "Fjord", "Bølge", "Skov", "Klippe", "Solsikke", "Stjerne", "Ege",
    "Vinge", "Lyngby", "Kyst", "Bakke", "Mølle", "Strand",
];
const COMPANY_KINDS: &[&str] = &[
    "ApS", "A/S", "IVS", "Consult", "Tech ApS", "Byg A/S", "Care",
];

/// True when no account exists yet (so `serve --demo` fills only a fresh portal).
pub async fn is_empty(db: &Db) -> Result<bool> {
    let users: i64 =
        db_run!(pool db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await)?;
    Ok(users == 0)
}

pub async fn fill(db: &Db, hasher: &Hasher, options: DemoOptions) -> Result<DemoReport> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    // One hash for every synthetic account: Argon2 is deliberately slow.
    let password_hash = hasher.hash(DEMO_PASSWORD).await?;
    let mut report = DemoReport::default();
    let mut tx = db.begin().await?;

    if is_empty(db).await? {
        for (email, role) in DEMO_LOGINS {
            let id = insert(&mut tx, email, &password_hash, demo_name(role), role).await?;
            if role == Role::Employer {
                store::insert_company(&mut tx, "Nordlys Demo ApS", "10150817", id).await?;
            }
        }
        // The demo operator has checked the demo company, so its employer sees candidates.
        db_run!(tx & mut tx, |c| sqlx::query(
            "UPDATE companies SET verified_at = $1, \
             verified_by = (SELECT id FROM users WHERE email = 'operator@example.com') \
             WHERE cvr = '10150817'"
        )
        .bind(crate::db::now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        report.logins_created = true;
    }

    for i in 0..options.companies {
        let name = format!(
            "{} {}",
            COMPANY_WORDS[rng.random_range(0..COMPANY_WORDS.len())],
            COMPANY_KINDS[rng.random_range(0..COMPANY_KINDS.len())]
        );
        let cvr = random_cvr(&mut rng);
        let email = format!("hr{}-{}@company{}.example.com", options.seed, i, cvr);
        let who = person(&mut rng);
        // Checked first: on PostgreSQL a failed insert would abort the whole transaction.
        if taken(
            &mut tx,
            "SELECT COUNT(*) FROM companies WHERE cvr = $1",
            &cvr,
        )
        .await?
            || taken(
                &mut tx,
                "SELECT COUNT(*) FROM users WHERE email = $1",
                &email,
            )
            .await?
        {
            continue;
        }
        let id = insert(&mut tx, &email, &password_hash, &who, Role::Employer).await?;
        let company = store::insert_company(&mut tx, &name, &cvr, id).await?;
        report.companies += 1;
        // Every third company recruits as a team: a recruiter next to its admin.
        let colleague = format!("recruiter{}-{}@company{}.example.com", options.seed, i, cvr);
        if i % 3 == 1
            && !taken(
                &mut tx,
                "SELECT COUNT(*) FROM users WHERE email = $1",
                &colleague,
            )
            .await?
        {
            // Named without the generator, so a seed gives the same data as before teams.
            let name = format!("{} Rekrutter", FIRST_NAMES[i as usize % FIRST_NAMES.len()]);
            let recruiter =
                insert(&mut tx, &colleague, &password_hash, &name, Role::Employer).await?;
            store::insert_member(
                &mut tx,
                company,
                recruiter,
                crate::domain::CompanyRole::Recruiter,
                Some(id),
            )
            .await?;
            report.colleagues += 1;
        }
    }

    for i in 0..options.seekers {
        let name = person(&mut rng);
        let email = format!(
            "{}.{}{}@seekers.example.com",
            name.split(' ').next().unwrap_or("seeker").to_lowercase(),
            options.seed,
            i
        );
        if taken(
            &mut tx,
            "SELECT COUNT(*) FROM users WHERE email = $1",
            &email,
        )
        .await?
        {
            continue;
        }
        let id = insert(&mut tx, &email, &password_hash, &name, Role::Seeker).await?;
        // Varied last logins, up to two years back, so retention rules have work to do.
        let last_login = now() - Duration::days(rng.random_range(0..730));
        db_run!(tx &mut tx, |c| sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
            .bind(last_login)
            .bind(id)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected()))?;
        report.seekers += 1;
    }
    tx.commit().await?;
    report.ads = crate::demo_ads::insert_ads(db, options.ads, options.seed).await?;
    Ok(report)
}

/// Adds demo data and brings this node's search index up to date with it at once (a large
/// batch of ads is faster to rebuild than to follow change by change).
pub async fn fill_and_index(
    state: &crate::state::AppState,
    options: DemoOptions,
) -> Result<DemoReport> {
    let mut report = fill(&state.db, &state.hasher, options).await?;
    let showcase = if report.logins_created {
        Some(showcase(state).await?)
    } else {
        None
    };
    if report.ads > 0 || showcase.is_some() {
        crate::ads::indexing::rebuild(&state.db, &state.search).await?;
    }
    report.applications = applications(state, options.seekers.min(50)).await?;
    if let Some(ad) = showcase {
        report.applications += pipeline(state, ad).await?;
        report.invoices = billing(state).await?;
        operator_looks(state).await?;
    }
    report.company_pages = crate::companies::demo::fill(state).await?;
    Ok(report)
}

/// The demo operator opened the demo seeker's account and one of her applications (as when
/// checking a complaint): the audit log lists both, and the seeker sees them in her privacy
/// centre.
async fn operator_looks(state: &crate::state::AppState) -> Result<()> {
    use crate::audit::{self, Action, Entry, Object};
    let found: Option<(i64, i64, i64)> = db_run!(pool & state.db, |p| {
        sqlx::query_as(
        "SELECT o.id, s.id, a.id FROM users o, users s JOIN applications a ON a.seeker_id = s.id \
         WHERE o.email = 'operator@example.com' AND s.email = 'seeker@example.com' ORDER BY a.id LIMIT 1"
    )
    .fetch_optional(p)
    .await
    })?;
    let Some((operator, seeker, application)) = found else {
        return Ok(());
    };
    let account = Entry::new(operator, Action::ViewedAccount).about(Some(seeker));
    audit::record_now(state, account.on(Object::Account(seeker))).await?;
    let opened = Entry::new(operator, Action::ViewedApplication).about(Some(seeker));
    audit::record_now(state, opened.on(Object::Application(application))).await
}

/// A demo ad by hand (the random ones rarely hit what the README's examples search for).
fn demo_ad(title: &str, description: &str, municipality: &str) -> crate::ads::domain::AdContent {
    use crate::ads::domain::{
        AdContent, AdLanguage, ApplyMethod, Currency, EmploymentType, Remote, SalaryPeriod,
        WorkingTime,
    };
    AdContent {
        lang: AdLanguage::Da,
        title: title.into(),
        description: description.into(),
        municipality_code: municipality.into(),
        street_address: None,
        remote: Remote::No,
        occupation_id: "nurse".into(),
        employment_type: EmploymentType::Permanent,
        working_time: WorkingTime::Full,
        hours_per_week: None,
        salary_min: 36_000,
        salary_max: 42_000,
        salary_period: SalaryPeriod::Month,
        salary_currency: Currency::Dkk,
        deadline: None,
        start_date: None,
        contact_name: Some("Lars Demo".into()),
        contact_email: Some("employer@example.com".into()),
        contact_phone: None,
        apply_method: ApplyMethod::Site,
        apply_url: None,
        apply_email: None,
    }
}

/// What a first look at the portal should find, on a fresh demo: the demo company's nurse ads
/// (the README searches for "sygeplejerske" near Aarhus), ads waiting in the moderation queue,
/// and an open privacy request for the operator. Returns the ad that gets applications at
/// every stage of the pipeline.
async fn showcase(state: &crate::state::AppState) -> Result<i64> {
    use crate::ads::lifecycle;
    let (company, employer): (i64, i64) = db_run!(pool & state.db, |p| sqlx::query_as(
        "SELECT c.id, u.id FROM companies c JOIN users u ON u.email = 'employer@example.com' \
         WHERE c.cvr = '10150817'"
    )
    .fetch_one(p)
    .await)?;
    let operator: i64 = db_run!(pool & state.db, |p| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = 'operator@example.com'"
    )
    .fetch_one(p)
    .await)?;
    let t = crate::i18n::Lang::Da.tr();
    let text = "Nordlys Demo ApS søger en sygeplejerske med hjertet på rette sted.\n\n\
                - Faste vagter og gode kolleger\n- Løn efter overenskomst\n- Introduktion på fire uger";
    let mut first = None;
    for (title, place) in [
        ("Sygeplejerske til akutmodtagelsen", "751"),
        ("Sygeplejerske, nattevagt", "746"),
        ("Sygeplejerske til hjemmeplejen", "101"),
    ] {
        let id =
            lifecycle::create_draft(state, company, employer, &demo_ad(title, text, place)).await?;
        lifecycle::submit(state, t, id, company).await?;
        lifecycle::approve(state, id, operator).await?;
        first.get_or_insert(id);
    }
    for (title, place) in [
        ("Specialsygeplejerske til intensiv", "751"),
        ("Sygeplejerske til sommerferien", "461"),
    ] {
        // Submitted and not yet reviewed: the operator's moderation queue has work.
        let id =
            lifecycle::create_draft(state, company, employer, &demo_ad(title, text, place)).await?;
        lifecycle::submit(state, t, id, company).await?;
    }
    // A verified request waiting for an answer in the operator's privacy queue.
    let received = now();
    let mut tx = state.db.begin().await?;
    let request: i64 = db_run!(tx &mut tx, |c| sqlx::query_scalar(
        "INSERT INTO privacy_requests (email, kind, message, lang, masked_ip, state, verify_by, received_at, due_at, created_at) \
         VALUES ('former.customer@example.com', 'access', $1, 'da', '127.0.0.0/24', 'open', $2, $2, $3, $2) RETURNING id"
    )
    .bind("Jeg vil gerne vide, hvilke oplysninger I har om mig.")
    .bind(received)
    .bind(crate::privacy::requests::add_months(received, 1))
    .fetch_one(&mut *c)
    .await)?;
    crate::privacy::store::request_event(&mut tx, request, None, "requester", "filed", "").await?;
    crate::privacy::store::request_event(&mut tx, request, None, "requester", "verified", "")
        .await?;
    tx.commit().await?;
    let password_hash = password_hash_of(state).await?;
    console_showcase(state, operator, &password_hash).await?;
    let first = first.ok_or_else(|| crate::error::Error::internal("no showcase ad"))?;
    // A recruiter on the first ad, and an invitation waiting for a colleague.
    crate::teams::demo::fill(state, company, employer, first, &password_hash).await?;
    Ok(first)
}

/// Products, orders, invoices, payments, an overdue invoice with a reminder and a credit note
/// (see `billing::demo`), for the demo company and some of the others.
async fn billing(state: &crate::state::AppState) -> Result<u64> {
    let (company, employer): (i64, i64) = db_run!(pool & state.db, |p| sqlx::query_as(
        "SELECT c.id, u.id FROM companies c JOIN users u ON u.email = 'employer@example.com' \
         WHERE c.cvr = '10150817'"
    )
    .fetch_one(p)
    .await)?;
    let operator: i64 = db_run!(pool & state.db, |p| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = 'operator@example.com'"
    )
    .fetch_one(p)
    .await)?;
    let ads: Vec<i64> = db_run!(pool & state.db, |p| sqlx::query_scalar(
        "SELECT id FROM ads WHERE company_id = $1 AND state = 'published' ORDER BY id"
    )
    .bind(company)
    .fetch_all(p)
    .await)?;
    let others: Vec<i64> = db_run!(pool & state.db, |p| sqlx::query_scalar(
        "SELECT id FROM companies WHERE id <> $1 ORDER BY id LIMIT 11"
    )
    .bind(company)
    .fetch_all(p)
    .await)?;
    crate::billing::demo::fill(state, company, employer, operator, &ads, &others).await
}

/// The demo employer's password hash, reused for the console's demo accounts.
async fn password_hash_of(state: &crate::state::AppState) -> Result<String> {
    Ok(db_run!(pool & state.db, |p| sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE email = 'employer@example.com'"
    )
    .fetch_one(p)
    .await)?)
}

/// What the operator console shows on a fresh demo: a blocked company (its ad hidden
/// everywhere) and a blocked job seeker, with the reasons; support inquiries waiting in the
/// inbox, and one answered and closed.
async fn console_showcase(
    state: &crate::state::AppState,
    operator: i64,
    password_hash: &str,
) -> Result<()> {
    use crate::{
        operator::blocks::{self, BlockReason, Decision, Note},
        support::store::{self as support, NewInquiry},
    };
    let mut tx = state.db.begin().await?;
    let employer = insert(
        &mut tx,
        "blocked-employer@example.com",
        password_hash,
        "Bent Blokeret",
        Role::Employer,
    )
    .await?;
    let company = store::insert_company(&mut tx, "Hurtige Penge ApS", "32345670", employer).await?;
    let seeker = insert(
        &mut tx,
        "blocked-seeker@example.com",
        password_hash,
        "Svend Spam",
        Role::Seeker,
    )
    .await?;
    tx.commit().await?;
    let t = crate::i18n::Lang::Da.tr();
    let ad = crate::ads::lifecycle::create_draft(
        state,
        company,
        employer,
        &demo_ad(
            "Tjen 50.000 kr. om ugen hjemmefra",
            "Ingen erfaring nødvendig. Betal et lille gebyr for at komme i gang.",
            "101",
        ),
    )
    .await?;
    crate::ads::lifecycle::submit(state, t, ad, company).await?;
    crate::ads::lifecycle::approve(state, ad, operator).await?;
    let note = |text: &str| Note::parse(text).map_err(crate::error::Error::internal);
    blocks::block_company(
        state,
        company,
        Decision {
            operator,
            reason: BlockReason::Fraud,
            note: &note(
                "Tre jobsøgere meldte, at de blev bedt om et gebyr for at søge (supporthenvendelser).",
            )?,
        },
    )
    .await?;
    blocks::block_user(
        state,
        seeker,
        Decision {
            operator,
            reason: BlockReason::Spam,
            note: &note("Sendte den samme reklametekst som ansøgning til 40 annoncer på en time.")?,
        },
    )
    .await?;

    let inquiries = [
        (
            "lise.larsen@example.com",
            "Lise Larsen",
            None,
            "job-ads",
            "Annonce beder om betaling",
            "Hej. En annonce fra Hurtige Penge ApS bad mig betale 500 kr. for at søge. Er det i orden?",
        ),
        (
            "seeker@example.com",
            "Sofie Demo",
            Some("seeker@example.com"),
            "account",
            "Kan jeg skifte min e-mailadresse?",
            "Jeg har fået en ny e-mailadresse. Hvordan flytter jeg min konto til den?",
        ),
        (
            "peter.holm@example.com",
            "Peter Holm",
            None,
            "billing",
            "Faktura til forkert adresse",
            "Vores faktura er sendt til vores gamle adresse. Kan I sende den igen?",
        ),
    ];
    let mut filed = Vec::new();
    for (email, name, account, topic, subject, message) in inquiries {
        let user_id: Option<i64> = match account {
            Some(address) => db_run!(pool & state.db, |p| sqlx::query_scalar(
                "SELECT id FROM users WHERE email = $1"
            )
            .bind(address)
            .fetch_optional(p)
            .await)?,
            None => None,
        };
        let mut tx = state.db.begin().await?;
        let id = support::insert(
            &mut tx,
            &NewInquiry {
                email,
                name,
                user_id,
                topic,
                subject,
                message,
                lang: "da",
                masked_ip: "127.0.0.0/24",
                token_hash: None,
                verify_by: now(),
            },
        )
        .await?;
        tx.commit().await?;
        filed.push(id);
    }
    // Visits of consenting visitors on each of the last 30 days, for the dashboard's chart.
    let today = crate::calendar::today();
    let mut tx = state.db.begin().await?;
    for back in 0..30_i64 {
        let day = today - Duration::days(back);
        let at = crate::calendar::end_of_day(day) - Duration::hours(10);
        for visit in 0..(4 + (back * 7) % 11) {
            db_run!(tx &mut tx, |c| sqlx::query(
                "INSERT INTO page_views (viewed_on, viewed_at, route, visit_id, masked_ip) \
                 VALUES ($1, $2, '/jobs', $3, '127.0.0.0/24')"
            )
            .bind(day)
            .bind(at)
            .bind(format!("demo-{back}-{visit}"))
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        }
    }
    tx.commit().await?;
    // The e-mail question is answered and closed: the inbox lists it with its deletion date.
    if let Some(&answered) = filed.get(1) {
        crate::support::send_reply(
            state,
            answered,
            operator,
            "Ja: vælg Min konto → Skift e-mail. Vi sender et link til den nye adresse, som du bekræfter.

Venlig hilsen
Ida fra jobboard",
            true,
        )
        .await?;
    }
    Ok(())
}

/// Seven demo seekers (the demo seeker first) apply to the showcase ad, one at each stage of
/// the pipeline, so the demo employer's inbox and the seeker's list show them all.
async fn pipeline(state: &crate::state::AppState, ad: i64) -> Result<u64> {
    use crate::applications::{domain::Status, store as applications};
    let company: i64 = db_run!(pool & state.db, |p| sqlx::query_scalar(
        "SELECT company_id FROM ads WHERE id = $1"
    )
    .bind(ad)
    .fetch_one(p)
    .await)?;
    let seekers: Vec<(i64, String)> = db_run!(pool & state.db, |p| sqlx::query_as(
        "SELECT u.id, u.name FROM users u WHERE u.role = 'seeker' \
         AND NOT EXISTS (SELECT 1 FROM applications x WHERE x.seeker_id = u.id AND x.ad_id = $1) \
         ORDER BY CASE WHEN u.email = 'seeker@example.com' THEN 0 ELSE 1 END, u.id LIMIT 7"
    )
    .bind(ad)
    .fetch_all(p)
    .await)?;
    let mut made = 0;
    for ((seeker, name), status) in seekers.into_iter().zip(Status::ALL) {
        let application = apply_with_cv(state, seeker, &name, ad, company).await?;
        let mut tx = state.db.begin().await?;
        applications::set_status(&mut tx, application, *status).await?;
        tx.commit().await?;
        made += 1;
    }
    Ok(made)
}

/// Each of up to `count` demo seekers applies to one ad that takes applications on the site,
/// with a plain-text CV stored (encrypted) like any upload, so inboxes and "My applications"
/// have something to show.
async fn applications(state: &crate::state::AppState, count: u32) -> Result<u64> {
    let pairs: Vec<(i64, String, i64, i64)> = db_run!(pool & state.db, |p| {
        sqlx::query_as(
        "SELECT u.id, u.name, a.id, a.company_id FROM users u \
         JOIN (SELECT a.id, a.company_id, ROW_NUMBER() OVER (ORDER BY a.id) AS n FROM ads a \
               JOIN ad_revisions r ON r.id = a.live_revision_id \
               WHERE a.state = 'published' AND r.apply_method = 'site') a \
           ON a.n = (SELECT COUNT(*) FROM users v WHERE v.role = 'seeker' AND v.id <= u.id) \
         WHERE u.role = 'seeker' AND NOT EXISTS (SELECT 1 FROM applications x WHERE x.seeker_id = u.id) \
         ORDER BY u.id LIMIT $1"
    )
    .bind(i64::from(count))
    .fetch_all(p)
    .await
    })?;
    let mut made = 0;
    for (seeker, name, ad, company) in pairs {
        apply_with_cv(state, seeker, &name, ad, company).await?;
        made += 1;
    }
    Ok(made)
}

/// One demo application with a plain-text CV, stored like any upload; returns its id.
async fn apply_with_cv(
    state: &crate::state::AppState,
    seeker: i64,
    name: &str,
    ad: i64,
    company: i64,
) -> Result<i64> {
    use crate::documents::{self, FileKind};
    let cv = format!(
        "{name}\n\nCurriculum vitae\n\nExperience: five years in the trade.\nEducation: vocational school.\n"
    );
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(cv))]);
    let mut batch = documents::UploadBatch::begin(state, seeker, crate::i18n::Lang::En.tr());
    let uploaded = batch.document("cv.txt", body).await?;
    let now = crate::db::now();
    let mut tx = state.db.begin().await?;
    let application = crate::applications::store::insert(
        &mut tx,
        &crate::applications::store::NewApplication {
            ad_id: ad,
            company_id: company,
            seeker_id: seeker,
            cover_letter: "I am very interested in this position and would be happy to tell you more.",
            delete_after: crate::applications::delete_after(now),
        },
    )
    .await?;
    let file = batch
        .record(&mut tx, FileKind::Application, &uploaded)
        .await?;
    crate::applications::store::attach(&mut tx, application, file, "cv").await?;
    let company_name: String = db_run!(tx &mut tx, |c| sqlx::query_scalar("SELECT name FROM companies WHERE id = $1")
        .bind(company)
        .fetch_one(&mut *c)
        .await)?;
    crate::applications::store::record_disclosure(
        &mut tx,
        &crate::applications::store::Disclosure {
            seeker_id: seeker,
            application_id: application,
            company_id: company,
            company_name: &company_name,
            channel: "inbox",
            recipient: "jobboard inbox",
            items: "cover letter, cv: cv.txt",
        },
    )
    .await?;
    tx.commit().await?;
    batch.finish().await;
    Ok(application)
}

async fn insert(
    tx: &mut crate::db::Tx,
    email: &str,
    password_hash: &str,
    name: &str,
    role: Role,
) -> Result<i64> {
    Ok(store::insert_user(
        tx,
        &store::NewUser {
            email,
            password_hash,
            name,
            role,
            lang: "da",
            verified: true,
        },
    )
    .await?)
}

/// Whether a unique value is in use already (re-running the demo with the same seed).
async fn taken(tx: &mut crate::db::Tx, sql: &'static str, value: &str) -> Result<bool> {
    let count: i64 =
        db_run!(tx tx, |c| sqlx::query_scalar(sql).bind(value).fetch_one(&mut *c).await)?;
    Ok(count > 0)
}

fn demo_name(role: Role) -> &'static str {
    match role {
        Role::Seeker => "Sofie Demo",
        Role::Employer => "Lars Demo",
        Role::Operator => "Ida Operator",
    }
}

fn person(rng: &mut StdRng) -> String {
    format!(
        "{} {}",
        FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())],
        LAST_NAMES[rng.random_range(0..LAST_NAMES.len())]
    )
}

/// A random CVR number that passes the modulus-11 check.
fn random_cvr(rng: &mut StdRng) -> String {
    const WEIGHTS: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];
    loop {
        let digits: Vec<u32> = (0..7)
            .map(|i| {
                if i == 0 {
                    rng.random_range(1..10)
                } else {
                    rng.random_range(0..10)
                }
            })
            .collect();
        let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
        let check = (11 - sum % 11) % 11;
        if check < 10 {
            return digits
                .iter()
                .chain(std::iter::once(&check))
                .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Cvr;

    #[test]
    fn generated_cvr_numbers_are_valid() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let cvr = random_cvr(&mut rng);
            assert!(Cvr::parse(&cvr).is_ok(), "{cvr}");
        }
    }
}
