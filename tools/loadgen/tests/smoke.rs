//! Smoke run of the load generator and the native engine clients against a real server
//! on 127.0.0.1:0: a few clients for a few seconds, every message delivered.

use clap::Parser;
use leptos::config::LeptosOptions;
use loadgen::{
    conn::Target,
    swarm::{Rates, Swarm},
};
use server::{config::Config, AppState};
use std::time::{Duration, Instant};
use tether_client::{stroke_at, ClientOptions, NativeClient};

async fn start_server(dir: &std::path::Path) -> String {
    let config = Config::parse_from(["server", "--data-dir", dir.to_str().unwrap()]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let state = AppState::open(
        config,
        LeptosOptions::builder().output_name("tether").build(),
    )
    .unwrap();
    tokio::spawn(server::run(listener, state, std::future::pending()));
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_swarm_gets_every_message_with_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let swarm = Swarm::connect(Target::Tether, &addr, 2, 4).await.unwrap();
    assert_eq!(swarm.len(), 8);
    let rates = Rates {
        live: 30.0,
        stroke: 3.0,
        cursor: 10.0,
    };
    let step = swarm
        .measure(
            2,
            rates,
            Duration::from_secs(2),
            Duration::from_secs(5),
            None,
        )
        .await;
    assert!(step.sent_timed >= 100, "drawers sent {}", step.sent_timed);
    assert_eq!(
        step.expected,
        step.sent_timed * 3,
        "each message reaches the 3 others of its room"
    );
    assert_eq!(step.lost, 0, "{step:?}");
    assert_eq!(step.delivered, step.expected);
    assert!(step.p99_ms > 0.0 && step.p99_ms < 1_000.0, "{step:?}");
    assert_eq!(step.errors, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_engine_clients_draw_together_and_converge() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    let clients: Vec<NativeClient> = (0..3)
        .map(|i| {
            NativeClient::spawn(ClientOptions {
                server: format!("ws://{addr}"),
                room: "smoke".into(),
                name: format!("c{i}"),
            })
        })
        .collect();
    for (i, client) in clients.iter().enumerate() {
        for j in 0..4 {
            client.draw(stroke_at(10.0 * i as f32, 10.0 * j as f32));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let views: Vec<_> = clients.iter().map(NativeClient::view).collect();
        let converged = views.iter().all(|v| {
            v.state.is_live() && v.pending == 0 && v.seq == 12 && v.doc_hash == views[0].doc_hash
        });
        if converged {
            assert!(views.iter().all(|v| v.strokes == 12 && v.peers.len() == 2));
            break;
        }
        assert!(Instant::now() < deadline, "no convergence: {views:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for client in clients {
        client.stop().await;
    }
}
