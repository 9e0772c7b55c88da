//! Who received a person's application, so that corrections and erasure reach them (Art. 19):
//! the ad's contact person when the ad names one, and every member of the company (each had it
//! in the company's inbox).

use std::collections::HashMap;

use crate::{db::Db, error::Result, i18n::Lang};

/// How the recipient came to have the application; their e-mail says so in its footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Named as contact person in the ad (often without an account), sent it by e-mail.
    ContactPerson,
    /// A member of the company, with the application in its inbox.
    Member,
}

#[derive(Debug, Clone)]
pub struct Recipient {
    pub email: String,
    pub name: String,
    pub lang: Lang,
    pub via: Via,
}

pub async fn of_application(db: &Db, application: i64) -> Result<Vec<Recipient>> {
    Ok(of_applications(db, &[application])
        .await?
        .remove(&application)
        .unwrap_or_default())
}

/// The recipients of each of the applications (erasure, for a batch of people).
pub async fn of_applications(
    db: &Db,
    applications: &[i64],
) -> Result<HashMap<i64, Vec<Recipient>>> {
    let contacts: Vec<(i64, Option<String>, Option<String>, String)> = db
        .fetch_rows(
            "SELECT ap.id, r.contact_name, r.contact_email, r.lang FROM applications ap JOIN ads a ON a.id = ap.ad_id \
             JOIN ad_revisions r ON r.id = COALESCE(a.live_revision_id, a.draft_revision_id) WHERE ap.id IN {list}",
            applications,
        )
        .await?;
    let mut out: HashMap<i64, Vec<Recipient>> = HashMap::new();
    for (application, name, email, lang) in contacts {
        if let Some(email) = email {
            out.entry(application).or_default().push(Recipient {
                email,
                name: name.unwrap_or_default(),
                lang: if lang == "en" { Lang::En } else { Lang::Da },
                via: Via::ContactPerson,
            });
        }
    }
    let members: Vec<(i64, String, String, String)> = db
        .fetch_rows(
            "SELECT ap.id, u.email, u.name, u.lang FROM applications ap JOIN company_members m ON m.company_id = ap.company_id \
             JOIN users u ON u.id = m.user_id WHERE ap.id IN {list} AND (m.role = 'admin' OR EXISTS \
             (SELECT 1 FROM ad_assignments s WHERE s.ad_id = ap.ad_id AND s.user_id = m.user_id)) ORDER BY ap.id, u.id",
            applications,
        )
        .await?;
    for (application, email, name, lang) in members {
        let to = out.entry(application).or_default();
        // A member who is also the contact person gets one e-mail.
        if !to.iter().any(|r| r.email.eq_ignore_ascii_case(&email)) {
            to.push(Recipient {
                email,
                name,
                lang: Lang::parse(&lang).unwrap_or_default(),
                via: Via::Member,
            });
        }
    }
    Ok(out)
}
