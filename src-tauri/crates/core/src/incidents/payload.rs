//! What a webhook delivers (SPEC §7 receiver contract): one activity object as NinjaOne
//! sends it, or a JSON array of them. Anything else is refused with a short reason, before
//! anything is stored. Unknown fields, activity types and status codes are kept.

use ninjaone::models::Activity;
use serde_json::value::RawValue;
use serde_json::Value;

/// Most activities one delivery may carry (1 MiB holds about this many small ones).
pub const MAX_ACTIVITIES: usize = 10_000;

/// The largest payload file `webhook ingest` reads (a saved delivery, or a batch of them
/// gathered by hand); the receiver takes at most 1 MiB per delivery.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

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
    items(bytes)?
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let bad = |reason: String| PayloadError::BadItem { index, reason };
            let item: Value =
                serde_json::from_str(item.get()).map_err(|e| bad(short(&e.to_string())))?;
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

/// The delivery's items, still undecoded and borrowed from `bytes`: a large array is never
/// a tree of values in memory, and past [`MAX_ACTIVITIES`] its items are not kept.
fn items(bytes: &[u8]) -> Result<Vec<&RawValue>, PayloadError> {
    let not_json = |e: serde_json::Error| PayloadError::NotJson(short(&e.to_string()));
    let whole: &RawValue = serde_json::from_slice(bytes).map_err(not_json)?;
    match whole.get().as_bytes().first() {
        Some(b'{') => Ok(vec![whole]),
        Some(b'[') => {
            let items = serde_json::from_str::<Items>(whole.get()).map_err(not_json)?;
            match items {
                Items::Kept(items) if items.is_empty() => Err(PayloadError::Empty),
                Items::Kept(items) => Ok(items),
                Items::TooMany => Err(PayloadError::TooMany),
            }
        }
        _ => Err(PayloadError::NotAnActivity),
    }
}

/// An array's items, or the news that it has more than [`MAX_ACTIVITIES`].
enum Items<'a> {
    Kept(Vec<&'a RawValue>),
    TooMany,
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Items<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bounded;
        impl<'de> serde::de::Visitor<'de> for Bounded {
            type Value = Items<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of activities")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Items<'de>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<&'de RawValue>()? {
                    if items.len() == MAX_ACTIVITIES {
                        // The rest is only passed over: the sequence must be read to its end.
                        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                        return Ok(Items::TooMany);
                    }
                    items.push(item);
                }
                Ok(Items::Kept(items))
            }
        }
        deserializer.deserialize_seq(Bounded)
    }
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

    #[test]
    fn an_array_past_the_limit_is_refused_and_one_at_it_is_read() {
        let array = |n: usize| {
            let items: Vec<String> = (1..=n).map(|id| format!(r#"{{"id": {id}}}"#)).collect();
            format!("[{}]", items.join(","))
        };
        assert_eq!(
            parse(array(MAX_ACTIVITIES).as_bytes()).unwrap().len(),
            MAX_ACTIVITIES
        );
        assert_eq!(
            parse(array(MAX_ACTIVITIES + 1).as_bytes()),
            Err(PayloadError::TooMany)
        );
    }

    #[test]
    fn deeply_nested_brackets_are_refused_without_a_panic() {
        let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(nested.as_bytes()).is_err());
        let inside = format!(r#"{{"id": 1, "data": {nested}}}"#);
        assert!(parse(inside.as_bytes()).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&bytes);
        }
    }
}
