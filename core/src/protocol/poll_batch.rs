//! Splitting what a polling client sends into requests the server accepts.
//!
//! A client that drew offline may hold hundreds of strokes; sent in one `POST` they would
//! exceed the server's batch limits and be refused with 413 every time (a client that
//! treats that as a lost link would loop forever). Split in order, each batch within
//! [`MAX_POLL_BATCH_MESSAGES`] and [`MAX_POLL_BATCH_BYTES`], nothing is refused for size.

use crate::limits::{MAX_POLL_BATCH_BYTES, MAX_POLL_BATCH_MESSAGES};

/// Bytes a batch adds around its messages: `{"messages":[` … `]}`.
const ENVELOPE_BYTES: usize = r#"{"messages":[]}"#.len();

/// Cuts `messages` (JSON texts, in order) into consecutive batches that each fit the
/// server's limits once wrapped as `{"messages":[a,b,…]}`. A single message is never
/// split; one larger than the byte limit travels alone (and the server answers it with
/// a specific error rather than refusing its neighbours).
pub fn poll_batches(messages: Vec<String>) -> Vec<Vec<String>> {
    let mut batches = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut bytes = ENVELOPE_BYTES;
    for message in messages {
        let cost = message.len() + usize::from(!current.is_empty());
        let full = current.len() == MAX_POLL_BATCH_MESSAGES || bytes + cost > MAX_POLL_BATCH_BYTES;
        if full && !current.is_empty() {
            batches.push(std::mem::take(&mut current));
            bytes = ENVELOPE_BYTES;
        }
        bytes += message.len() + usize::from(!current.is_empty());
        current.push(message);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wrapped_len(batch: &[String]) -> usize {
        format!("{{\"messages\":[{}]}}", batch.join(",")).len()
    }

    #[test]
    fn a_large_backlog_is_cut_by_count() {
        let messages: Vec<String> = (0..700).map(|i| format!("{{\"n\":{i}}}")).collect();
        let batches = poll_batches(messages.clone());
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            [256, 256, 188]
        );
        assert_eq!(batches.concat(), messages, "order and content kept");
    }

    #[test]
    fn large_messages_are_cut_by_bytes() {
        let big = "x".repeat(60 * 1024);
        let batches = poll_batches(vec![big.clone(); 20]);
        assert!(batches.len() > 1);
        for batch in &batches {
            assert!(wrapped_len(batch) <= MAX_POLL_BATCH_BYTES);
        }
        assert_eq!(batches.concat().len(), 20);
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert!(poll_batches(Vec::new()).is_empty());
    }

    proptest! {
        #[test]
        fn batches_fit_the_limits_and_keep_everything_in_order(
            sizes in prop::collection::vec(1usize..40_000, 0..600)
        ) {
            let messages: Vec<String> = sizes.iter().enumerate()
                .map(|(i, n)| format!("{i}:{}", "y".repeat(*n))).collect();
            let batches = poll_batches(messages.clone());
            for batch in &batches {
                prop_assert!(!batch.is_empty());
                prop_assert!(batch.len() <= MAX_POLL_BATCH_MESSAGES);
                prop_assert!(wrapped_len(batch) <= MAX_POLL_BATCH_BYTES);
            }
            prop_assert_eq!(batches.concat(), messages);
        }
    }
}
