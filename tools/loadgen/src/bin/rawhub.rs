//! The raw ceiling for the benchmark: a minimal tokio TCP fan-out. A client's first line
//! names its room; every later line is copied to the room's other clients. No WebSocket
//! framing, no JSON parsing — only what any hub must do: read, look up, write (batched,
//! one flush per burst).
//!
//! `rawhub 127.0.0.1:0` prints `listening on <addr>` and runs until killed.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::mpsc,
};

type Rooms = Arc<Mutex<HashMap<String, HashMap<u64, mpsc::UnboundedSender<Arc<[u8]>>>>>>;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(&addr).await?;
    println!("listening on {}", listener.local_addr()?);
    let rooms: Rooms = Arc::default();
    let mut next_id = 0u64;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        next_id += 1;
        let (id, rooms) = (next_id, rooms.clone());
        tokio::spawn(async move {
            let (read, write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            let Ok(Some(room)) = lines.next_line().await else {
                return;
            };
            let (tx, mut rx) = mpsc::unbounded_channel::<Arc<[u8]>>();
            rooms
                .lock()
                .unwrap()
                .entry(room.clone())
                .or_default()
                .insert(id, tx);
            // Write whatever is queued, then flush once: the same batching Tether's writer
            // does, so the ceiling is not held down by one syscall per message.
            tokio::spawn(async move {
                let mut out = tokio::io::BufWriter::with_capacity(16 * 1024, write);
                while let Some(bytes) = rx.recv().await {
                    let mut ok = out.write_all(&bytes).await.is_ok();
                    while let (true, Ok(more)) = (ok, rx.try_recv()) {
                        ok = out.write_all(&more).await.is_ok();
                    }
                    if !ok || out.flush().await.is_err() {
                        break;
                    }
                }
            });
            while let Ok(Some(line)) = lines.next_line().await {
                let mut bytes = line.into_bytes();
                bytes.push(b'\n');
                let shared: Arc<[u8]> = bytes.into();
                let members = rooms.lock().unwrap();
                for (other, tx) in members.get(&room).into_iter().flatten() {
                    if *other != id {
                        let _ = tx.send(shared.clone());
                    }
                }
            }
            if let Some(members) = rooms.lock().unwrap().get_mut(&room) {
                members.remove(&id);
            }
        });
    }
}
