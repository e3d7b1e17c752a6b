//! What an op *is*, for dedup: a repeated op id is an honest resend only if it carries the
//! same change from the same author. The fingerprint is what room logs and stores keep of
//! each op id to tell the two apart.

use tether_core::board::Op;

/// A collision-resistant fingerprint of `author` + `op` (the stroke's `author` field left
/// out: the server sets it). BLAKE3, so no client can craft other content that matches.
pub fn fingerprint(author: &str, op: &Op) -> [u8; 16] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(author.as_bytes());
    hasher.update(&[0]);
    let content = match op {
        Op::AddStroke { stroke } => {
            let mut stroke = stroke.clone();
            stroke.author.clear();
            serde_json::to_vec(&Op::AddStroke { stroke })
        }
        other => serde_json::to_vec(other),
    };
    // Ops are plain data: serializing them cannot fail.
    hasher.update(&content.unwrap_or_default());
    let mut out = [0u8; 16];
    out.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    out
}

/// [`fingerprint`] as 32 hex digits, for stores that keep text.
pub fn fingerprint_hex(author: &str, op: &Op) -> String {
    fingerprint(author, op)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
