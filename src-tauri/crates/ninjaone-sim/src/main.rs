//! `ninjaone-sim`: runs the NinjaOne simulator as a standalone server, for demo mode and
//! for benchmarking a client from outside the test harness. Stops on Ctrl-C.

use clap::Parser;
use ninjaone_sim::{SimConfig, Simulator};

/// The allocator of Fleetward's own binaries; the simulator stands in for NinjaOne's servers
/// in benchmarks, so the less CPU it takes from the machine, the less it distorts them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(version, about = "A NinjaOne-compatible API simulator on 127.0.0.1")]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed of the generated tenant.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 5)]
    orgs: usize,
    #[arg(long, default_value_t = 20)]
    devices_per_org: usize,
    #[arg(long, default_value = "sim-client")]
    client_id: String,
    #[arg(long, default_value = "sim-secret")]
    client_secret: String,
    /// Space-separated scopes the token endpoint grants.
    #[arg(long, default_value = "monitoring")]
    scopes: String,
    #[arg(long, default_value_t = 3600)]
    token_lifetime_secs: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let config = SimConfig {
        seed: args.seed,
        orgs: args.orgs,
        devices_per_org: args.devices_per_org,
        client_id: args.client_id,
        client_secret: args.client_secret,
        granted_scopes: args.scopes,
        token_lifetime_secs: args.token_lifetime_secs,
        ..SimConfig::default()
    };
    let client_id = config.client_id.clone();
    let simulator = Simulator::start_on(config, args.port).await?;
    println!(
        "ninjaone-sim listening on {} (client id {client_id})",
        simulator.base_url()
    );
    tokio::signal::ctrl_c().await?;
    simulator.shutdown().await;
    Ok(())
}
