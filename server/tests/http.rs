//! HTTP surface of a real server on 127.0.0.1:0: health, SSR pages, 404s.

mod common;

use common::TestServer;
use std::sync::atomic::{AtomicUsize, Ordering};

#[tokio::test]
async fn healthz_and_readyz_report_the_servers_vitals_as_json() {
    let server = TestServer::temp(&[]).await;
    let (_alice, _) = common::Client::join(&server, "vitals", "alice", None).await;
    for (path, status) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = reqwest::get(server.url(path)).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(body["status"], status, "{path}");
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"), "{path}");
        assert!(body["uptimeSeconds"].is_u64(), "{path}: {body}");
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let server_time = body["serverTime"].as_u64().unwrap();
        assert!(server_time.abs_diff(now_ms) < 60_000, "{path}: {body}");
        // Alice's socket and this request.
        assert!(
            body["activeConnections"].as_u64().unwrap() >= 2,
            "{path}: {body}"
        );
        assert_eq!(body["loadedRooms"], 1, "{path}: {body}");
        assert_eq!(body["pollingSessions"], 0, "{path}: {body}");
        assert!(body.get("node").is_none(), "single node: {body}");
    }
}

#[tokio::test]
async fn landing_page_is_server_rendered_with_its_hydration_script() {
    let server = TestServer::temp(&[]).await;
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

/// The body of `GET path`.
async fn page_text(server: &TestServer, path: &str) -> String {
    reqwest::get(server.url(path))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_dashboard_loads_its_own_bundle_and_the_board_pages_never_load_it() {
    let server = TestServer::temp(&[]).await;
    for path in ["/", "/b/room-1", "/nope"] {
        let html = page_text(&server, path).await;
        assert!(html.contains("/pkg/tether.wasm"), "{path}: {html}");
        assert!(!html.contains("tether-admin"), "{path}: {html}");
    }
    let html = page_text(&server, "/admin").await;
    assert!(html.contains("/pkg/tether-admin.js"), "{html}");
    assert!(html.contains("/pkg/tether-admin.wasm"), "{html}");
    assert!(!html.contains("/pkg/tether.wasm"), "{html}");
}

#[tokio::test]
async fn board_page_renders_the_room_and_rejects_malformed_ids() {
    let server = TestServer::temp(&[]).await;
    let html = page_text(&server, "/b/my_room-1").await;
    assert!(html.contains(r#"data-testid="board""#), "{html}");
    assert!(html.contains("my_room-1"));

    let html = page_text(&server, "/b/bad%20room").await;
    assert!(html.contains(r#"data-testid="invalid-room""#), "{html}");
    assert!(!html.contains(r#"data-testid="board""#));
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let server = TestServer::temp(&[]).await;
    let response = reqwest::get(server.url("/no/such/page")).await.unwrap();
    assert_eq!(response.status(), 404);
}

/// SSR runs on a multi-threaded runtime where a page's reactive owner may be dropped on a
/// different thread than the one that rendered it: nothing thread-bound may be created.
/// Such bugs panic in a server task after the response was sent, so panics are counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn board_pages_render_concurrently_on_many_threads() {
    static PANICS: AtomicUsize = AtomicUsize::new(0);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let server = TestServer::temp(&[]).await;
    for _round in 0..5 {
        let pages: Vec<_> = (0..16)
            .map(|i| {
                let url = server.url(&format!("/b/room{}", i % 4));
                tokio::spawn(async move { reqwest::get(url).await?.text().await })
            })
            .collect();
        for page in pages {
            let html = page.await.unwrap().expect("a complete response");
            assert!(html.contains(r#"data-testid="board""#));
        }
    }
    server.stop().await;
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "the server panicked while rendering"
    );
}

/// Pages (and the bundle) go out compressed to browsers that accept it; the polling API's
/// JSON, which carries resume tokens beside what other people wrote, never does.
#[tokio::test]
async fn bundles_go_out_compressed_ahead_of_time_when_the_build_made_copies() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("tether.wasm"), b"\0asm the plain bundle").unwrap();
    std::fs::write(pkg.join("tether.wasm.br"), b"the brotli copy").unwrap();
    std::fs::write(pkg.join("tether.wasm.gz"), b"the gzip copy").unwrap();
    // A file without copies (a debug build): compressed on the fly instead.
    std::fs::write(
        pkg.join("tether.js"),
        "export function hydrate() {}\n".repeat(100),
    )
    .unwrap();
    let server = TestServer::with_site(site.path()).await;
    let client = reqwest::Client::new();
    let get = |path: &str, accept: &str| {
        let mut request = client.get(server.url(path));
        if !accept.is_empty() {
            request = request.header("accept-encoding", accept);
        }
        request.send()
    };

    for (accept, encoding, body) in [
        ("gzip, deflate, br", Some("br"), "the brotli copy"),
        ("gzip", Some("gzip"), "the gzip copy"),
        ("", None, "\0asm the plain bundle"),
    ] {
        let response = get("/pkg/tether.wasm", accept).await.unwrap();
        assert_eq!(response.status(), 200, "{accept}");
        assert_eq!(
            response.headers()["content-type"],
            "application/wasm",
            "{accept}"
        );
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(response.text().await.unwrap(), body, "{accept}");
    }
    let script = get("/pkg/tether.js", "gzip").await.unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(script.headers()["content-encoding"], "gzip");
    assert_eq!(get("/pkg/missing.wasm", "br").await.unwrap().status(), 404);
}

#[tokio::test]
async fn pages_are_compressed_and_polling_json_is_not() {
    let server = TestServer::temp(&[]).await;
    let client = reqwest::Client::new();
    let page = client
        .get(server.url("/b/compressed"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-encoding"], "gzip");
    let plain = client
        .get(server.url("/b/compressed"))
        .send()
        .await
        .unwrap();
    assert!(!plain.headers().contains_key("content-encoding"));

    let opened = client
        .post(server.url("/api/poll/open/compressed"))
        .header("content-type", "application/json")
        .header("accept-encoding", "gzip, br")
        .body(serde_json::to_string(&common::hello("compressed", "c", "C", None)).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    assert!(!opened.headers().contains_key("content-encoding"));
    let body: serde_json::Value = serde_json::from_str(&opened.text().await.unwrap()).unwrap();
    assert!(body["sid"].is_string(), "{body}");
}

#[tokio::test]
async fn an_empty_admin_token_leaves_the_dashboard_off() {
    let server = TestServer::temp(&["--admin-token", ""]).await;
    for path in ["/admin?token=", "/api/admin/stats?token="] {
        let response = reqwest::get(server.url(path)).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
}

/// A `GET` of `path` from `from` (as the trusted proxy 127.0.0.1 says).
fn get_from(server: &TestServer, path: &str, from: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .get(server.url(path))
        .header("x-forwarded-for", from)
}

/// `GET /api/admin/stats` from `from`, with `token`.
async fn stats_from(server: &TestServer, from: &str, token: &str) -> reqwest::Response {
    get_from(server, "/api/admin/stats", from)
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn wrong_admin_tokens_lock_their_address_out_and_the_right_token_never_counts() {
    let server = TestServer::temp(&[
        "--admin-token",
        "the-right-token",
        "--admin-guesses-per-minute",
        "3",
        "--trusted-proxy",
        "127.0.0.1",
    ])
    .await;
    // The right token, again and again: no guesses spent.
    for _ in 0..5 {
        assert_eq!(
            stats_from(&server, "10.0.0.1", "the-right-token")
                .await
                .status(),
            200
        );
    }
    // No token at all is no guess either.
    for _ in 0..5 {
        let bare = get_from(&server, "/api/admin/stats", "10.0.0.1")
            .send()
            .await
            .unwrap();
        assert_eq!(bare.status(), 401);
    }
    for _ in 0..3 {
        assert_eq!(stats_from(&server, "10.0.0.1", "guess").await.status(), 401);
    }
    let locked = stats_from(&server, "10.0.0.1", "guess").await;
    assert_eq!(locked.status(), 429);
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    // Locked out: even the right token goes unread, from that address, on the page too.
    assert_eq!(
        stats_from(&server, "10.0.0.1", "the-right-token")
            .await
            .status(),
        429
    );
    let page = get_from(&server, "/admin?token=the-right-token", "10.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("too many wrong admin tokens"));
    // Another address is not affected.
    assert_eq!(
        stats_from(&server, "10.0.0.2", "the-right-token")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_dashboard_cookie_is_secure_when_the_server_is_published_over_https() {
    for (flags, secure) in [
        (&["--admin-token", "t"][..], false),
        (
            &[
                "--admin-token",
                "t",
                "--public-url",
                "https://board.example.com",
            ][..],
            true,
        ),
    ] {
        let server = TestServer::temp(flags).await;
        let response = reqwest::get(server.url("/admin?token=t")).await.unwrap();
        assert_eq!(response.status(), 200, "{flags:?}");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cookie.starts_with("tether_admin=t;"), "{cookie}");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        assert_eq!(cookie.contains("; Secure"), secure, "{flags:?}: {cookie}");
    }
}
