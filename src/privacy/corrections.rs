//! Art. 19: corrections a person makes (in their profile or the privacy centre) reach every
//! company that received one of their applications.

use super::{emails, recipients};
use crate::{applications::store::of_seeker, db::Tx, error::Result, state::AppState};

/// Art. 19: every company holding one of the person's applications is sent the corrected
/// values (catalog key of the field, new value), in the caller's transaction. Returns how many
/// recipients were told.
pub async fn tell_recipients(
    state: &AppState,
    tx: &mut Tx,
    seeker: i64,
    changes: &[(String, String)],
) -> Result<usize> {
    let mut told = 0;
    for a in of_seeker(&state.db, seeker).await? {
        for r in recipients::of_application(&state.db, a.id).await? {
            let mail = emails::corrected(&r, a.id, &a.ad_title, changes)?;
            state.queue_mail(tx, &mail).await?;
            told += 1;
        }
    }
    Ok(told)
}
