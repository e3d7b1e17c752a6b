//! Turns the results of one benchmark run (JSON lines) into the tables of
//! `docs/BENCHMARKS.md`, between `<!-- load:begin -->` and `<!-- load:end -->`, with
//! Tether/peer ratios and the goals.

use serde_json::Value;
use std::{collections::BTreeMap, fmt::Write, path::Path};

const BEGIN: &str = "<!-- load:begin -->";
const END: &str = "<!-- load:end -->";

fn num(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn fmt(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        "—".into()
    } else {
        format!("{x:.decimals$}")
    }
}

fn ratio(a: f64, b: f64) -> String {
    if a.is_nan() || b.is_nan() || b == 0.0 {
        "—".into()
    } else {
        format!("{:.2}×", a / b)
    }
}

/// Renders the markdown section from result lines `{"scenario": ..., "result": ...}`.
pub fn render(lines: &str) -> anyhow::Result<String> {
    let mut by: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut meta = Value::Null;
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let entry: Value = serde_json::from_str(line)?;
        let scenario = entry["scenario"].as_str().unwrap_or_default().to_owned();
        let target = entry["result"]["target"]
            .as_str()
            .unwrap_or("tether")
            .to_owned();
        if scenario == "meta" {
            meta = entry["result"].clone();
        } else {
            by.insert((scenario, target), entry["result"].clone());
        }
    }
    let get = |s: &str, t: &str| {
        by.get(&(s.to_owned(), t.to_owned()))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let targets = ["tether", "ws", "socketio", "raw"];
    let mut out = String::new();
    let _ = writeln!(out, "{BEGIN}");
    let _ = writeln!(
        out,
        "## Load: Tether vs ws vs socket.io vs the raw TCP ceiling\n"
    );
    let _ = writeln!(
        out,
        "Command: `{}`. Machine: {}. Date: {}. Every target runs on this machine with the load generator \
         (`tools/loadgen`, release build) in the same run; the hubs are release builds (Tether `server-release`, \
         `rawhub`) or Node {} (`tools/peers`: `ws` {}, `socket.io` {}).\n",
        meta["command"].as_str().unwrap_or("scripts/bench-load.sh"),
        meta["machine"].as_str().unwrap_or("?"),
        meta["date"].as_str().unwrap_or("?"),
        meta["node"].as_str().unwrap_or("?"),
        meta["ws"].as_str().unwrap_or("?"),
        meta["socketio"].as_str().unwrap_or("?"),
    );

    let fan = |t: &str| get("fanout", t);
    let _ = writeln!(
        out,
        "### 1. Fan-out: 1 room × {} clients, one drawer\n",
        fmt(num(&fan("tether"), "clients"), 0)
    );
    let _ = writeln!(out, "Live-point messages from one drawer, rate doubled every {} s step until p99 > 100 ms or a message is lost.\n", "few");
    let _ = writeln!(out, "| target | max sustained delivered msgs/s | at send rate /s | p50 / p99 ms at 20 msgs/s | server CPU % at 20/s |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for t in targets {
        let f = fan(t);
        let m = &f["moderate"];
        let _ = writeln!(
            out,
            "| {t} | {} | {} | {} / {} | {} |",
            fmt(num(&f, "max_sustained_delivered_per_s"), 0),
            fmt(num(&f, "max_sustained_send_rate"), 0),
            fmt(num(m, "p50_ms"), 2),
            fmt(num(m, "p99_ms"), 2),
            fmt(num(m, "server_cpu_percent"), 0),
        );
    }
    let best = |t: &str| num(&fan(t), "max_sustained_delivered_per_s");
    let p99 = |t: &str| num(&fan(t)["moderate"], "p99_ms");
    let _ = writeln!(
        out,
        "\nTether / socket.io: **{}** delivered, p99 **{}**. Tether / ws: **{}** delivered. Tether / raw: **{}** delivered.\n",
        ratio(best("tether"), best("socketio")),
        ratio(p99("tether"), p99("socketio")),
        ratio(best("tether"), best("ws")),
        ratio(best("tether"), best("raw")),
    );

    let _ = writeln!(out, "### 2. Classroom: 50 rooms × 20 clients, a quarter drawing (30 live msgs/s + a stroke every 2 s)\n");
    let _ = writeln!(out, "| target | delivered msgs/s | lost | p50 ms | p99 ms | max ms | server CPU % | server RSS MiB |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for t in targets {
        let c = get("classroom", t);
        let _ = writeln!(
            out,
            "| {t} | {} | {} | {} | {} | {} | {} | {} |",
            fmt(num(&c, "delivered_per_sec"), 0),
            fmt(num(&c, "lost"), 0),
            fmt(num(&c, "p50_ms"), 2),
            fmt(num(&c, "p99_ms"), 2),
            fmt(num(&c, "max_ms"), 1),
            fmt(num(&c, "server_cpu_percent"), 0),
            fmt(num(&c, "server_rss_mib"), 1),
        );
    }

    let _ = writeln!(out, "\n### 3. Idle connections\n");
    let _ = writeln!(
        out,
        "| target | connections | server RSS before → after MiB | RSS per connection KiB |"
    );
    let _ = writeln!(out, "|---|---|---|---|");
    for t in targets {
        let i = get("idle", t);
        let _ = writeln!(
            out,
            "| {t} | {} | {} → {} | {} |",
            fmt(num(&i, "connections"), 0),
            fmt(num(&i, "rss_before_mib"), 1),
            fmt(num(&i, "rss_after_mib"), 1),
            fmt(num(&i, "rss_per_connection_kib"), 1),
        );
    }
    let per_conn = |t: &str| num(&get("idle", t), "rss_per_connection_kib");
    let _ = writeln!(
        out,
        "\nTether / ws RSS per idle connection: **{}**.\n",
        ratio(per_conn("tether"), per_conn("ws"))
    );

    let s = get("storm", "tether");
    let _ = writeln!(out, "### 4. Restart storm (Tether)\n");
    let _ = writeln!(
        out,
        "{} clients running the real sync engine (`tools/client`) in {} rooms, all connected and drawing; the server \
         gets SIGTERM (clients are told `restarting`, retry after 0.5 s spread over 5 s) and starts again on the same \
         port and data while everyone keeps drawing.\n",
        fmt(num(&s, "clients"), 0),
        fmt(num(&s, "rooms"), 0)
    );
    let _ = writeln!(out, "| all back and resynced after | peak reconnects/s | ops | lost | duplicated | rooms hash-equal |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| {} s | {} | {} | {} | {} | {} / {} |\n",
        fmt(num(&s, "all_resynced_after_s"), 2),
        fmt(num(&s, "peak_reconnects_per_s"), 0),
        fmt(num(&s, "ops_created"), 0),
        fmt(num(&s, "lost"), 0),
        fmt(num(&s, "duplicated"), 0),
        fmt(num(&s, "rooms_hash_equal"), 0),
        fmt(num(&s, "rooms"), 0),
    );

    let w = get("wasm", "tether");
    let gzip_kib = num(&w, "gzip_bytes") / 1024.0;
    let _ = writeln!(out, "### 5. WASM bundle (release, wasm-opt -Oz)\n");
    let _ = writeln!(out, "| raw KiB | gzip -9 KiB | goal |");
    let _ = writeln!(out, "|---|---|---|");
    let _ = writeln!(
        out,
        "| {} | {} | ≤ 250 KiB gzip |\n",
        fmt(num(&w, "raw_bytes") / 1024.0, 0),
        fmt(gzip_kib, 0)
    );

    let check = |ok: bool| if ok { "met" } else { "**missed**" };
    let _ = writeln!(out, "### Goals\n");
    let _ = writeln!(out, "| goal | measured | |");
    let _ = writeln!(out, "|---|---|---|");
    let rows = [
        (
            "delivered msgs/s ≥ 5× socket.io",
            ratio(best("tether"), best("socketio")),
            best("tether") >= 5.0 * best("socketio"),
        ),
        (
            "delivered msgs/s ≥ 2× ws",
            ratio(best("tether"), best("ws")),
            best("tether") >= 2.0 * best("ws"),
        ),
        (
            "p99 at equal load ≤ ⅓ of socket.io",
            ratio(p99("tether"), p99("socketio")),
            p99("tether") * 3.0 <= p99("socketio"),
        ),
        (
            "within 2× of the raw ceiling",
            ratio(best("tether"), best("raw")),
            best("tether") * 2.0 >= best("raw"),
        ),
        (
            "RSS per idle connection ≤ ½ of ws",
            ratio(per_conn("tether"), per_conn("ws")),
            per_conn("tether") * 2.0 <= per_conn("ws"),
        ),
        (
            "WASM ≤ 250 KiB gzip",
            format!("{} KiB", fmt(gzip_kib, 0)),
            gzip_kib <= 250.0,
        ),
        (
            "restart storm: 0 lost, 0 duplicated",
            format!(
                "{} / {}",
                fmt(num(&s, "lost"), 0),
                fmt(num(&s, "duplicated"), 0)
            ),
            num(&s, "lost") == 0.0 && num(&s, "duplicated") == 0.0,
        ),
    ];
    for (goal, measured, ok) in rows {
        let _ = writeln!(out, "| {goal} | {measured} | {} |", check(ok));
    }
    let _ = writeln!(out, "\n{END}");
    Ok(out)
}

/// Replaces (or appends) the load section of `doc` with the rendered results.
pub fn write_into(doc: &Path, section: &str) -> anyhow::Result<()> {
    let current = std::fs::read_to_string(doc).unwrap_or_default();
    let updated = match (current.find(BEGIN), current.find(END)) {
        (Some(begin), Some(end)) if end > begin => {
            format!(
                "{}{}{}",
                &current[..begin],
                section.trim_end(),
                &current[end + END.len()..]
            )
        }
        _ => format!("{}\n{}", current.trim_end(), section),
    };
    std::fs::write(doc, updated)?;
    Ok(())
}
