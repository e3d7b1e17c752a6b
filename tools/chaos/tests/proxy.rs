//! The fault proxy does what each fault claims, between a real client socket and a real
//! echo server on 127.0.0.1.

use chaos::proxy::{self, Cut, ProxyControl};
use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buffer).await {
                    if n == 0 || stream.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

async fn setup() -> (TcpStream, ProxyControl) {
    let upstream = echo_server().await;
    let (addr, control) = proxy::start("127.0.0.1:0".parse().unwrap(), upstream)
        .await
        .unwrap();
    (TcpStream::connect(addr).await.unwrap(), control)
}

async fn echo(stream: &mut TcpStream, text: &[u8]) -> Vec<u8> {
    stream.write_all(text).await.unwrap();
    let mut got = vec![0u8; text.len()];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    got
}

#[tokio::test]
async fn traffic_passes_untouched_without_faults() {
    let (mut stream, _) = setup().await;
    assert_eq!(echo(&mut stream, b"hello").await, b"hello");
}

#[tokio::test]
async fn a_fin_cut_ends_the_stream_and_an_rst_cut_resets_it() {
    let (mut stream, control) = setup().await;
    echo(&mut stream, b"x").await;
    control.cut(Cut::Fin);
    let mut buffer = [0u8; 8];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
        .await
        .unwrap();
    assert!(matches!(n, Ok(0)), "end of stream after FIN: {n:?}");

    let (mut stream, control) = setup().await;
    echo(&mut stream, b"x").await;
    control.cut(Cut::Rst);
    let result = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
        .await
        .unwrap();
    assert!(
        matches!(&result, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_black_hole_holds_data_until_it_closes() {
    let (mut stream, control) = setup().await;
    control.blackhole(true);
    stream.write_all(b"held").await.unwrap();
    let mut buffer = [0u8; 4];
    let nothing = tokio::time::timeout(Duration::from_millis(400), stream.read(&mut buffer)).await;
    assert!(nothing.is_err(), "nothing may come through a black hole");
    control.blackhole(false);
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut buffer))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&buffer, b"held");
}

#[tokio::test]
async fn delays_apply_per_direction() {
    let (mut stream, control) = setup().await;
    control.delay(Duration::from_millis(150), Duration::from_millis(100));
    let started = Instant::now();
    echo(&mut stream, b"slow").await;
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn bandwidth_limits_throughput() {
    let (mut stream, control) = setup().await;
    control.bandwidth(20_000);
    let payload = vec![7u8; 10_000];
    let started = Instant::now();
    assert_eq!(echo(&mut stream, &payload).await, payload);
    // 10 kB each way at 20 kB/s: at least a second in all.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn refused_connections_are_reset_and_healing_lets_them_in() {
    let upstream = echo_server().await;
    let (addr, control) = proxy::start("127.0.0.1:0".parse().unwrap(), upstream)
        .await
        .unwrap();
    control.refuse(true);
    let mut refused = TcpStream::connect(addr).await.unwrap();
    let mut buffer = [0u8; 1];
    let result = tokio::time::timeout(Duration::from_secs(5), refused.read(&mut buffer))
        .await
        .unwrap();
    assert!(matches!(&result, Err(_) | Ok(0)), "{result:?}");
    assert_eq!(control.refused.load(std::sync::atomic::Ordering::SeqCst), 1);
    control.heal();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    assert_eq!(echo(&mut stream, b"ok").await, b"ok");
    assert!(control.history().iter().any(|h| h == "refuse true"));
}
