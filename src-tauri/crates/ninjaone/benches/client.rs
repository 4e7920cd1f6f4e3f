//! `cargo xtask bench client`: streams every device of a 100,000-device simulated tenant
//! through the real client (OAuth, rate limiter, id-watermark paging, decoding) and prints
//! devices/s, requests and the client process's peak RSS. The simulator runs as a separate
//! process (NINJAONE_SIM_BIN) so that its memory is not counted.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use futures::TryStreamExt;
use ninjaone::{BaseUrl, Client, ClientConfig, Credentials, DeviceFilter};

/// The tenant's size; `FLEETWARD_BENCH_SIZE=tiny` (CI) keeps the benchmark from rotting
/// without its cost.
fn size() -> (usize, usize) {
    if std::env::var("FLEETWARD_BENCH_SIZE").is_ok_and(|v| v == "tiny") {
        (5, 200)
    } else {
        (100, 1_000)
    }
}

/// The allocator the app and the CLI use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let (orgs, devices_per_org) = size();
    let sim_bin = std::env::var("NINJAONE_SIM_BIN")
        .expect("set NINJAONE_SIM_BIN to the ninjaone-sim binary (cargo xtask bench client does)");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let started = Instant::now();
    let mut sim = Command::new(sim_bin)
        .args(["--port", &port.to_string(), "--seed", "7"])
        .args([
            "--orgs",
            &orgs.to_string(),
            "--devices-per-org",
            &devices_per_org.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the simulator starts");
    let mut ready = String::new();
    BufReader::new(sim.stdout.take().expect("piped stdout"))
        .read_line(&mut ready)
        .expect("the simulator says it is listening");
    let sim_start = started.elapsed();

    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = runtime.block_on(async {
        let base = BaseUrl::custom(&format!("http://127.0.0.1:{port}")).expect("loopback URL");
        let client = Client::new(
            base,
            Credentials::new("sim-client", "sim-secret".into()),
            ClientConfig::default(),
        )?;
        let start = Instant::now();
        let mut count = 0_usize;
        let mut stream = Box::pin(client.devices_detailed(&DeviceFilter::new()));
        while let Some(device) = stream.try_next().await? {
            count += usize::from(device.id.is_some());
        }
        Ok::<_, ninjaone::Error>((count, start.elapsed(), client.stats()))
    });
    let _ = sim.kill();
    let _ = sim.wait();
    let (count, elapsed, stats) = result.expect("streaming the tenant succeeds");
    assert_eq!(
        count,
        orgs * devices_per_org,
        "every device arrives exactly once"
    );

    println!("bench client: stream all devices of a {}-device simulated tenant (/v2/devices-detailed, pageSize 1000)", orgs * devices_per_org);
    println!(
        "  simulator start-up      {:>10.2} s",
        sim_start.as_secs_f64()
    );
    println!("  devices                 {count:>10}");
    println!(
        "  elapsed                 {:>10.2} s",
        elapsed.as_secs_f64()
    );
    println!(
        "  devices/s               {:>10.0}",
        count as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  requests                {:>10} (token {}, retries {})",
        stats.requests, stats.token_requests, stats.retries
    );
    println!("  client peak RSS         {:>10}", peak_rss());
}

/// Peak resident set size of this process (Linux: VmHWM).
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unavailable on this platform".into())
}
