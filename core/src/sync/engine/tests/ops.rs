//! Durable ops and ephemeral messages: the outbox, acks, gaps and rejections.

use super::*;

#[test]
fn ops_are_sent_when_live_and_leave_the_outbox_on_ack() {
    let mut engine = live_engine();
    engine.submit(10.0, "op1".into(), stroke_op("s1"));
    let effects = drained(&mut engine);
    assert!(effects.contains(&Effect::SaveOutbox));
    assert_eq!(op_ids(&effects), ["op1"]);
    assert_eq!(engine.outbox().len(), 1);
    assert_eq!(
        engine.visible_strokes().len(),
        1,
        "pending strokes are visible"
    );
    engine.receive(20.0, 0.5, applied(1, "op1", stroke_op("s1")));
    assert_eq!(engine.outbox().len(), 0);
    assert_eq!(engine.board().seq(), 1);
    assert_eq!(engine.visible_strokes().len(), 1);
}

#[test]
fn offline_ops_wait_in_the_outbox_and_go_out_in_order_after_the_replay() {
    let mut engine = live_engine();
    engine.close_now(100.0, 0.0);
    engine.submit(110.0, "a".into(), stroke_op("sa"));
    engine.submit(120.0, "b".into(), stroke_op("sb"));
    engine.submit(130.0, "c".into(), stroke_op("sc"));
    assert!(
        op_ids(&drained(&mut engine)).is_empty(),
        "nothing sent while disconnected"
    );
    assert_eq!(engine.outbox().len(), 3);

    engine.tick(engine.retry_at().unwrap(), 0.5);
    assert!(drained(&mut engine).contains(&connect(Transport::WebSocket)));
    engine.open_now(200.0);
    engine.receive(201.0, 0.5, welcome(1));
    // The replay shows "a" was stored before the drop: it is acked, not resent.
    engine.receive(
        202.0,
        0.5,
        ServerMsg::Replay {
            ops: vec![AppliedOp {
                seq: 1,
                op_id: "a".into(),
                author: "me".into(),
                op: stroke_op("sa"),
            }],
        },
    );
    let effects = drained(&mut engine);
    assert_eq!(op_ids(&effects), ["b", "c"]);
    assert_eq!(engine.outbox().len(), 2);
}

#[test]
fn a_gap_in_the_log_forces_a_resync() {
    let mut engine = live_engine();
    engine.receive(10.0, 0.5, applied(3, "x", Op::Clear));
    let effects = drained(&mut engine);
    assert_eq!(effects, [Effect::Disconnect, connect(Transport::WebSocket)]);
    assert_eq!(engine.board().seq(), 0);
}

#[test]
fn rejected_ops_leave_with_a_notice() {
    let mut engine = live_engine();
    engine.submit(10.0, "op1".into(), stroke_op("s1"));
    drained(&mut engine);
    engine.receive(
        20.0,
        0.5,
        ServerMsg::Rejected {
            op_id: "op1".into(),
            code: "invalid_width".into(),
            reason: "too wide".into(),
        },
    );
    let effects = drained(&mut engine);
    assert!(effects.contains(&Effect::SaveOutbox));
    assert_eq!(
        notices(&effects),
        [Notice::Rejected {
            code: "invalid_width".into(),
            reason: "too wide".into()
        }]
    );
    assert!(engine.outbox().is_empty());
    assert!(engine.visible_strokes().is_empty());
}

#[test]
fn ephemeral_messages_are_never_queued() {
    let mut engine = live_engine();
    engine.close_now(10.0, 0.5);
    drained(&mut engine);
    engine.send_ephemeral(ClientMsg::Cursor { x: 1.0, y: 1.0 });
    assert!(drained(&mut engine).is_empty());
}

fn rate_limited(retry_after_ms: u64) -> ServerMsg {
    ServerMsg::Error {
        code: crate::protocol::RATE_LIMITED.into(),
        message: "too many changes at once".into(),
        fatal: false,
        retry_after_ms: Some(retry_after_ms),
    }
}

#[test]
fn a_rate_limited_client_comes_back_after_the_pause_with_its_outbox_in_order() {
    let mut engine = live_engine();
    for id in ["op1", "op2", "op3"] {
        engine.submit(10.0, id.into(), stroke_op(id));
    }
    assert_eq!(op_ids(&drained(&mut engine)), ["op1", "op2", "op3"]);
    engine.receive(20.0, 0.5, applied(1, "op1", stroke_op("op1")));
    // The server says why, then ends the connection.
    engine.receive(21.0, 0.5, rate_limited(1_000));
    engine.close_now(22.0, 0.0);
    assert_eq!(
        engine.retry_at(),
        Some(1_021.0),
        "back after the pause, not before"
    );
    engine.submit(30.0, "op4".into(), stroke_op("op4"));
    assert!(op_ids(&drained(&mut engine)).is_empty(), "held while away");
    engine.tick(1_021.0, 0.5);
    engine.open_now(1_030.0);
    engine.receive(1_031.0, 0.5, welcome(1));
    engine.receive(1_032.0, 0.5, ServerMsg::Replay { ops: vec![] });
    assert_eq!(op_ids(&drained(&mut engine)), ["op2", "op3", "op4"]);
    assert_eq!(engine.outbox().len(), 3, "slowed, never dropped");
}

#[test]
fn a_rate_limit_pause_is_never_a_busy_loop() {
    let mut engine = live_engine();
    engine.receive(20.0, 0.5, rate_limited(0));
    engine.close_now(21.0, 0.0);
    assert!(engine.retry_at().unwrap() >= 120.0);
}
