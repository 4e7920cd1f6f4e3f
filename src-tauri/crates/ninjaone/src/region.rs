//! NinjaOne's regional instances (reference/ninjaone-api.md §1). A tenant lives in exactly
//! one region; a client id from one region is unknown ("Client app not exist") in the others,
//! which is why the region picker shows the host next to each name.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    Us,
    Us2,
    Eu,
    Ca,
    Oc,
}

impl Region {
    pub const ALL: [Region; 5] = [Region::Us, Region::Us2, Region::Eu, Region::Ca, Region::Oc];

    /// The host name shown beside the region in the picker.
    pub fn host(self) -> &'static str {
        match self {
            Region::Us => "app.ninjarmm.com",
            Region::Us2 => "us2.ninjarmm.com",
            Region::Eu => "eu.ninjarmm.com",
            Region::Ca => "ca.ninjarmm.com",
            Region::Oc => "oc.ninjarmm.com",
        }
    }

    /// Human name for the picker.
    pub fn label(self) -> &'static str {
        match self {
            Region::Us => "US",
            Region::Us2 => "US-East 2",
            Region::Eu => "EU",
            Region::Ca => "CA",
            Region::Oc => "OC",
        }
    }

    pub fn base_url(self) -> String {
        format!("https://{}", self.host())
    }

    /// Parses the CLI's `--region` value (`us|us2|eu|ca|oc`, any case).
    pub fn parse(value: &str) -> Option<Region> {
        Region::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(value.trim()))
    }

    pub fn code(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Us2 => "us2",
            Region::Eu => "eu",
            Region::Ca => "ca",
            Region::Oc => "oc",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_an_https_ninjarmm_host() {
        for region in Region::ALL {
            assert!(region.base_url().starts_with("https://"));
            assert!(region.host().ends_with(".ninjarmm.com"), "{region:?}");
        }
        assert_eq!(Region::Us.host(), "app.ninjarmm.com");
    }

    #[test]
    fn cli_region_codes_round_trip_case_insensitively() {
        for region in Region::ALL {
            assert_eq!(Region::parse(&region.code().to_uppercase()), Some(region));
        }
        assert_eq!(Region::parse("mars"), None);
    }
}
