//! Art. 18 restriction of processing and Art. 21 objection to direct marketing, as a person
//! sets them in the privacy centre, and the history of their privacy decisions.
//!
//! What a restriction blocks (until the person lifts it): their profile leaves the employers'
//! candidate list (and their photo with it); employers can no longer move their applications
//! through the pipeline, add notes or send rejections (they may still read what they
//! received, which is storage); and so no status or rejection e-mails reach the person. Their
//! own actions (applying, editing, exporting, erasing) remain possible: they are the person's
//! own instructions. Account-security e-mails (password reset, e-mail change) and e-mails about
//! the restriction itself still go out. An objection to direct marketing stops newsletters and
//! job alerts at once; recipient selection excludes the person (see
//! `store::MARKETING_ALLOWED_SQL`).

use time::OffsetDateTime;

use super::store;
use crate::{
    db::{Db, Tx, now},
    error::Result,
};

#[derive(Debug, Default, Clone, Copy)]
pub struct Limits {
    pub restricted_since: Option<OffsetDateTime>,
    pub marketing_objection_since: Option<OffsetDateTime>,
}

pub async fn of(db: &Db, user: i64) -> Result<Limits> {
    Ok(store::limits(db, user)
        .await?
        .map(|(restricted_since, marketing_objection_since)| Limits {
            restricted_since,
            marketing_objection_since,
        })
        .unwrap_or_default())
}

pub async fn is_restricted(db: &Db, user: i64) -> Result<bool> {
    Ok(of(db, user).await?.restricted_since.is_some())
}

/// Places (`on`) or lifts the restriction; records the decision in the person's history.
pub async fn set_restricted(tx: &mut Tx, user: i64, on: bool) -> Result<()> {
    let at = now();
    store::set_restricted_since(tx, user, on.then_some(at), at).await?;
    let event = if on {
        "restriction.placed"
    } else {
        "restriction.lifted"
    };
    store::record_event(tx, user, event, "").await
}

/// Records (`on`) or withdraws the objection to direct marketing.
pub async fn set_objection(tx: &mut Tx, user: i64, on: bool) -> Result<()> {
    let at = now();
    store::set_objection_since(tx, user, on.then_some(at), at).await?;
    let event = if on {
        "objection.made"
    } else {
        "objection.withdrawn"
    };
    store::record_event(tx, user, event, "").await
}
