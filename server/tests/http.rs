//! HTTP surface of a real server on 127.0.0.1:0: health, SSR pages, 404s.

use leptos::config::LeptosOptions;
use server::AppState;
use tokio::{net::TcpListener, sync::oneshot};

/// A running server; dropping it stops the server.
struct TestServer {
    base: String,
    _stop: oneshot::Sender<()>,
}

async fn start() -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let leptos_options = LeptosOptions::builder().output_name("tether").build();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server::run(listener, AppState { leptos_options }, async {
        let _ = stopped.await;
    }));
    TestServer { base, _stop: stop }
}

#[tokio::test]
async fn healthz_reports_ok_as_json() {
    let server = start().await;
    let response = reqwest::get(format!("{}/healthz", server.base)).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn landing_page_is_server_rendered_with_its_hydration_script() {
    let server = start().await;
    let response = reqwest::get(format!("{}/", server.base)).await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"data-testid="new-board""#), "{html}");
    assert!(html.contains("/pkg/tether.js"), "hydration script missing: {html}");
    assert!(html.contains("/pkg/tether.wasm"), "wasm preload missing: {html}");
}

#[tokio::test]
async fn board_page_renders_the_room_and_rejects_malformed_ids() {
    let server = start().await;
    let html = reqwest::get(format!("{}/b/my_room-1", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-testid="board""#), "{html}");
    assert!(html.contains("my_room-1"));

    let html = reqwest::get(format!("{}/b/bad%20room", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-testid="invalid-room""#), "{html}");
    assert!(!html.contains(r#"data-testid="board""#));
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let server = start().await;
    let response = reqwest::get(format!("{}/no/such/page", server.base)).await.unwrap();
    assert_eq!(response.status(), 404);
}
