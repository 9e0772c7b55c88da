//! What an inquiry is made of, parsed once at the edge: its topic (a fixed list), subject and
//! message, and the state it is in.

/// What the sender writes about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    Account,
    JobAds,
    Applications,
    Billing,
    Other,
}

impl Topic {
    pub const ALL: &'static [Topic] = &[
        Topic::Account,
        Topic::JobAds,
        Topic::Applications,
        Topic::Billing,
        Topic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Account => "account",
            Topic::JobAds => "job-ads",
            Topic::Applications => "applications",
            Topic::Billing => "billing",
            Topic::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Topic> {
        Topic::ALL.iter().copied().find(|t| t.as_str() == code)
    }
}

/// The label key of a stored topic code.
pub fn topic_key(code: &str) -> String {
    format!("support.topic.{code}")
}

/// Text typed into a form: trimmed, not empty, at most `max` characters.
pub fn text(value: &str, max: usize) -> Result<String, &'static str> {
    let value = value.trim();
    match value.chars().count() {
        0 => Err("support.validation.empty"),
        n if n > max => Err("validation.too_long"),
        _ => Ok(value.to_string()),
    }
}

pub const SUBJECT_MAX: usize = 200;
pub const NAME_MAX: usize = 100;
pub const MESSAGE_MAX: usize = 5000;
pub const REPLY_MAX: usize = 10_000;

/// Where an inquiry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Written, waiting for the sender to confirm the address (deleted after 48 hours).
    Unverified,
    /// In the support inbox.
    Open,
    /// Answered and closed; deleted 12 months later (rule `support-inquiries`).
    Closed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Unverified => "unverified",
            State::Open => "open",
            State::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<State> {
        [State::Unverified, State::Open, State::Closed]
            .into_iter()
            .find(|s| s.as_str() == code)
    }
}

impl TryFrom<String> for State {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        State::parse(&value).ok_or(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for topic in Topic::ALL {
            assert_eq!(Topic::parse(topic.as_str()), Some(*topic));
        }
        assert_eq!(State::parse("closed"), Some(State::Closed));
        assert_eq!(Topic::parse("gossip"), None);
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("  hi ", 10), Ok("hi".into()));
        assert_eq!(text("   ", 10), Err("support.validation.empty"));
        assert_eq!(text(&"x".repeat(11), 10), Err("validation.too_long"));
    }
}
