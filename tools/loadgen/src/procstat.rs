//! The server's resource use, read from `/proc/{pid}` (Linux).

use std::time::Instant;

/// Resident memory of `pid`, in bytes.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// User + system CPU time of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Measures a process's CPU use over an interval.
pub struct CpuMeter {
    pid: u32,
    ticks: u64,
    at: Instant,
}

/// Kernel clock ticks per second (USER_HZ), 100 on Linux.
const TICKS_PER_SECOND: f64 = 100.0;

impl CpuMeter {
    pub fn start(pid: u32) -> Option<Self> {
        Some(Self {
            pid,
            ticks: cpu_ticks(pid)?,
            at: Instant::now(),
        })
    }

    /// CPU use since `start`, in percent of one core.
    pub fn percent(&self) -> Option<f64> {
        let used = cpu_ticks(self.pid)?.saturating_sub(self.ticks) as f64 / TICKS_PER_SECOND;
        Some(100.0 * used / self.at.elapsed().as_secs_f64().max(1e-6))
    }
}
