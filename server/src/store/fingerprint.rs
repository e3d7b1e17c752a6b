//! What an op *is*, for dedup: a repeated op id is an honest resend only if it carries the
//! same change from the same author. The fingerprint is what room logs and stores keep of
//! each op id to tell the two apart.
//!
//! Fingerprints outlive wire formats (Redis keeps them with every op id for good), so a
//! stroke is fingerprinted in protocol 1's JSON form — points as `[x, y]` arrays — whatever
//! the wire carries now: an op committed before an upgrade and resent after it is still
//! recognised as the same op.

use serde::Serialize;
use tether_core::board::{Op, Point};

/// A stroke as protocol 1 wrote it (field order and all).
#[derive(Serialize)]
#[serde(tag = "kind", rename = "addStroke")]
struct ProtocolOneStroke<'a> {
    stroke: ProtocolOneStrokeFields<'a>,
}

#[derive(Serialize)]
struct ProtocolOneStrokeFields<'a> {
    id: &'a str,
    points: &'a [Point],
    color: &'a str,
    width: f32,
    author: &'a str,
}

/// A collision-resistant fingerprint of `author` + `op` (the stroke's `author` field left
/// out: the server sets it). BLAKE3, so no client can craft other content that matches.
pub fn fingerprint(author: &str, op: &Op) -> [u8; 16] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(author.as_bytes());
    hasher.update(&[0]);
    let content = match op {
        Op::AddStroke { stroke } => serde_json::to_vec(&ProtocolOneStroke {
            stroke: ProtocolOneStrokeFields {
                id: &stroke.id,
                points: &stroke.points,
                color: &stroke.color,
                width: stroke.width,
                author: "",
            },
        }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use tether_core::board::Stroke;

    #[test]
    fn strokes_are_fingerprinted_in_their_protocol_one_form() {
        let stroke = Stroke {
            id: "s1".into(),
            points: vec![Point::new(1.5, -2.0), Point::new(3.0, 4.2)],
            color: "#112233".into(),
            width: 2.0,
            author: "someone-else".into(),
        };
        let protocol_one = r##"{"kind":"addStroke","stroke":{"id":"s1","points":[[1.5,-2.0],[3.0,4.2]],"color":"#112233","width":2.0,"author":""}}"##;
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"me\0");
        hasher.update(protocol_one.as_bytes());
        assert_eq!(
            fingerprint("me", &Op::AddStroke { stroke }),
            hasher.finalize().as_bytes()[..16]
        );
    }
}
