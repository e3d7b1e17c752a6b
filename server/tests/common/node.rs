//! A cluster node as a real process (the `server` binary), so a test can `kill -9` it: on
//! a free port, with a data dir of its own, stopped by PID (killed on drop).

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

/// A running `server` process in cluster mode.
pub struct NodeProcess {
    /// `127.0.0.1:<port>` it listens on.
    pub addr: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl NodeProcess {
    /// Starts a node on the Redis at `redis_url` with extra `flags`; returns once it
    /// listens (it prints the address it bound).
    pub fn start(redis_url: &str, flags: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir for the node");
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--addr", "127.0.0.1:0", "--redis-url", redis_url])
            .arg("--data-dir")
            .arg(dir.path())
            .args(flags)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server binary");
        let stdout = child.stdout.take().expect("piped stdout");
        let (found, listening) = mpsc::channel();
        // Reads the log until the process ends (so it never blocks on a full pipe).
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some((_, addr)) = line.split_once("listening on http://") {
                    let _ = found.send(addr.trim().to_owned());
                }
            }
        });
        let addr = listening
            .recv_timeout(Duration::from_secs(20))
            .expect("the node did not start listening");
        Self {
            addr,
            child,
            _dir: dir,
        }
    }

    /// `kill -9`: no goodbye, no cleanup; waits until the process is gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
