//! What every part of the portal needs to know about the policies: their version and date,
//! the names of the cookies they declare, and the masked IP that is all they let us store.

use std::fmt;
use std::net::IpAddr;

/// The version of the privacy and cookie policies. Raise it (and [`POLICY_UPDATED`]) whenever
/// what the policies say changes: consent given under an older version is asked for again.
pub const POLICY_VERSION: &str = "9";

/// The date the policies of [`POLICY_VERSION`] took effect (YYYY-MM-DD).
pub const POLICY_UPDATED: &str = "2026-12-01";

/// The names of every cookie the portal may set. The registry declares each one's category,
/// purpose and lifetime; nothing else sets cookies.
pub mod cookie_names {
    /// Strictly necessary: the session (login, CSRF token, the language chosen in the header).
    pub const SESSION: &str = "jobboard_session";
    /// Strictly necessary: the visitor's cookie choice (consent id, categories, policy version).
    pub const CONSENT: &str = "jobboard_consent";
    /// Preferences: the chosen language, remembered beyond the session.
    pub const LANGUAGE: &str = "jobboard_lang";
    /// Statistics: tells one visit from the next, so that visits per day can be counted.
    pub const VISIT: &str = "jobboard_visit";
    /// Marketing: the campaign (utm_source / utm_campaign) that brought the visitor, so that
    /// visits are counted per campaign.
    pub const CAMPAIGN: &str = "jobboard_campaign";
}

/// An IP address cut down before it is stored anywhere: IPv4 to its /24, IPv6 to its /48. Consent
/// records, statistics and privacy requests keep only this, never the full address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaskedIp(IpAddr);

impl MaskedIp {
    pub fn new(ip: IpAddr) -> Self {
        let masked = match ip {
            IpAddr::V4(v4) => {
                let [a, b, c, _] = v4.octets();
                IpAddr::from([a, b, c, 0])
            }
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                // An IPv4 client seen through a dual-stack socket is masked as IPv4.
                Some(v4) => return Self::new(IpAddr::V4(v4)),
                None => {
                    let s = v6.segments();
                    IpAddr::from([s[0], s[1], s[2], 0, 0, 0, 0, 0])
                }
            },
        };
        Self(masked)
    }
}

/// Written with its prefix length (`192.0.2.0/24`, `2001:db8:1::/48`) so nobody mistakes it for
/// a full address.
impl fmt::Display for MaskedIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}/24"),
            IpAddr::V6(v6) => write!(f, "{v6}/48"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(ip: &str) -> String {
        MaskedIp::new(ip.parse().unwrap()).to_string()
    }

    #[test]
    fn ipv4_keeps_its_first_three_octets() {
        assert_eq!(masked("203.0.113.77"), "203.0.113.0/24");
    }

    #[test]
    fn ipv6_keeps_its_first_48_bits() {
        assert_eq!(masked("2001:db8:abcd:12:1:2:3:4"), "2001:db8:abcd::/48");
    }

    #[test]
    fn ipv4_mapped_ipv6_is_masked_as_ipv4() {
        assert_eq!(masked("::ffff:198.51.100.9"), "198.51.100.0/24");
    }
}
