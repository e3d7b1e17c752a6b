//! The `server` binary as a real process — a cluster node a test can `kill -9`, or a
//! server whose log output a test reads: on a free port, with a data dir of its own,
//! stopped by PID (killed on drop).

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{mpsc, Arc, Mutex},
    time::Duration,
};

/// A running `server` process.
pub struct NodeProcess {
    /// `127.0.0.1:<port>` it listens on.
    pub addr: String,
    child: Child,
    /// Every line it logged so far.
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl NodeProcess {
    /// Starts a node on the Redis at `redis_url` with extra `flags`; returns once it
    /// listens (it prints the address it bound).
    pub fn start(redis_url: &str, flags: &[&str]) -> Self {
        let mut all = vec!["--redis-url", redis_url];
        all.extend_from_slice(flags);
        Self::spawn(&all, "info")
    }

    /// Starts the binary with `flags` and `RUST_LOG=log_filter`; returns once it listens.
    pub fn spawn(flags: &[&str], log_filter: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir for the node");
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--addr", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(dir.path())
            .args(flags)
            .env("RUST_LOG", log_filter)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server binary");
        let stdout = child.stdout.take().expect("piped stdout");
        let (found, listening) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = log.clone();
        // Reads the log until the process ends (so it never blocks on a full pipe).
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some((_, rest)) = line.split_once("listening on http://") {
                    let addr: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                        .collect();
                    let _ = found.send(addr);
                }
                kept.lock().unwrap().push(line);
            }
        });
        let addr = listening
            .recv_timeout(Duration::from_secs(20))
            .expect("the node did not start listening");
        Self {
            addr,
            child,
            log,
            _dir: dir,
        }
    }

    /// The lines logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
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
