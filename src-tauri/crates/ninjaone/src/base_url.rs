//! Where a tenant's API lives: a region's host or a custom (white-labelled) address
//! (SPEC §2). Custom addresses must be https, except on loopback, where the simulator and
//! tests run over plain http.

use url::Url;

use crate::{Error, Region, Result};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(Url);

impl BaseUrl {
    pub fn region(region: Region) -> BaseUrl {
        BaseUrl(Url::parse(&region.base_url()).expect("region hosts are valid URLs"))
    }

    /// Validates a custom address. A path such as `/v2` or `/api/v2` pasted with it is
    /// dropped: requests add `/v2/...` themselves.
    pub fn custom(text: &str) -> Result<BaseUrl> {
        let invalid = |reason: &str| Error::InvalidBaseUrl {
            url: without_credentials(text),
            reason: reason.to_string(),
        };
        let mut url = Url::parse(text.trim())
            .map_err(|e| invalid(&format!("{e}; write it like https://app.ninjarmm.com")))?;
        let host = url
            .host_str()
            .ok_or_else(|| invalid("it has no host name"))?
            .to_string();
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(invalid(
                    "plain http is only allowed for 127.0.0.1, localhost or [::1]; use https",
                ))
            }
            other => {
                return Err(invalid(&format!(
                    "the scheme {other} is not supported; use https"
                )))
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("credentials do not belong in the address; enter them in the client id and secret fields"));
        }
        url.set_path("");
        url.set_query(None);
        url.set_fragment(None);
        Ok(BaseUrl(url))
    }

    /// The full URL of an API path such as `/v2/organizations` or `/ws/oauth/token`.
    pub fn join(&self, path: &str) -> Url {
        let mut url = self.0.clone();
        url.set_path(path);
        url
    }

    pub fn host(&self) -> String {
        match self.0.port() {
            Some(port) => format!("{}:{port}", self.0.host_str().unwrap_or_default()),
            None => self.0.host_str().unwrap_or_default().to_string(),
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }
}

/// The address as the user typed it, minus any `user:password@` part, so that an error
/// message never repeats a secret pasted into the address.
fn without_credentials(text: &str) -> String {
    match Url::parse(text.trim()) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => text.chars().take(200).collect(),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_custom_hosts_are_accepted_and_api_paths_dropped() {
        let url = BaseUrl::custom("https://acme.rmmservices.net/api/v2/").unwrap();
        assert_eq!(url.as_str(), "https://acme.rmmservices.net");
        assert_eq!(
            url.join("/v2/devices").as_str(),
            "https://acme.rmmservices.net/v2/devices"
        );
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:9",
            "http://[::1]:80",
        ] {
            assert!(BaseUrl::custom(ok).is_ok(), "{ok}");
        }
        let err = BaseUrl::custom("http://eu.ninjarmm.com").unwrap_err();
        assert!(err.to_string().contains("use https"), "{err}");
        assert!(BaseUrl::custom("ftp://x.example").is_err());
        assert!(BaseUrl::custom("not a url").is_err());
    }

    #[test]
    fn credentials_in_the_address_are_refused() {
        let err = BaseUrl::custom("https://id:secret@app.ninjarmm.com").unwrap_err();
        assert!(err.to_string().contains("client id and secret fields"));
        assert!(!err.to_string().contains("secret@"), "{err}");
    }
}
