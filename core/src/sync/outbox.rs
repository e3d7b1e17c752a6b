//! Durable ops the user made that the server has not confirmed yet.
//!
//! An op enters before it is first sent and leaves only on `Applied` (its ack) or
//! `Rejected`. It is never dropped for age or size. The runtime persists the entries after
//! every change, so they survive a reload or a browser restart.

use crate::{
    board::Op,
    json::{DecodeError, FromJson, Json},
};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// One unconfirmed op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingOp {
    /// The op's unique id (resends reuse it).
    pub op_id: String,
    /// The op.
    pub op: Op,
    /// When the user made it (ms since the Unix epoch): orders ops merged from several
    /// saved outboxes (other tabs, earlier sessions).
    pub created_ms: f64,
}

impl FromJson for PendingOp {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let fields = value.object()?;
        Ok(PendingOp {
            op_id: fields.req("opId")?,
            op: fields.req("op")?,
            created_ms: fields.req("createdMs")?,
        })
    }
}

/// The ordered unconfirmed ops.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    entries: VecDeque<PendingOp>,
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// An outbox holding `entries` from saved outboxes, deduplicated by op id and ordered
    /// by creation time (stable for equal times).
    pub fn restore(entries: impl IntoIterator<Item = PendingOp>) -> Self {
        let mut all: Vec<PendingOp> = entries.into_iter().collect();
        crate::compact::sort_by(&mut all, |a, b| a.created_ms.total_cmp(&b.created_ms));
        let mut outbox = Self::new();
        for entry in all {
            outbox.push(entry);
        }
        outbox
    }

    /// Adds an op at the end; `false` (and no change) if its id is already waiting.
    pub fn push(&mut self, entry: PendingOp) -> bool {
        if self.contains(&entry.op_id) {
            return false;
        }
        self.entries.push_back(entry);
        true
    }

    /// Removes the op with this id (acked or rejected), wherever it is.
    pub fn remove(&mut self, op_id: &str) -> Option<PendingOp> {
        let index = self.entries.iter().position(|e| e.op_id == op_id)?;
        self.entries.remove(index)
    }

    /// True while `op_id` is unconfirmed.
    pub fn contains(&self, op_id: &str) -> bool {
        self.entries.iter().any(|e| e.op_id == op_id)
    }

    /// Unconfirmed ops.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when everything is confirmed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in send order.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &PendingOp> + '_ {
        self.entries.iter()
    }

    /// The ops in send order.
    pub fn ops(&self) -> impl Iterator<Item = &Op> + '_ {
        self.entries.iter().map(|e| &e.op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_outbox_reads_back_as_serde_reads_it() {
        let saved = vec![
            pending("a", 1_733_450_000_123.0),
            PendingOp {
                op_id: "b".into(),
                op: Op::Clear,
                created_ms: 0.5,
            },
        ];
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(crate::json::decode::<Vec<PendingOp>>(&text).unwrap(), saved);
        assert_eq!(
            serde_json::from_str::<Vec<PendingOp>>(&text).unwrap(),
            saved
        );
        assert!(crate::json::decode::<Vec<PendingOp>>(r#"[{"opId":"a"}]"#).is_err());
    }

    fn pending(id: &str, created_ms: f64) -> PendingOp {
        PendingOp {
            op_id: id.into(),
            op: Op::EraseStroke { id: id.into() },
            created_ms,
        }
    }

    #[test]
    fn ops_leave_only_when_removed_by_id() {
        let mut outbox = Outbox::new();
        assert!(outbox.push(pending("a", 1.0)));
        assert!(outbox.push(pending("b", 2.0)));
        assert!(!outbox.push(pending("a", 3.0)), "same id twice is one op");
        assert_eq!(outbox.len(), 2);
        assert_eq!(outbox.remove("b").unwrap().op_id, "b");
        assert_eq!(outbox.remove("b"), None);
        assert_eq!(
            outbox
                .entries()
                .map(|e| e.op_id.as_str())
                .collect::<Vec<_>>(),
            ["a"]
        );
    }

    #[test]
    fn restoring_merges_saved_outboxes_in_creation_order() {
        let tab1 = [pending("a", 1.0), pending("c", 3.0)];
        let tab2 = [pending("b", 2.0), pending("a", 1.0)];
        let outbox = Outbox::restore(tab1.into_iter().chain(tab2));
        assert_eq!(
            outbox
                .entries()
                .map(|e| e.op_id.as_str())
                .collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn entries_serialize_for_storage() {
        let entry = pending("a", 1.5);
        let json = serde_json::to_string(&entry).unwrap();
        assert_eq!(serde_json::from_str::<PendingOp>(&json).unwrap(), entry);
        assert!(json.contains("\"opId\":\"a\""), "{json}");
    }
}
