//! The privacy section for support inquiries: the person sees (and exports) every inquiry
//! sent from their account or address, with its thread; erasure deletes them.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{inbox::deletion_due, store};
use crate::{
    db::Tx,
    error::Result,
    privacy::sections::{
        Erasure, Section, SectionContext, Subject, erase_own_rows, erase_rows_by_address, ts,
    },
};

pub struct SupportInquiries;

#[async_trait]
impl Section for SupportInquiries {
    fn key(&self) -> &'static str {
        "support_inquiries"
    }

    async fn collect(&self, cx: &SectionContext, subject: &Subject) -> Result<Value> {
        let mut inquiries = Vec::new();
        for inquiry in store::of_person(&cx.db, subject.user_id(), &subject.email).await? {
            let messages: Vec<Value> = store::messages(&cx.db, inquiry.id)
                .await?
                .into_iter()
                .map(|m| {
                    json!({
                        "written_by": if m.author == "operator" { "support" } else { "you" },
                        "message": m.body,
                        "at": ts(m.created_at),
                    })
                })
                .collect();
            inquiries.push(json!({
                "inquiry_number": inquiry.id,
                "topic": inquiry.topic,
                "subject": inquiry.subject,
                "state": inquiry.state.as_str(),
                "received_at": inquiry.received_at.map(ts),
                "closed_at": inquiry.closed_at.map(ts),
                "delete_after": inquiry.closed_at.map(|at| ts(deletion_due(at))),
                "messages": messages,
            }));
        }
        Ok(Value::Array(inquiries))
    }

    async fn erase_many(
        &self,
        _cx: &SectionContext,
        tx: &mut Tx,
        subjects: &[Subject],
        erasure: &mut Erasure,
    ) -> Result<()> {
        // Every inquiry sent from the people's accounts or addresses, with its thread.
        erase_own_rows(
            tx,
            subjects,
            erasure,
            "support_inquiries",
            "DELETE FROM support_inquiries WHERE user_id IN {list} RETURNING user_id",
        )
        .await?;
        let addresses: Vec<String> = subjects.iter().map(|s| s.email.to_lowercase()).collect();
        erase_rows_by_address(
            tx,
            &addresses,
            erasure,
            "support_inquiries",
            "DELETE FROM support_inquiries WHERE LOWER(email) IN {list} RETURNING email",
        )
        .await
    }
}
