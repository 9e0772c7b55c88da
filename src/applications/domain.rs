//! Where an application stands: the statuses of the company's pipeline, which the store saves
//! and the pages show.

use serde::{Deserialize, Serialize};

macro_rules! statuses {
    ($($variant:ident => $text:literal),+ $(,)?) => {
        /// Where an application is in the company's pipeline.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Status { $($variant),+ }

        impl Status {
            pub const ALL: &'static [Status] = &[$(Status::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Status::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Status> {
                match text { $($text => Some(Status::$variant),)+ _ => None }
            }

            pub fn label_key(self) -> &'static str {
                match self { $(Status::$variant => concat!("application_status.", $text)),+ }
            }
        }

        impl TryFrom<String> for Status {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Status::parse(&value).ok_or_else(|| format!("unknown application status {value}"))
            }
        }
    };
}

statuses!(
    Received => "received",
    Reviewed => "reviewed",
    Shortlisted => "shortlisted",
    Interview => "interview",
    Offer => "offer",
    Hired => "hired",
    Rejected => "rejected",
);
