//! What the simulator benchmarks share (sync and sweep here, incidents in the receiver): the
//! simulator in a process of its own, as it stands in for NinjaOne's servers and its memory
//! and CPU are not Fleetward's, and the process figures they print. Each benchmark uses part
//! of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use fleetward_core::connection::ConnectionDraft;
use fleetward_core::ids::ConnectionId;
use fleetward_core::Engine;
use ninjaone::secrecy::SecretString;
use serde_json::Value;

/// The simulator binary (`NINJAONE_SIM_BIN`) running on a free loopback port, driven through
/// its `/_sim` control API; stopped when dropped.
pub struct Sim {
    child: Child,
    pub base: String,
    pub http: reqwest::Client,
}

impl Sim {
    pub fn start(seed: u64, orgs: usize, per_org: usize) -> Sim {
        let bin = std::env::var("NINJAONE_SIM_BIN").expect(
            "set NINJAONE_SIM_BIN to the ninjaone-sim binary (cargo xtask bench NAME does)",
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut child = Command::new(bin)
            .args(["--port", &port.to_string(), "--seed", &seed.to_string()])
            .args(["--orgs", &orgs.to_string()])
            .args(["--devices-per-org", &per_org.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the simulator starts");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut ready)
            .expect("the simulator says it is listening");
        Sim {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        }
    }

    /// The simulator's process id, for its CPU time.
    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("the simulator answers")
            .json()
            .await
            .expect("JSON from the simulator")
    }

    pub async fn reset_stats(&self) {
        self.http
            .post(format!("{}/_sim/stats/reset", self.base))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("the simulator resets its counters");
    }

    pub async fn organization_ids(&self) -> Vec<i64> {
        ids(&self.get("/_sim/organizations").await)
    }

    /// Saves a connection of `engine` to this simulator and returns its id.
    pub async fn connect(&self, engine: &Engine) -> ConnectionId {
        let draft = ConnectionDraft {
            name: None,
            region: None,
            base_url: Some(self.base.clone()),
            client_id: "sim-client".into(),
            client_secret: SecretString::from("sim-secret"),
        };
        engine
            .save_connection(&draft)
            .await
            .expect("connect")
            .connection
            .id
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `id`s of a JSON list of objects.
pub fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("a list")
        .iter()
        .filter_map(|item| item["id"].as_i64())
        .collect()
}

/// CPU time (user + system) of this process, in seconds.
pub fn cpu_secs() -> f64 {
    cpu_secs_of("self")
}

/// CPU time (user + system) of a process, `self` or a pid, in seconds (Linux `/proc`).
pub fn cpu_secs_of(process: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// This process's peak resident set (Linux `VmHWM`), in MB.
pub fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
