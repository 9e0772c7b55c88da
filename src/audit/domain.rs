//! What an audit entry says, and how its hash is made. An entry names the operator, the action,
//! whose data it concerns (an account number) and which record (kind and number), with the
//! reason code where the console asks for one: ids and codes only, never a copy of the data.

use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The `prev_hash` of the first entry ever written.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Which part of the operators' work an action belongs to. A person sees this (not the
/// operator's name) for each look at their data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Accounts,
    Moderation,
    Support,
    Privacy,
    Retention,
    Billing,
    Newsletter,
    SignIn,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Accounts => "accounts",
            Area::Moderation => "moderation",
            Area::Support => "support",
            Area::Privacy => "privacy",
            Area::Retention => "retention",
            Area::Billing => "billing",
            Area::Newsletter => "newsletter",
            Area::SignIn => "sign_in",
        }
    }
}

macro_rules! actions {
    ($($variant:ident => $code:literal, $area:ident;)+) => {
        /// Every action the audit log knows. The codes are stored and never change meaning.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Action { $($variant),+ }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Action::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<Action> {
                match code { $($code => Some(Action::$variant),)+ _ => None }
            }

            pub fn area(self) -> Area {
                match self { $(Action::$variant => Area::$area),+ }
            }
        }
    };
}

actions!(
    ViewedAccount => "viewed_account", Accounts;
    ViewedApplication => "viewed_application", Accounts;
    DownloadedApplicationFile => "downloaded_application_file", Accounts;
    DownloadedDocument => "downloaded_document", Accounts;
    BlockedAccount => "blocked_account", Accounts;
    UnblockedAccount => "unblocked_account", Accounts;
    BlockedCompany => "blocked_company", Accounts;
    UnblockedCompany => "unblocked_company", Accounts;
    ApprovedAd => "approved_ad", Moderation;
    RejectedAd => "rejected_ad", Moderation;
    SetCompanyTrust => "set_company_trust", Moderation;
    SetCompanyVerified => "set_company_verified", Moderation;
    ViewedInquiry => "viewed_inquiry", Support;
    RepliedInquiry => "replied_inquiry", Support;
    ClosedInquiry => "closed_inquiry", Support;
    ViewedRequest => "viewed_request", Privacy;
    ExtendedRequest => "extended_request", Privacy;
    AnsweredRequest => "answered_request", Privacy;
    SentExport => "sent_export", Privacy;
    Erased => "erased", Privacy;
    PlacedHold => "placed_hold", Retention;
    LiftedHold => "lifted_hold", Retention;
    ViewedInvoice => "viewed_invoice", Billing;
    RecordedPayment => "recorded_payment", Billing;
    IssuedCreditNote => "issued_credit_note", Billing;
    ExportedBilling => "exported_billing", Billing;
    SavedProduct => "saved_product", Billing;
    ImportedBankStatement => "imported_bank_statement", Billing;
    ResolvedBankLine => "resolved_bank_line", Billing;
    SentNewsletter => "sent_newsletter", Newsletter;
    EnrolledSecondFactor => "enrolled_second_factor", SignIn;
    RegeneratedRecoveryCodes => "regenerated_recovery_codes", SignIn;
    AddedPasskey => "added_passkey", SignIn;
    RemovedPasskey => "removed_passkey", SignIn;
    RemovedSecondFactor => "removed_second_factor", SignIn;
);

/// The record an action concerns, by its kind and number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object {
    Account(i64),
    Company(i64),
    Application(i64),
    File(i64),
    Ad(i64),
    Inquiry(i64),
    PrivacyRequest(i64),
    Hold(i64),
    Invoice(i64),
    Product(i64),
    BankLine(i64),
    NewsletterIssue(i64),
}

impl Object {
    pub fn kind(self) -> &'static str {
        match self {
            Object::Account(_) => "account",
            Object::Company(_) => "company",
            Object::Application(_) => "application",
            Object::File(_) => "file",
            Object::Ad(_) => "ad",
            Object::Inquiry(_) => "inquiry",
            Object::PrivacyRequest(_) => "privacy_request",
            Object::Hold(_) => "hold",
            Object::Invoice(_) => "invoice",
            Object::Product(_) => "product",
            Object::BankLine(_) => "bank_line",
            Object::NewsletterIssue(_) => "newsletter_issue",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Object::Account(id)
            | Object::Company(id)
            | Object::Application(id)
            | Object::File(id)
            | Object::Ad(id)
            | Object::Inquiry(id)
            | Object::PrivacyRequest(id)
            | Object::Hold(id)
            | Object::Invoice(id)
            | Object::Product(id)
            | Object::BankLine(id)
            | Object::NewsletterIssue(id) => id,
        }
    }
}

