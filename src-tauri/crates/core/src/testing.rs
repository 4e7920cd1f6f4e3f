//! Test support: an engine configuration with secrets in memory, a fixed store key and
//! fast NinjaOne retries. Never used by the app or the CLI.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::secrets::MemorySecrets;
use crate::{ClientTuning, Deadlines, EngineConfig};

pub fn config(data_dir: PathBuf) -> EngineConfig {
    EngineConfig {
        data_dir,
        secrets: Arc::new(MemorySecrets::default()),
        store_key: None,
        client: ClientTuning {
            timeout: Duration::from_secs(5),
            retry: ninjaone::RetryPolicy {
                max_attempts: 4,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(50),
            },
            ..ClientTuning::default()
        },
        deadlines: Deadlines::default(),
        clock: crate::time::system(),
    }
}
