//! Which fields a mapping keeps (SPEC §4): the curated groups (some always kept, the others
//! optional and kept unless the user leaves them out), the NinjaOne custom fields the user
//! chose, and, when the mapping opts in, the installed software. Pure rules, no I/O.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Result};

/// A group of curated fields; a field's name starts with its group (`os.name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum FieldGroup {
    Identity,
    Os,
    Hardware,
    Processor,
    Memory,
    Volumes,
    Network,
    Location,
    Organization,
    Policy,
    Owner,
    Maintenance,
    Warranty,
    Lifecycle,
    Health,
}

impl FieldGroup {
    pub const ALL: [FieldGroup; 15] = [
        FieldGroup::Identity,
        FieldGroup::Os,
        FieldGroup::Hardware,
        FieldGroup::Processor,
        FieldGroup::Memory,
        FieldGroup::Volumes,
        FieldGroup::Network,
        FieldGroup::Location,
        FieldGroup::Organization,
        FieldGroup::Policy,
        FieldGroup::Owner,
        FieldGroup::Maintenance,
        FieldGroup::Warranty,
        FieldGroup::Lifecycle,
        FieldGroup::Health,
    ];

    /// The field name prefix, as the fields and the store spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldGroup::Identity => "identity",
            FieldGroup::Os => "os",
            FieldGroup::Hardware => "hardware",
            FieldGroup::Processor => "processor",
            FieldGroup::Memory => "memory",
            FieldGroup::Volumes => "volumes",
            FieldGroup::Network => "network",
            FieldGroup::Location => "location",
            FieldGroup::Organization => "organization",
            FieldGroup::Policy => "policy",
            FieldGroup::Owner => "owner",
            FieldGroup::Maintenance => "maintenance",
            FieldGroup::Warranty => "warranty",
            FieldGroup::Lifecycle => "lifecycle",
            FieldGroup::Health => "health",
        }
    }

    /// A group by name, ignoring case and surrounding space.
    pub fn parse(text: &str) -> Option<FieldGroup> {
        let text = text.trim();
        FieldGroup::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(text))
    }

    /// Identity, OS, hardware and lifecycle are what an asset is: always kept.
    pub fn is_required(self) -> bool {
        matches!(
            self,
            FieldGroup::Identity | FieldGroup::Os | FieldGroup::Hardware | FieldGroup::Lifecycle
        )
    }

    pub fn optional() -> impl Iterator<Item = FieldGroup> {
        FieldGroup::ALL.into_iter().filter(|g| !g.is_required())
    }

    /// The group of a curated field by its name; `None` for custom fields and software.
    pub fn of_field(name: &str) -> Option<FieldGroup> {
        let prefix = name.split_once('.').map_or(name, |(prefix, _)| prefix);
        FieldGroup::ALL.into_iter().find(|g| g.as_str() == prefix)
    }
}

impl std::fmt::Display for FieldGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Custom fields a mapping may keep, and the length of one name.
pub const MAX_CUSTOM_FIELDS: usize = 50;
pub const MAX_CUSTOM_FIELD_NAME: usize = 100;

/// Software titles kept in one asset's `software.titles`; the count stays exact.
pub const MAX_SOFTWARE_TITLES: usize = 500;

/// What a mapping keeps beyond the required groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldChoice {
    /// Optional groups left out (so a group added later is kept by default).
    pub dropped: BTreeSet<FieldGroup>,
    /// NinjaOne custom fields to keep, by name, sorted.
    pub custom: Vec<String>,
    /// Installed software (`/v2/queries/software`).
    pub software: bool,
}

impl FieldChoice {
    /// Whether a field of a draft stays: custom and software fields are added only when
    /// chosen, so only curated groups are decided here.
    pub fn keeps(&self, field: &str) -> bool {
        FieldGroup::of_field(field).is_none_or(|g| !self.dropped.contains(&g))
    }

    pub fn keeps_group(&self, group: FieldGroup) -> bool {
        !self.dropped.contains(&group)
    }
}

