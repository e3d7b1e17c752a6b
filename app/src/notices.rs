//! What the user reads in toasts: the wording for each of the engine's notices, and the
//! rules for which toasts an event makes obsolete. Pure, so it is tested natively.

use tether_core::sync::Notice;

/// One toast.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    /// Unique per board page, so the list can be keyed and dismissed.
    pub id: u64,
    /// What it is about.
    pub kind: ToastKind,
    /// The sentence shown.
    pub message: String,
}

/// What a toast is about (its colour, and whether it offers "Retry").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    /// The connection dropped.
    Lost,
    /// Back in sync.
    Restored,
    /// Gave up (or storage is full): stays until resolved or dismissed.
    Failed,
    /// The server refused a change.
    Rejected,
    /// Something the user asked for was done (a link copied).
    Info,
    /// The board is full (of people or of drawing): offers a new board; stays until
    /// dismissed.
    Full,
}

impl ToastKind {
    /// The CSS class suffix and the `data-kind` test hook.
    pub fn as_str(self) -> &'static str {
        match self {
            ToastKind::Lost => "lost",
            ToastKind::Restored => "restored",
            ToastKind::Failed => "failed",
            ToastKind::Rejected => "rejected",
            ToastKind::Info => "info",
            ToastKind::Full => "full",
        }
    }

    /// Stays until dismissed or resolved, instead of leaving after a few seconds.
    pub fn stays(self) -> bool {
        matches!(self, ToastKind::Failed | ToastKind::Full)
    }
}

/// The server's codes for a board that cannot take this user, or more drawing: a new
/// board can.
const FULL: [&str; 2] = ["room_full", "board_full"];

/// Shown once when the browser cannot save unsent strokes (told again only after saving
/// worked in between).
pub const STORAGE_FULL: &str =
    "This browser's storage is full: unsent strokes are kept only while this tab stays open.";

/// The toast for an engine notice.
pub fn toast_for(notice: &Notice) -> (ToastKind, String) {
    match notice {
        Notice::ConnectionLost => (
            ToastKind::Lost,
            "Connection lost. Keep drawing: your strokes are saved here and sent when it is back."
                .to_owned(),
        ),
        Notice::Restored { synced } => {
            let message = match synced {
                0 => "Connection restored.".to_owned(),
                1 => "Connection restored: 1 stroke synced.".to_owned(),
                n => format!("Connection restored: {n} strokes synced."),
            };
            (ToastKind::Restored, message)
        }
        Notice::Failed { code, reason } => {
            let full = code.as_deref().is_some_and(|code| FULL.contains(&code));
            let kind = if full {
                ToastKind::Full
            } else {
                ToastKind::Failed
            };
            (kind, format!("Disconnected: {reason}."))
        }
        Notice::Rejected { code, reason } => {
            let full = FULL.contains(&code.as_str());
            let kind = if full {
                ToastKind::Full
            } else {
                ToastKind::Rejected
            };
            (kind, format!("The server refused a change: {reason}."))
        }
    }
}

/// Whether a new toast of kind `new` makes an existing one of kind `old` untrue: once the
/// connection is restored, its "lost" and "failed" warnings are gone (a room that was full
/// had room again).
pub fn supersedes(new: ToastKind, old: ToastKind) -> bool {
    new == ToastKind::Restored
        && matches!(old, ToastKind::Lost | ToastKind::Failed | ToastKind::Full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_has_its_kind_and_sentence() {
        assert_eq!(toast_for(&Notice::ConnectionLost).0, ToastKind::Lost);
        assert!(toast_for(&Notice::ConnectionLost)
            .1
            .contains("Keep drawing"));
        let restored = |synced| toast_for(&Notice::Restored { synced }).1;
        assert_eq!(restored(0), "Connection restored.");
        assert_eq!(restored(1), "Connection restored: 1 stroke synced.");
        assert_eq!(restored(7), "Connection restored: 7 strokes synced.");
        let failed = toast_for(&Notice::Failed {
            code: None,
            reason: "could not reach the server".into(),
        });
        assert_eq!(
            failed,
            (
                ToastKind::Failed,
                "Disconnected: could not reach the server.".into()
            )
        );
        let rejected = toast_for(&Notice::Rejected {
            code: "too_many_points".into(),
            reason: "2001 points in one stroke; the limit is 2000".into(),
        });
        assert_eq!(rejected.0, ToastKind::Rejected);
        assert_eq!(
            rejected.1,
            "The server refused a change: 2001 points in one stroke; the limit is 2000."
        );
    }

    #[test]
    fn a_full_room_or_board_offers_a_new_board_and_stays() {
        let room_full = toast_for(&Notice::Failed {
            code: Some("room_full".into()),
            reason: "the room has 100 members".into(),
        });
        assert_eq!(room_full.0, ToastKind::Full);
        assert_eq!(room_full.1, "Disconnected: the room has 100 members.");
        let board_full = toast_for(&Notice::Rejected {
            code: "board_full".into(),
            reason: "the board holds 50000 strokes".into(),
        });
        assert_eq!(board_full.0, ToastKind::Full);
        let refused = toast_for(&Notice::Failed {
            code: Some("unsupported_protocol".into()),
            reason: "reload".into(),
        });
        assert_eq!(refused.0, ToastKind::Failed);
        assert!(ToastKind::Full.stays() && ToastKind::Failed.stays());
        assert!(!ToastKind::Rejected.stays() && !ToastKind::Info.stays());
    }

    #[test]
    fn restored_clears_the_outage_warnings_only() {
        assert!(supersedes(ToastKind::Restored, ToastKind::Lost));
        assert!(supersedes(ToastKind::Restored, ToastKind::Failed));
        assert!(supersedes(ToastKind::Restored, ToastKind::Full));
        assert!(!supersedes(ToastKind::Restored, ToastKind::Rejected));
        assert!(!supersedes(ToastKind::Lost, ToastKind::Failed));
    }
}
