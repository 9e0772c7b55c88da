//! The e-mails a company's team changes send, in the recipient's language: the invitation
//! with its signed link, and a note to the member about each change to their membership.

use crate::{
    error::Result,
    i18n::Tr,
    mail::{Letter, OutgoingMail},
};

pub struct InvitationMail<'a> {
    pub to: &'a str,
    pub company: &'a str,
    pub inviter: &'a str,
    pub role: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
}

pub fn invitation(t: Tr, mail: &InvitationMail<'_>) -> Result<OutgoingMail> {
    let args = [
        ("company", mail.company),
        ("name", mail.inviter),
        ("role", mail.role),
        ("date", mail.expires),
    ];
    let mut letter = Letter::new(t, "");
    letter.footer = t.s("email.team_invitation.footer").to_string();
    letter
        .paragraph(t.f("email.team_invitation.intro", &args))
        .paragraph(t.f("email.team_invitation.role", &args))
        .action(t.s("email.team_invitation.action"), mail.link)
        .paragraph(t.f("email.team_invitation.expiry", &args))
        .paragraph(t.s("email.team_invitation.not_you"))
        .into_mail(
            mail.to,
            t.f(
                "email.team_invitation.subject",
                &[("company", mail.company)],
            ),
        )
}

/// What happened to a member's membership, for the note that tells them.
pub enum Change<'a> {
    Joined {
        role: &'a str,
    },
    RoleChanged {
        role: &'a str,
        by: &'a str,
    },
    Removed {
        by: &'a str,
    },
    Left,
    /// Made admin because the company's last admin's account was erased.
    Promoted,
}

pub fn membership_changed(
    t: Tr,
    to: &str,
    name: &str,
    company: &str,
    change: &Change<'_>,
) -> Result<OutgoingMail> {
    let (key, role, by) = match change {
        Change::Joined { role } => ("joined", *role, ""),
        Change::RoleChanged { role, by } => ("role_changed", *role, *by),
        Change::Removed { by } => ("removed", "", *by),
        Change::Left => ("left", "", ""),
        Change::Promoted => ("promoted", "", ""),
    };
    let args = [("company", company), ("role", role), ("name", by)];
    let mut letter = Letter::new(t, name);
    letter.footer = t.s("email.team_change.footer").to_string();
    letter
        .paragraph(t.f(&format!("email.team_change.{key}"), &args))
        .paragraph(t.s("email.team_change.questions"))
        .into_mail(
            to,
            t.f("email.team_change.subject", &[("company", company)]),
        )
}