/// One entry to append.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub operator: i64,
    pub action: Action,
    /// Whose personal data: their account number, if a person's.
    pub subject: Option<i64>,
    pub object: Option<Object>,
    /// A reason code from the console's fixed lists (never free text, which could hold
    /// personal data).
    pub reason: Option<&'a str>,
}

impl<'a> Entry<'a> {
    pub fn new(operator: i64, action: Action) -> Entry<'a> {
        Entry {
            operator,
            action,
            subject: None,
            object: None,
            reason: None,
        }
    }

    pub fn about(mut self, subject: Option<i64>) -> Self {
        self.subject = subject;
        self
    }

    pub fn on(mut self, object: Object) -> Self {
        self.object = Some(object);
        self
    }

    pub fn because(mut self, reason: &'a str) -> Self {
        self.reason = Some(reason);
        self
    }
}

/// The fields an entry's hash covers, as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Stored {
    pub id: i64,
    pub operator_id: i64,
    pub action: String,
    pub subject_user_id: Option<i64>,
    pub object_kind: Option<String>,
    pub object_id: Option<i64>,
    pub reason: Option<String>,
    pub created_at: OffsetDateTime,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// SHA-256 (hex) over the previous entry's hash and this entry's fields, as a JSON array
/// (so no separator can be forged); the time in nanoseconds since the epoch, so both
/// databases give the same text.
#[allow(clippy::too_many_arguments)]
pub fn hash(
    prev_hash: &str,
    operator: i64,
    action: &str,
    subject: Option<i64>,
    object_kind: Option<&str>,
    object_id: Option<i64>,
    reason: Option<&str>,
    at: OffsetDateTime,
) -> String {
    let fields = json!([
        "jobboard-audit-v1",
        prev_hash,
        operator,
        action,
        subject,
        object_kind,
        object_id,
        reason,
        at.unix_timestamp_nanos().to_string(),
    ]);
    let digest = Sha256::digest(fields.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Stored {
    /// The hash this entry's fields give after `prev_hash`.
    pub fn expected_hash(&self, prev_hash: &str) -> String {
        hash(
            prev_hash,
            self.operator_id,
            &self.action,
            self.subject_user_id,
            self.object_kind.as_deref(),
            self.object_id,
            self.reason.as_deref(),
            self.created_at,
        )
    }
}

/// Where the chain starts: the last entry removed by the retention sweeper (its number and
/// hash), or the beginning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub entry_id: i64,
    pub hash: String,
}

/// The chain's head as recorded at each append: the newest entry's number and hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub entry_id: i64,
    pub hash: String,
}

/// What `jobboard audit verify` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Intact { entries: u64, head: Option<Head> },
    Broken { entry: i64, why: &'static str },
}

/// Walks entries in order, carrying the expected previous hash.
pub struct Walk {
    expected_prev: String,
    checkpoint: Option<i64>,
    last: Option<Head>,
    entries: u64,
}

impl Walk {
    pub fn new(checkpoint: Option<&Checkpoint>) -> Walk {
        Walk {
            expected_prev: checkpoint.map_or(GENESIS.to_string(), |c| c.hash.clone()),
            checkpoint: checkpoint.map(|c| c.entry_id),
            last: None,
            entries: 0,
        }
    }

