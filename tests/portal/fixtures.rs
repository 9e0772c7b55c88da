//! Data set up behind the scenes, for stories about what visitors see: companies and published
//! ads created through the same functions the pages call.

use jobboard::{
    accounts::store as accounts,
    ads::{
        domain::{
            AdContent, AdLanguage, ApplyMethod, Currency, EmploymentType, Remote, SalaryPeriod,
            WorkingTime,
        },
        lifecycle,
    },
    domain::Role,
    i18n::Lang,
};

use crate::helpers::TestApp;

pub struct Company {
    pub id: i64,
    pub user: i64,
    pub operator: i64,
}

/// A company with one member, and an operator to approve its ads.
pub async fn company(app: &TestApp, name: &str, cvr: &str) -> Company {
    let mut tx = app.state.db.begin().await.unwrap();
    let user = accounts::insert_user(
        &mut tx,
        &accounts::NewUser {
            email: &format!("hr@{cvr}.example.com"),
            password_hash: "x",
            name: "HR",
            role: Role::Employer,
            lang: "en",
            verified: true,
        },
    )
    .await
    .unwrap();
    let id = accounts::insert_company(&mut tx, name, cvr, user)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let operator = operator(app, &format!("ops@{cvr}.example.com")).await;
    Company { id, user, operator }
}

/// Ad content with sensible defaults; tests change what they care about.
pub fn content(title: &str, description: &str, municipality: &str) -> AdContent {
    AdContent {
        lang: AdLanguage::Da,
        title: title.into(),
        description: description.into(),
        municipality_code: municipality.into(),
        street_address: None,
        remote: Remote::No,
        occupation_id: "software-developer".into(),
        employment_type: EmploymentType::Permanent,
        working_time: WorkingTime::Full,
        hours_per_week: None,
        salary_min: 40000,
        salary_max: 50000,
        salary_period: SalaryPeriod::Month,
        salary_currency: Currency::Dkk,
        deadline: None,
        start_date: None,
        contact_name: Some("Kirsten Kontaktperson".into()),
        contact_email: Some("kirsten@kontakt.example.com".into()),
        contact_phone: Some("+45 87 65 43 21".into()),
        apply_method: ApplyMethod::Site,
        apply_url: None,
        apply_email: None,
    }
}

/// Drafts, submits and approves an ad; returns its id.
pub async fn published(app: &TestApp, company: &Company, content: AdContent) -> i64 {
    let id = lifecycle::create_draft(&app.state, company.id, company.user, &content)
        .await
        .unwrap();
    lifecycle::submit(&app.state, Lang::En.tr(), id, company.id)
        .await
        .unwrap();
    lifecycle::approve(&app.state, id, company.operator)
        .await
        .unwrap();
    id
}

/// An operator's verification of the company with this CVR, done behind the scenes (the
/// profiles story does it through the Companies page).
pub async fn verify_company(app: &TestApp, cvr: &str) {
    let company: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM companies WHERE cvr = $1"
    )
    .bind(cvr)
    .fetch_one(p)
    .await)
    .expect("company with this CVR");
    let operator = operator(app, &format!("verifier@{cvr}.example.com")).await;
    assert!(
        jobboard::ads::store::set_verified(&app.state.db, company, Some(operator))
            .await
            .unwrap()
    );
}

/// An operator account (that cannot log in: its password hash is no hash).
async fn operator(app: &TestApp, email: &str) -> i64 {
    let mut tx = app.state.db.begin().await.unwrap();
    let id = accounts::insert_user(
        &mut tx,
        &accounts::NewUser {
            email,
            password_hash: "x",
            name: "Ops",
            role: Role::Operator,
            lang: "en",
            verified: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}
