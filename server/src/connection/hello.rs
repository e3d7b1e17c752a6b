//! The handshake: the first message on every connection must be a valid `hello` for the
//! room the connection is for.

use super::ProtocolError;
use crate::hub::Hello;
use tether_core::{
    board::is_valid_color,
    ids::is_valid_id,
    protocol::{clean_name, ClientMsg, PROTOCOL_VERSION},
};

/// Checks that `msg` is a valid `Hello` for `room`, and cleans it.
pub fn check_hello(room: &str, msg: ClientMsg) -> Result<Hello, ProtocolError> {
    let ClientMsg::Hello {
        protocol,
        room: hello_room,
        client_id,
        resume_token,
        last_seq,
        epoch,
        name,
        color,
    } = msg
    else {
        return Err(ProtocolError::HelloExpected);
    };
    if protocol != PROTOCOL_VERSION {
        return Err(ProtocolError::UnsupportedProtocol { client: protocol });
    }
    if hello_room != room {
        return Err(ProtocolError::RoomMismatch {
            hello: hello_room,
            url: room.to_owned(),
        });
    }
    if !is_valid_id(&client_id) {
        return Err(ProtocolError::InvalidClientId);
    }
    let name = clean_name(&name).ok_or(ProtocolError::InvalidName)?;
    if !is_valid_color(&color) {
        return Err(ProtocolError::InvalidColor);
    }
    // Tokens and epochs are ids this server issued; anything else cannot match.
    let resume_token = resume_token.filter(|t| is_valid_id(t));
    let epoch = epoch.filter(|e| is_valid_id(e));
    Ok(Hello {
        client_id,
        name,
        color,
        last_seq,
        epoch,
        resume_token,
    })
}

/// A valid hello from client `c1` ("Ann", at seq 3) for unit tests of the connection.
#[cfg(test)]
pub(crate) fn test_hello(room: &str) -> ClientMsg {
    ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        room: room.into(),
        client_id: "c1".into(),
        resume_token: None,
        last_seq: Some(3),
        epoch: None,
        name: "  Ann  ".into(),
        color: "#112233".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{test_hello as hello, *};

    #[test]
    fn a_good_hello_is_accepted_and_cleaned() {
        let checked = check_hello("r", hello("r")).unwrap();
        assert_eq!(checked.name, "Ann");
        assert_eq!(checked.last_seq, Some(3));
    }

    #[test]
    fn every_bad_hello_field_has_its_own_fatal_code() {
        let with = |edit: fn(&mut ClientMsg)| {
            let mut msg = hello("r");
            edit(&mut msg);
            check_hello("r", msg).unwrap_err()
        };
        let cases: [(fn(&mut ClientMsg), &str); 5] = [
            (
                |m| {
                    if let ClientMsg::Hello { protocol, .. } = m {
                        *protocol = 99
                    }
                },
                "unsupported_protocol",
            ),
            (
                |m| {
                    if let ClientMsg::Hello { room, .. } = m {
                        *room = "other".into()
                    }
                },
                "room_mismatch",
            ),
            (
                |m| {
                    if let ClientMsg::Hello { client_id, .. } = m {
                        *client_id = "a b".into()
                    }
                },
                "invalid_client_id",
            ),
            (
                |m| {
                    if let ClientMsg::Hello { name, .. } = m {
                        *name = " ".into()
                    }
                },
                "invalid_name",
            ),
            (
                |m| {
                    if let ClientMsg::Hello { color, .. } = m {
                        *color = "blue".into()
                    }
                },
                "invalid_color",
            ),
        ];
        for (edit, code) in cases {
            let error = with(edit);
            assert_eq!(error.code(), code);
            assert!(error.is_fatal());
        }
        assert_eq!(
            check_hello("r", ClientMsg::Bye).unwrap_err().code(),
            "hello_expected"
        );
    }
}
