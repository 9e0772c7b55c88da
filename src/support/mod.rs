//! Support: the contact form anyone can use (`/contact`), the inbox in the operator console
//! where operators read each thread, reply by e-mail and close inquiries, and the privacy
//! section that shows a person their inquiries. Closed inquiries are deleted 12 months after
//! closing by the retention sweeper (rule `support-inquiries`).

mod contact;
pub mod domain;
mod emails;
mod inbox;
mod privacy;
pub mod store;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub use inbox::{close_inquiry, deletion_due, send_reply};
pub use privacy::SupportInquiries;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contact", get(contact::form).post(contact::submit))
        .route(
            "/contact/confirm",
            get(contact::confirm_form).post(contact::confirm),
        )
        .route("/operator/support", get(inbox::inbox))
        .route("/operator/support/{id}", get(inbox::thread))
        .route("/operator/support/{id}/reply", post(inbox::reply))
        .route("/operator/support/{id}/close", post(inbox::close))
}
