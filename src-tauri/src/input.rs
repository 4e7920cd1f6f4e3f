//! Arguments from the UI that can be malformed (a region the engine does not know, a missing
//! field). Tauri would reject them with a bare string; wrapped in [`Input`], a malformed
//! argument becomes the same `{kind: "invalidInput", message}` as every other bad input.

use fleetward_core::{ErrorKind, ErrorReport};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

pub struct Input<T>(Result<T, String>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Input<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(Input(
            serde_json::from_value(value).map_err(|e| e.to_string()),
        ))
    }
}

impl<T> Input<T> {
    pub fn get(self) -> Result<T, ErrorReport> {
        self.0.map_err(|detail| {
            ErrorReport::new(
                ErrorKind::InvalidInput,
                format!("Part of what was entered cannot be used ({detail}). Check the form and try again."),
            )
        })
    }
}
