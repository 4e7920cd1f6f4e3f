//! Query strings as NinjaOne reads them: `df` wants spaces as `%20`, not the `+` of form
//! encoding (ninjaone-api.md §2.3), so every parameter is percent-encoded by hand.

use url::Url;

use crate::BaseUrl;

/// The URL of `path` on `base` with `query` encoded.
pub(super) fn url_with_query(base: &BaseUrl, path: &str, query: &[(&str, String)]) -> Url {
    let mut url = base.join(path);
    if !query.is_empty() {
        let encoded: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        url.set_query(Some(&encoded.join("&")));
    }
    url
}

/// Everything but `A-Za-z0-9-_.` is percent-encoded.
fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%5F", "_")
        .replace("%2E", ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn df_spaces_are_percent_encoded_not_plus() {
        assert_eq!(
            encode("org in (1,2) AND status eq APPROVED"),
            "org%20in%20%281%2C2%29%20AND%20status%20eq%20APPROVED"
        );
    }

    #[test]
    fn parameters_join_in_order_on_the_path() {
        let base = BaseUrl::custom("https://eu.ninjarmm.com").unwrap();
        let url = url_with_query(
            &base,
            "/v2/devices",
            &[("df", "class in (MAC)".into()), ("pageSize", "7".into())],
        );
        assert_eq!(
            url.as_str(),
            "https://eu.ninjarmm.com/v2/devices?df=class%20in%20%28MAC%29&pageSize=7"
        );
    }
}
