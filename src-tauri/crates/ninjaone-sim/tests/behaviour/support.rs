//! A started simulator plus an HTTP client holding a valid token.

use ninjaone_sim::{SimConfig, Simulator};
use serde_json::Value;

pub struct Harness {
    pub sim: Simulator,
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

pub fn config(orgs: usize, devices_per_org: usize) -> SimConfig {
    SimConfig {
        orgs,
        devices_per_org,
        ..SimConfig::default()
    }
}

/// Percent-encodes like the Fleetward client: everything but `A-Za-z0-9-_.`.
pub fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Harness {
    pub async fn start(config: SimConfig) -> Harness {
        let sim = Simulator::start(config)
            .await
            .expect("the simulator starts");
        let base = sim.base_url();
        let http = reqwest::Client::new();
        let mut harness = Harness {
            sim,
            http,
            base,
            token: String::new(),
        };
        harness.token = harness.new_token().await;
        harness
    }

    pub async fn small() -> Harness {
        Harness::start(config(2, 10)).await
    }

    pub async fn token_request(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}/ws/oauth/token", self.base))
            .form(fields)
            .send()
            .await
            .expect("token request")
    }

    pub async fn new_token(&self) -> String {
        let answer: Value = self
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", "sim-client"),
                ("client_secret", "sim-secret"),
                ("scope", "monitoring"),
            ])
            .await
            .json()
            .await
            .expect("token JSON");
        answer["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// GET with the harness token; `path` includes the query.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request")
    }

    /// GET that must answer 200 with JSON.
    pub async fn json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// Every item of an id-paged list.
    pub async fn all_by_id(&self, path: &str, page_size: usize, query: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut after = 0;
        loop {
            let page = self
                .json(&format!("{path}?pageSize={page_size}&after={after}{query}"))
                .await;
            let page = page.as_array().expect("a bare array").clone();
            let full = page.len() == page_size;
            if let Some(last) = page.last() {
                after = last["id"].as_i64().expect("id");
            }
            items.extend(page);
            if !full {
                return items;
            }
        }
    }

    /// Every row of a cursor report, checking the cursor on each page.
    pub async fn all_by_cursor(&self, path: &str, page_size: usize, query: &str) -> Vec<Value> {
        let mut rows = Vec::new();
        let first = self
            .json(&format!("{path}?pageSize={page_size}{query}"))
            .await;
        let mut page = first;
        loop {
            let cursor = page["cursor"].clone();
            let results = page["results"].as_array().expect("results").clone();
            assert_eq!(
                cursor["offset"].as_u64(),
                Some(rows.len() as u64),
                "{path}: offset"
            );
            let count = cursor["count"].as_u64().expect("count") as usize;
            assert!(results.len() <= page_size);
            rows.extend(results);
            if rows.len() >= count {
                assert_eq!(rows.len(), count, "{path}: more rows than count");
                return rows;
            }
            let name = cursor["name"].as_str().expect("cursor name");
            page = self
                .json(&format!("{path}?pageSize={page_size}&cursor={}", enc(name)))
                .await;
        }
    }
}