    /// Checks the next entry; the reason it breaks the chain, if it does.
    pub fn step(&mut self, entry: &Stored) -> Result<(), &'static str> {
        if self.checkpoint.is_some_and(|c| entry.id <= c) {
            return Err("it is older than the checkpoint left by the retention sweeper");
        }
        let (Some(prev), Some(hash)) = (&entry.prev_hash, &entry.hash) else {
            return Err("it carries no hash");
        };
        if *prev != self.expected_prev {
            return Err(
                "it does not follow the entry before it (an entry was removed, inserted or altered)",
            );
        }
        if entry.expected_hash(prev) != *hash {
            return Err("its content does not match its hash (it was altered)");
        }
        self.expected_prev = hash.clone();
        self.last = Some(Head {
            entry_id: entry.id,
            hash: hash.clone(),
        });
        self.entries += 1;
        Ok(())
    }

    /// The verdict once every entry was stepped through: the last one must be the recorded
    /// head (else the newest entries were removed).
    pub fn finish(self, head: Option<&Head>) -> Verdict {
        match (head, &self.last) {
            (Some(head), Some(last)) if head == last => Verdict::Intact {
                entries: self.entries,
                head: self.last,
            },
            (None, None) => Verdict::Intact {
                entries: 0,
                head: None,
            },
            // Everything swept: the head is the checkpoint.
            (Some(head), None) if Some(head.entry_id) == self.checkpoint => Verdict::Intact {
                entries: 0,
                head: None,
            },
            (Some(head), _) => Verdict::Broken {
                entry: head.entry_id,
                why: "the newest entry the chain recorded is missing or altered (entries were removed from the end)",
            },
            (None, Some(last)) => Verdict::Broken {
                entry: last.entry_id,
                why: "the chain records no head, yet entries exist",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, prev: &str, action: Action, at: i64) -> Stored {
        let at = OffsetDateTime::from_unix_timestamp(at).unwrap();
        let hash = hash(
            prev,
            7,
            action.as_str(),
            Some(3),
            Some("file"),
            Some(9),
            None,
            at,
        );
        Stored {
            id,
            operator_id: 7,
            action: action.as_str().into(),
            subject_user_id: Some(3),
            object_kind: Some("file".into()),
            object_id: Some(9),
            reason: None,
            created_at: at,
            prev_hash: Some(prev.into()),
            hash: Some(hash),
        }
    }

    fn chain() -> Vec<Stored> {
        let a = entry(1, GENESIS, Action::ViewedAccount, 1_700_000_000);
        let b = entry(
            2,
            a.hash.as_deref().unwrap(),
            Action::DownloadedDocument,
            1_700_000_100,
        );
        let c = entry(
            3,
            b.hash.as_deref().unwrap(),
            Action::ViewedApplication,
            1_700_000_200,
        );
        vec![a, b, c]
    }

    fn head(e: &Stored) -> Head {
        Head {
            entry_id: e.id,
            hash: e.hash.clone().unwrap(),
        }
    }

    fn verify(entries: &[Stored], checkpoint: Option<&Checkpoint>, head: Option<&Head>) -> Verdict {
        let mut walk = Walk::new(checkpoint);
        for e in entries {
            if let Err(why) = walk.step(e) {
                return Verdict::Broken { entry: e.id, why };
            }
        }
        walk.finish(head)
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        let entries = chain();
        let verdict = verify(&entries, None, Some(&head(&entries[2])));
        assert!(matches!(verdict, Verdict::Intact { entries: 3, .. }));
    }

    #[test]
    fn altering_removing_or_truncating_is_found() {
        let mut altered = chain();
        altered[1].subject_user_id = Some(4);
        let h = head(&altered[2]);
        assert!(matches!(
            verify(&altered, None, Some(&h)),
            Verdict::Broken { entry: 2, .. }
        ));
        let mut removed = chain();
        removed.remove(1);
        assert!(matches!(
            verify(&removed, None, Some(&h)),
            Verdict::Broken { entry: 3, .. }
        ));
        let mut truncated = chain();
        truncated.pop();
        assert!(matches!(
            verify(&truncated, None, Some(&h)),
            Verdict::Broken { entry: 3, .. }
        ));
    }

    #[test]
    fn a_swept_beginning_is_covered_by_the_checkpoint() {
        let entries = chain();
        let checkpoint = Checkpoint {
            entry_id: 1,
            hash: entries[0].hash.clone().unwrap(),
        };
        let h = head(&entries[2]);
        assert!(matches!(
            verify(&entries[1..], Some(&checkpoint), Some(&h)),
            Verdict::Intact { entries: 2, .. }
        ));
        // Without the checkpoint the second entry follows nothing known.
        assert!(matches!(
            verify(&entries[1..], None, Some(&h)),
            Verdict::Broken { entry: 2, .. }
        ));
    }

    #[test]
    fn codes_round_trip() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(*action));
        }
    }
}