fn names(groups: impl IntoIterator<Item = FieldGroup>) -> String {
    groups
        .into_iter()
        .map(FieldGroup::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Groups from "processor, memory" (the CLI's `--drop-fields`, `--keep-fields`).
pub fn parse_groups(text: &str) -> Result<Vec<FieldGroup>> {
    let mut groups = Vec::new();
    let mut unknown = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match FieldGroup::parse(part) {
            Some(group) => groups.push(group),
            None => unknown.push(format!("\"{part}\"")),
        }
    }
    if !unknown.is_empty() {
        return Err(Error::InvalidInput(format!(
            "There is no field group {}. The optional groups are {}.",
            unknown.join(", "),
            names(FieldGroup::optional())
        )));
    }
    Ok(groups)
}

/// The groups left out after leaving out `drop` and keeping `keep` again. Required groups
/// cannot be left out, and one group cannot be both.
pub fn dropped_after(
    current: &BTreeSet<FieldGroup>,
    drop: &[FieldGroup],
    keep: &[FieldGroup],
) -> Result<BTreeSet<FieldGroup>> {
    let required: BTreeSet<FieldGroup> = drop.iter().copied().filter(|g| g.is_required()).collect();
    if !required.is_empty() {
        return Err(Error::InvalidInput(format!(
            "The {} fields are always kept and cannot be left out; the optional groups are {}.",
            names(required),
            names(FieldGroup::optional())
        )));
    }
    let both: BTreeSet<FieldGroup> = drop.iter().copied().filter(|g| keep.contains(g)).collect();
    if !both.is_empty() {
        return Err(Error::InvalidInput(format!(
            "The {} fields were asked to be both left out and kept; name each group once.",
            names(both)
        )));
    }
    let mut dropped = current.clone();
    dropped.extend(drop.iter().copied());
    for group in keep {
        dropped.remove(group);
    }
    Ok(dropped)
}

/// The custom field names a mapping keeps, checked: trimmed, none empty, none too long, not
/// too many; sorted without repeats.
pub fn check_custom_fields(wanted: &[String]) -> Result<Vec<String>> {
    let mut kept = BTreeSet::new();
    for name in wanted {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidInput(
                "A custom field name is empty; give the NinjaOne custom field's name, e.g. assetTag."
                    .into(),
            ));
        }
        if name.chars().count() > MAX_CUSTOM_FIELD_NAME {
            let start: String = name.chars().take(40).collect();
            return Err(Error::InvalidInput(format!(
                "The custom field name \"{start}…\" is longer than {MAX_CUSTOM_FIELD_NAME} characters; \
                 NinjaOne custom field names are short. Check the name."
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!(
                "The custom field name {name:?} contains control characters; give the name as NinjaOne shows it."
            )));
        }
        kept.insert(name.to_string());
    }
    if kept.len() > MAX_CUSTOM_FIELDS {
        return Err(Error::InvalidInput(format!(
            "{} custom fields were chosen; a mapping keeps at most {MAX_CUSTOM_FIELDS}. Choose fewer.",
            kept.len()
        )));
    }
    Ok(kept.into_iter().collect())
}

/// A custom field's value as field text: NinjaOne sends `{"value": …}` objects (or bare
/// values); `None` for an empty value.
pub fn custom_value(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let text = match value {
        Value::Null => return None,
        Value::Object(map) if map.contains_key("value") => return custom_value(&map["value"]),
        Value::String(s) => s.trim().to_string(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(custom_value)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(_) => value.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// `software.count` and `software.titles` of one device from its "name version" entries:
/// sorted, without repeats, titles capped at [`MAX_SOFTWARE_TITLES`].
pub fn software_fields(mut entries: Vec<String>) -> [(String, String); 2] {
    entries.sort_by_key(|e| e.to_lowercase());
    entries.dedup();
    let count = entries.len();
    let mut titles = entries
        .into_iter()
        .take(MAX_SOFTWARE_TITLES)
        .collect::<Vec<_>>()
        .join("; ");
    if count > MAX_SOFTWARE_TITLES {
        titles.push_str(&format!("; … and {} more", count - MAX_SOFTWARE_TITLES));
    }
    [
        ("software.count".into(), count.to_string()),
        ("software.titles".into(), titles),
    ]
}

/// One installed package as a title: "name version" (name alone without a version).
pub fn software_entry(name: Option<&str>, version: Option<&str>) -> Option<String> {
    let name = name.map(str::trim).filter(|n| !n.is_empty())?;
    Some(match version.map(str::trim).filter(|v| !v.is_empty()) {
        Some(version) => format!("{name} {version}"),
        None => name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_parse_by_name_and_unknown_names_are_refused_with_the_valid_ones() {
        assert_eq!(
            parse_groups(" Processor, memory ,").unwrap(),
            vec![FieldGroup::Processor, FieldGroup::Memory]
        );
        let err = parse_groups("memory, gpu").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("\"gpu\""), "{err}");
        assert!(err.to_string().contains("warranty"), "{err}");
        assert!(!err.to_string().contains("identity"), "{err}");
    }

    #[test]
    fn required_groups_cannot_be_left_out_and_optional_ones_come_back_when_kept() {
        let none = BTreeSet::new();
        let err = dropped_after(&none, &[FieldGroup::Os, FieldGroup::Memory], &[]).unwrap_err();
        assert!(
            err.to_string().contains("os fields are always kept"),
            "{err}"
        );
        let dropped = dropped_after(&none, &[FieldGroup::Memory, FieldGroup::Health], &[]).unwrap();
        assert_eq!(
            dropped,
            BTreeSet::from([FieldGroup::Memory, FieldGroup::Health])
        );
        let again =
            dropped_after(&dropped, &[FieldGroup::Warranty], &[FieldGroup::Memory]).unwrap();
        assert_eq!(
            again,
            BTreeSet::from([FieldGroup::Health, FieldGroup::Warranty])
        );
        assert!(dropped_after(&none, &[FieldGroup::Memory], &[FieldGroup::Memory]).is_err());
    }

    #[test]
    fn a_choice_keeps_fields_of_kept_groups_and_every_custom_or_software_field() {
        let choice = FieldChoice {
            dropped: BTreeSet::from([FieldGroup::Volumes]),
            ..FieldChoice::default()
        };
        assert!(!choice.keeps("volumes.count"));
        assert!(choice.keeps("os.name"));
        assert!(choice.keeps("custom.assetTag"));
        assert!(choice.keeps("software.count"));
        assert_eq!(FieldGroup::of_field("osx.name"), None);
    }

    #[test]
    fn custom_field_names_are_trimmed_deduplicated_and_bounded() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_custom_fields(&names(&[" patchRing", "assetTag", "patchRing "])).unwrap(),
            names(&["assetTag", "patchRing"])
        );
        assert!(check_custom_fields(&names(&["  "])).is_err());
        let long = "x".repeat(MAX_CUSTOM_FIELD_NAME + 1);
        let err = check_custom_fields(&[long]).unwrap_err();
        assert!(err.to_string().contains("longer than 100"), "{err}");
        assert!(check_custom_fields(&names(&["a\u{7}b"])).is_err());
        let many: Vec<String> = (0..=MAX_CUSTOM_FIELDS).map(|i| format!("f{i}")).collect();
        let err = check_custom_fields(&many).unwrap_err();
        assert!(err.to_string().contains("at most 50"), "{err}");
        assert_eq!(
            check_custom_fields(&many[..MAX_CUSTOM_FIELDS])
                .unwrap()
                .len(),
            50
        );
    }

    #[test]
    fn custom_values_render_as_text() {
        assert_eq!(
            custom_value(&json!({"value": "AT-00012"})).as_deref(),
            Some("AT-00012")
        );
        assert_eq!(
            custom_value(&json!({"value": true})).as_deref(),
            Some("yes")
        );
        assert_eq!(custom_value(&json!(1234)).as_deref(), Some("1234"));
        assert_eq!(custom_value(&json!(["a", "b"])).as_deref(), Some("a, b"));
        assert_eq!(custom_value(&json!({"value": null})), None);
        assert_eq!(custom_value(&json!({"value": "  "})), None);
    }

    #[test]
    fn software_is_sorted_without_repeats_and_capped() {
        let [count, titles] = software_fields(vec![
            "zoom.us 6.1.1".into(),
            "Google Chrome 126".into(),
            "Google Chrome 126".into(),
            "7-Zip 24.07".into(),
        ]);
        assert_eq!(count.1, "3");
        assert_eq!(titles.1, "7-Zip 24.07; Google Chrome 126; zoom.us 6.1.1");
        let many: Vec<String> = (0..MAX_SOFTWARE_TITLES + 2)
            .map(|i| format!("pkg{i:04}"))
            .collect();
        let [count, titles] = software_fields(many);
        assert_eq!(count.1, (MAX_SOFTWARE_TITLES + 2).to_string());
        assert!(titles.1.ends_with("; … and 2 more"), "{}", titles.1);
        assert_eq!(
            software_entry(Some("nginx"), Some(" ")).as_deref(),
            Some("nginx")
        );
        assert_eq!(software_entry(None, Some("1.0")), None);
    }
}
