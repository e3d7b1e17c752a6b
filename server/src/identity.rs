//! Author ids: who peers see behind a stroke. A client's id is a per-browser secret (it
//! binds resume tokens); everything other people receive — `applied.author`, strokes in
//! snapshots and in the server-rendered page — carries the author id instead: a keyed hash
//! of the client id under a server secret. Knowing someone's author id therefore grants
//! nothing: connecting with it as a client id yields a different author.
//!
//! The secret is `--identity-secret` (so the nodes of a cluster agree), or else kept in
//! `<data dir>/identity.key`, created on first start.

use std::{fmt, fs, io::Write, path::Path};
use tracing::{info, warn};

/// File holding the secret inside the data dir.
pub const KEY_FILE: &str = "identity.key";

/// Hex digits of an author id (128 bits).
const AUTHOR_HEX: usize = 32;

/// The server secret author ids are derived with.
pub struct AuthorKey([u8; 32]);

impl fmt::Debug for AuthorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorKey(..)") // never in logs
    }
}

impl AuthorKey {
    /// The configured secret (64 hex digits), or the one in `data_dir` (created if
    /// missing). If neither can be had, a random key for this run only, with a warning:
    /// author ids then change at the next restart, which loses nothing.
    pub fn load(data_dir: &Path, configured: Option<&str>) -> Self {
        if let Some(hex) = configured {
            match parse_hex(hex) {
                Some(key) => return Self(key),
                None => warn!("--identity-secret must be 64 hex digits: using the data dir's"),
            }
        }
        let path = data_dir.join(KEY_FILE);
        if let Some(key) = fs::read_to_string(&path)
            .ok()
            .and_then(|s| parse_hex(s.trim()))
        {
            return Self(key);
        }
        let key = random_key();
        match save(&path, &key) {
            Ok(()) => info!(path = %path.display(), "identity key created"),
            Err(error) => {
                warn!(%error, "cannot keep the identity key: author ids change at restart")
            }
        }
        Self(key)
    }

    /// A key from fixed bytes (tests).
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self(key)
    }

    /// A key for another purpose (`context` names it), derived from this secret: the
    /// same on every node that shares the secret.
    pub fn derive(&self, context: &str) -> [u8; 32] {
        blake3::derive_key(context, &self.0)
    }

    /// The author id of `client_id`: 32 hex digits, stable for this secret.
    pub fn author_of(&self, client_id: &str) -> String {
        let hash = blake3::keyed_hash(&self.0, client_id.as_bytes());
        hash.to_hex()[..AUTHOR_HEX].to_owned()
    }
}

/// A new random secret, as 64 hex digits (what `--identity-secret` takes).
pub fn random_secret_hex() -> String {
    to_hex(&random_key())
}

fn to_hex(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    // The OS generator failing means no secret can be made at all; see `random_id`.
    getrandom::fill(&mut key).expect("the OS random generator failed");
    key
}

fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

/// Writes the key readable by this user only.
fn save(path: &Path, key: &[u8; 32]) -> std::io::Result<()> {
    let hex = to_hex(key);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(hex.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_ids_are_stable_per_secret_and_reveal_nothing() {
        let key = AuthorKey::from_bytes([7; 32]);
        let alice = key.author_of("alice-client");
        assert_eq!(alice, key.author_of("alice-client"));
        assert_eq!(alice.len(), 32);
        assert!(!alice.contains("alice"));
        assert_ne!(alice, key.author_of("bob-client"));
        // Using someone's author id as a client id gives another author.
        assert_ne!(key.author_of(&alice), alice);
        assert_ne!(
            AuthorKey::from_bytes([8; 32]).author_of("alice-client"),
            alice
        );
    }

    #[test]
    fn the_key_survives_restarts_and_the_configured_one_wins() {
        let dir = tempfile::tempdir().unwrap();
        let first = AuthorKey::load(dir.path(), None).author_of("c");
        assert_eq!(AuthorKey::load(dir.path(), None).author_of("c"), first);
        let configured = "ab".repeat(32);
        let shared = AuthorKey::load(dir.path(), Some(&configured)).author_of("c");
        assert_ne!(shared, first);
        assert_eq!(AuthorKey::from_bytes([0xab; 32]).author_of("c"), shared);
    }
}
