//! Unsubscribe links in marketing e-mail. They work without logging in, so the link itself is
//! the authority: it is signed for its list and subscription, and never expires.

use crate::{
    secrets::{Link, SignedLink},
    state::AppState,
};

/// What an unsubscribe link stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Newsletter,
    JobAlert,
}

impl List {
    pub fn as_str(self) -> &'static str {
        match self {
            List::Newsletter => "newsletter",
            List::JobAlert => "alert",
        }
    }

    pub fn parse(text: &str) -> Option<List> {
        match text {
            "newsletter" => Some(List::Newsletter),
            "alert" => Some(List::JobAlert),
            _ => None,
        }
    }
}

fn unsubscribe_subject(list: List, id: i64) -> String {
    format!("{}:{id}", list.as_str())
}

/// The absolute unsubscribe link for a newsletter subscriber or a job alert: shown in the
/// e-mail, and the target of `List-Unsubscribe` (where a POST unsubscribes in one click).
pub fn unsubscribe_link(state: &AppState, list: List, id: i64) -> String {
    let query = state
        .keys
        .sign_link(Link::Unsubscribe, &unsubscribe_subject(list, id), None);
    state.link(&format!(
        "/unsubscribe?list={}&id={id}&{query}",
        list.as_str()
    ))
}

pub fn unsubscribe_valid(state: &AppState, list: List, id: i64, link: &SignedLink) -> bool {
    state
        .keys
        .link_valid(Link::Unsubscribe, &unsubscribe_subject(list, id), link)
}

/// The RFC 2369 / RFC 8058 headers every marketing e-mail carries.
pub fn unsubscribe_headers(link: &str) -> [(&'static str, String); 2] {
    [
        ("List-Unsubscribe", format!("<{link}>")),
        (
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".to_string(),
        ),
    ]
}
