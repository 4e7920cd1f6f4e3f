//! Printing results: JSON (camelCase, one document) with `--json`, readable text otherwise.
//! Progress goes to stderr so that stdout stays machine-readable.

use serde::Serialize;

pub struct Output {
    json: bool,
}

impl Output {
    pub fn new(json: bool) -> Output {
        Output { json }
    }

    /// Prints `value` as JSON, or `text()` for people.
    pub fn print<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(json) => println!("{json}"),
                Err(err) => eprintln!("error: the result could not be written as JSON: {err}"),
            }
        } else {
            let text = text();
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
    }

    pub fn progress(&self, message: &str) {
        eprintln!("{message}");
    }
}
