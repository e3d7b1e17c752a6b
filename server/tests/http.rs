//! HTTP surface of a real server on 127.0.0.1:0: health, SSR pages, 404s.

mod common;

use common::TestServer;

async fn start() -> (TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (TestServer::start(dir.path()).await, dir)
}

#[tokio::test]
async fn healthz_reports_ok_as_json() {
    let (server, _dir) = start().await;
    let response = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn landing_page_is_server_rendered_with_its_hydration_script() {
    let (server, _dir) = start().await;
    let response = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"data-testid="new-board""#), "{html}");
    assert!(
        html.contains("/pkg/tether.js"),
        "hydration script missing: {html}"
    );
    assert!(
        html.contains("/pkg/tether.wasm"),
        "wasm preload missing: {html}"
    );
}

#[tokio::test]
async fn board_page_renders_the_room_and_rejects_malformed_ids() {
    let (server, _dir) = start().await;
    let html = reqwest::get(server.url("/b/my_room-1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-testid="board""#), "{html}");
    assert!(html.contains("my_room-1"));

    let html = reqwest::get(server.url("/b/bad%20room"))
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
    let (server, _dir) = start().await;
    let response = reqwest::get(server.url("/no/such/page")).await.unwrap();
    assert_eq!(response.status(), 404);
}
