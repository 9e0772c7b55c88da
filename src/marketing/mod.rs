//! Marketing consent, shared by the newsletter and job alerts: the append-only record of each
//! consent step, the signed unsubscribe links and the layout of every marketing e-mail.

pub mod consent;
pub mod letter;
pub mod links;
pub mod privacy;
mod store;
