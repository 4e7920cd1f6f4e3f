//! What a webhook delivers (SPEC §7 receiver contract): one activity object as NinjaOne
//! sends it, or a JSON array of them. Anything else is refused with a short reason, before
//! anything is stored. Unknown fields, activity types and status codes are kept.

use ninjaone::models::Activity;
use serde_json::Value;

/// Most activities one delivery may carry (1 MiB holds about this many small ones).
pub const MAX_ACTIVITIES: usize = 10_000;

/// Why a payload was refused; the text is the receiver's short `400` reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the body is not JSON ({0})")]
    NotJson(String),
    #[error("the body is neither an activity object nor an array of them")]
    NotAnActivity,
    #[error("the array is empty")]
    Empty,
    #[error("more than {MAX_ACTIVITIES} activities in one body")]
    TooMany,
    #[error("item {index} is not an activity: {reason}")]
    BadItem { index: usize, reason: String },
}

/// Reads a delivery. Every activity needs a positive integer `id` (idempotency is by id).
pub fn parse(bytes: &[u8]) -> Result<Vec<Activity>, PayloadError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| PayloadError::NotJson(short(&e.to_string())))?;
    let items = match value {
        Value::Object(_) => vec![value],
        Value::Array(items) if items.is_empty() => return Err(PayloadError::Empty),
        Value::Array(items) if items.len() > MAX_ACTIVITIES => return Err(PayloadError::TooMany),
        Value::Array(items) => items,
        _ => return Err(PayloadError::NotAnActivity),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let bad = |reason: String| PayloadError::BadItem { index, reason };
            if !item.is_object() {
                return Err(bad("not an object".into()));
            }
            match item.get("id").and_then(Value::as_i64) {
                Some(id) if id > 0 => {}
                _ => return Err(bad("no positive integer \"id\"".into())),
            }
            serde_json::from_value::<Activity>(item).map_err(|e| bad(short(&e.to_string())))
        })
        .collect()
}

/// Error texts from serde can quote the input; keep the reason short.
fn short(text: &str) -> String {
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_object_or_an_array_of_them_is_accepted_with_unknown_values_kept() {
        let one =
            parse(br#"{"id": 5, "activityType": "QUANTUM", "statusCode": "NEW_CODE", "novel": 1}"#)
                .unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].status_code.as_deref(), Some("NEW_CODE"));
        assert_eq!(one[0].activity_type.as_ref().unwrap().as_str(), "QUANTUM");
        let two = parse(br#"[{"id": 1}, {"id": 2, "statusCode": "RESET"}]"#).unwrap();
        assert_eq!(two.len(), 2);
    }

    #[test]
    fn refusals_say_why_in_a_few_words() {
        assert!(matches!(parse(b"not json"), Err(PayloadError::NotJson(_))));
        assert_eq!(parse(b"42"), Err(PayloadError::NotAnActivity));
        assert_eq!(parse(b"[]"), Err(PayloadError::Empty));
        assert!(matches!(
            parse(br#"[{"id": 1}, 7]"#),
            Err(PayloadError::BadItem { index: 1, .. })
        ));
        assert!(matches!(
            parse(br#"{"statusCode": "TRIGGERED"}"#),
            Err(PayloadError::BadItem { index: 0, .. })
        ));
        assert!(matches!(
            parse(br#"{"id": 3, "deviceId": "three"}"#),
            Err(PayloadError::BadItem { .. })
        ));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&bytes);
        }
    }
}
