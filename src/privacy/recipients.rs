//! Who received a person's application, so that corrections and erasure reach them (Art. 19):
//! the ad's contact person when the ad names one, otherwise the company's members.

use crate::{db::Db, db_run, error::Result, i18n::Lang};

#[derive(Debug, Clone)]
pub struct Recipient {
    pub email: String,
    pub name: String,
    pub lang: Lang,
}

pub async fn of_application(db: &Db, application: i64) -> Result<Vec<Recipient>> {
    let contact: Option<(Option<String>, Option<String>, String)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT r.contact_name, r.contact_email, r.lang FROM applications ap JOIN ads a ON a.id = ap.ad_id \
         JOIN ad_revisions r ON r.id = COALESCE(a.live_revision_id, a.draft_revision_id) WHERE ap.id = $1"
    )
    .bind(application)
    .fetch_optional(p)
    .await)?;
    if let Some((name, Some(email), lang)) = contact {
        return Ok(vec![Recipient {
            email,
            name: name.unwrap_or_default(),
            lang: if lang == "en" { Lang::En } else { Lang::Da },
        }]);
    }
    let members: Vec<(String, String, String)> = db_run!(pool db, |p| sqlx::query_as(
        "SELECT u.email, u.name, u.lang FROM applications ap JOIN company_members m ON m.company_id = ap.company_id \
         JOIN users u ON u.id = m.user_id WHERE ap.id = $1 ORDER BY u.id"
    )
    .bind(application)
    .fetch_all(p)
    .await)?;
    Ok(members
        .into_iter()
        .map(|(email, name, lang)| Recipient {
            email,
            name,
            lang: Lang::parse(&lang).unwrap_or_default(),
        })
        .collect())
}
