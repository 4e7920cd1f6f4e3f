//! Alert rules (SPEC §7): an ordered list, first match wins. A rule matches on activity
//! type, status code, NinjaOne severity and priority, source name (a glob), organization and
//! device class, and sets the incident's severity and actions. Without a matching rule,
//! NinjaOne's severity maps straight through and the incident notifies. Pure functions: the
//! engine stores the rules and hands them in.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{IncidentSeverity, RuleAction};
use crate::ids::NinjaOrgId;
use crate::{Error, Result};

/// NinjaOne's severity and priority vocabularies (ninjaone-api.md §3.5).
pub const NINJA_SEVERITIES: &[&str] = &["NONE", "MINOR", "MODERATE", "MAJOR", "CRITICAL"];
pub const NINJA_PRIORITIES: &[&str] = &["NONE", "LOW", "MEDIUM", "HIGH"];

/// Most rules a list may hold; more is a mistake, not a configuration.
pub const MAX_RULES: usize = 200;

/// What a rule matches. Every list that is not empty must contain the event's value; an
/// empty list matches anything. Values are NinjaOne's codes (`CONDITION`, `TRIGGERED`,
/// `MAJOR`, `WINDOWS_SERVER`), compared without regard to case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct RuleMatch {
    pub activity_types: Vec<String>,
    pub status_codes: Vec<String>,
    pub severities: Vec<String>,
    pub priorities: Vec<String>,
    /// `*` any run of characters, `?` one character.
    pub source_name: Option<String>,
    pub org_ids: Vec<NinjaOrgId>,
    pub device_classes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AlertRule {
    pub name: String,
    #[serde(default = "enabled")]
    pub enabled: bool,
    #[serde(default)]
    pub when: RuleMatch,
    /// `None`: keep NinjaOne's severity, mapped straight through.
    #[serde(default)]
    pub severity: Option<IncidentSeverity>,
    #[serde(default)]
    pub actions: Vec<RuleAction>,
}

fn enabled() -> bool {
    true
}

/// The facts of one activity that rules look at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    pub activity_type: &'a str,
    pub status_code: &'a str,
    pub severity: Option<&'a str>,
    pub priority: Option<&'a str>,
    pub source_name: Option<&'a str>,
    pub org: Option<NinjaOrgId>,
    pub device_class: Option<&'a str>,
}

/// The outcome for one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Decision {
    /// Position of the rule that matched (0-based), `None` for the default.
    pub rule: Option<u32>,
    pub severity: IncidentSeverity,
    pub actions: Vec<RuleAction>,
}

impl Decision {
    pub fn ignores(&self) -> bool {
        self.actions.contains(&RuleAction::Ignore)
    }
}

/// NinjaOne severity straight through: CRITICAL → critical, MAJOR → high, MODERATE →
/// medium, MINOR → low, NONE (or missing, or unknown) → info.
pub fn default_severity(ninja: Option<&str>) -> IncidentSeverity {
    match ninja.map(str::to_ascii_uppercase).as_deref() {
        Some("CRITICAL") => IncidentSeverity::Critical,
        Some("MAJOR") => IncidentSeverity::High,
        Some("MODERATE") => IncidentSeverity::Medium,
        Some("MINOR") => IncidentSeverity::Low,
        _ => IncidentSeverity::Info,
    }
}

/// First enabled rule that matches wins; otherwise the default.
pub fn decide(rules: &[AlertRule], facts: &Facts) -> Decision {
    let default = default_severity(facts.severity);
    rules
        .iter()
        .enumerate()
        .find(|(_, rule)| rule.enabled && matches(&rule.when, facts))
        .map(|(index, rule)| Decision {
            rule: Some(index as u32),
            severity: rule.severity.unwrap_or(default),
            actions: rule.actions.clone(),
        })
        .unwrap_or(Decision {
            rule: None,
            severity: default,
            actions: vec![RuleAction::Notify],
        })
}

/// Whether `when` lists this status code by name (a rule may turn a non-alert activity,
/// such as a failed backup, into an incident by naming its code).
pub fn names_status_code(when: &RuleMatch, status_code: &str) -> bool {
    when.status_codes
        .iter()
        .any(|c| c.eq_ignore_ascii_case(status_code))
}

pub fn matches(when: &RuleMatch, facts: &Facts) -> bool {
    let listed = |list: &[String], value: Option<&str>| {
        list.is_empty() || value.is_some_and(|v| list.iter().any(|l| l.eq_ignore_ascii_case(v)))
    };
    listed(&when.activity_types, Some(facts.activity_type))
        && listed(&when.status_codes, Some(facts.status_code))
        && listed(&when.severities, facts.severity)
        && listed(&when.priorities, facts.priority)
        && listed(&when.device_classes, facts.device_class)
        && (when.org_ids.is_empty() || facts.org.is_some_and(|o| when.org_ids.contains(&o)))
        && when
            .source_name
            .as_deref()
            .is_none_or(|pattern| glob(pattern, facts.source_name.unwrap_or("")))
}

/// Glob match without regard to case: `*` any run, `?` one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 100
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks a rule list before it is saved. Every problem is reported, each naming the rule
/// (by position and name) and what to change.
pub fn validate(rules: &[AlertRule]) -> Result<()> {
    let mut problems = Vec::new();
    if rules.len() > MAX_RULES {
        problems.push(format!(
            "There are {} rules; at most {MAX_RULES} are allowed. Merge rules that do the same.",
            rules.len()
        ));
    }
    for (index, rule) in rules.iter().enumerate() {
        let name = rule.name.trim();
        let at = format!("Rule {} ({:?})", index + 1, name);
        if name.is_empty() {
            problems.push(format!(
                "Rule {} has no name. Give it a short name.",
                index + 1
            ));
        } else if name.chars().count() > 100 {
            problems.push(format!(
                "{at}: the name is longer than 100 characters. Shorten it."
            ));
        }
        let w = &rule.when;
        let lists: [(&str, &Vec<String>); 3] = [
            ("activity type", &w.activity_types),
            ("status code", &w.status_codes),
            ("device class", &w.device_classes),
        ];
        for (what, list) in lists {
            for value in list.iter().filter(|v| !is_code(v)) {
                problems.push(format!(
                    "{at}: {value:?} is not a NinjaOne {what}. Use the code as NinjaOne sends it, \
                     such as CONDITION, TRIGGERED or WINDOWS_SERVER."
                ));
            }
        }
        for value in &w.severities {
            if !NINJA_SEVERITIES
                .iter()
                .any(|s| s.eq_ignore_ascii_case(value))
            {
                problems.push(format!(
                    "{at}: {value:?} is not a NinjaOne severity. Use one of {}.",
                    NINJA_SEVERITIES.join(", ")
                ));
            }
        }
        for value in &w.priorities {
            if !NINJA_PRIORITIES
                .iter()
                .any(|s| s.eq_ignore_ascii_case(value))
            {
                problems.push(format!(
                    "{at}: {value:?} is not a NinjaOne priority. Use one of {}.",
                    NINJA_PRIORITIES.join(", ")
                ));
            }
        }
        if let Some(pattern) = &w.source_name {
            if pattern.trim().is_empty() || pattern.chars().count() > 200 {
                problems.push(format!(
                    "{at}: the source name pattern is empty or longer than 200 characters. \
                     Leave it out to match any source, or use a pattern such as \"Disk*\"."
                ));
            }
        }
        if rule.actions.contains(&RuleAction::Ignore) && rule.actions.len() > 1 {
            problems.push(format!(
                "{at}: \"ignore\" cannot be combined with other actions. Choose ignore alone, or \
                 notify and/or ticket."
            ));
        }
        let mut seen = Vec::new();
        for action in &rule.actions {
            if seen.contains(action) {
                problems.push(format!("{at}: the action {action:?} is listed twice."));
            }
            seen.push(*action);
        }
        if rule.enabled && *w == RuleMatch::default() && index + 1 < rules.len() {
            problems.push(format!(
                "{at} matches every event, so the {} rules after it would never apply. Give it \
                 a condition, or move it to the end.",
                rules.len() - index - 1
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "The alert rules were not saved: {}",
            problems.join(" ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, when: RuleMatch, severity: Option<IncidentSeverity>) -> AlertRule {
        AlertRule {
            name: name.into(),
            enabled: true,
            when,
            severity,
            actions: vec![RuleAction::Notify],
        }
    }

    fn facts() -> Facts<'static> {
        Facts {
            activity_type: "CONDITION",
            status_code: "TRIGGERED",
            severity: Some("MAJOR"),
            priority: Some("HIGH"),
            source_name: Some("Disk space C:"),
            org: Some(NinjaOrgId(7)),
            device_class: Some("WINDOWS_SERVER"),
        }
    }

    #[test]
    fn without_rules_ninjaone_severity_maps_straight_through_and_notifies() {
        let d = decide(&[], &facts());
        assert_eq!(d.severity, IncidentSeverity::High);
        assert_eq!(d.actions, vec![RuleAction::Notify]);
        assert_eq!(d.rule, None);
        assert_eq!(
            default_severity(Some("CRITICAL")),
            IncidentSeverity::Critical
        );
        assert_eq!(default_severity(Some("MODERATE")), IncidentSeverity::Medium);
        assert_eq!(default_severity(Some("MINOR")), IncidentSeverity::Low);
        assert_eq!(default_severity(Some("NONE")), IncidentSeverity::Info);
        assert_eq!(default_severity(Some("BRAND_NEW")), IncidentSeverity::Info);
        assert_eq!(default_severity(None), IncidentSeverity::Info);
    }

    #[test]
    fn the_first_matching_rule_wins() {
        let servers = rule(
            "servers",
            RuleMatch {
                device_classes: vec!["windows_server".into()],
                ..RuleMatch::default()
            },
            Some(IncidentSeverity::Critical),
        );
        let disks = rule(
            "disks",
            RuleMatch {
                source_name: Some("disk*".into()),
                ..RuleMatch::default()
            },
            Some(IncidentSeverity::Low),
        );
        let d = decide(&[servers.clone(), disks.clone()], &facts());
        assert_eq!((d.rule, d.severity), (Some(0), IncidentSeverity::Critical));
        let d = decide(&[disks, servers], &facts());
        assert_eq!((d.rule, d.severity), (Some(0), IncidentSeverity::Low));
    }

    #[test]
    fn every_criterion_must_hold_and_disabled_rules_are_skipped() {
        let mut r = rule(
            "org 8 only",
            RuleMatch {
                org_ids: vec![NinjaOrgId(8)],
                ..RuleMatch::default()
            },
            Some(IncidentSeverity::Info),
        );
        assert_eq!(decide(std::slice::from_ref(&r), &facts()).rule, None);
        r.when.org_ids = vec![NinjaOrgId(7)];
        r.when.priorities = vec!["LOW".into()];
        assert_eq!(decide(std::slice::from_ref(&r), &facts()).rule, None);
        r.when.priorities = vec!["high".into()];
        assert_eq!(decide(std::slice::from_ref(&r), &facts()).rule, Some(0));
        r.enabled = false;
        assert_eq!(decide(&[r], &facts()).rule, None);
    }

    #[test]
    fn a_rule_without_severity_keeps_ninjaone_severity_and_can_ignore() {
        let mut r = rule(
            "quiet",
            RuleMatch {
                status_codes: vec!["TRIGGERED".into()],
                ..RuleMatch::default()
            },
            None,
        );
        r.actions = vec![RuleAction::Ignore];
        let d = decide(&[r], &facts());
        assert_eq!(d.severity, IncidentSeverity::High);
        assert!(d.ignores());
    }

    #[test]
    fn globs_match_runs_and_single_characters_without_case() {
        assert!(glob("Disk*", "disk space C:"));
        assert!(glob("*space?C:", "Disk space C:"));
        assert!(glob("*", ""));
        assert!(!glob("Disk?", "Disk"));
        assert!(!glob("CPU*", "Disk space"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
    }

    #[test]
    fn validation_names_each_problem_and_the_fix() {
        let bad = vec![
            AlertRule {
                name: " ".into(),
                enabled: true,
                when: RuleMatch {
                    severities: vec!["SEVERE".into()],
                    activity_types: vec!["not a code!".into()],
                    ..RuleMatch::default()
                },
                severity: None,
                actions: vec![RuleAction::Ignore, RuleAction::Notify],
            },
            rule("catch-all", RuleMatch::default(), None),
            rule("never reached", RuleMatch::default(), None),
        ];
        let err = validate(&bad).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        let text = err.to_string();
        assert!(text.contains("Rule 1 has no name"), "{text}");
        assert!(
            text.contains("\"SEVERE\" is not a NinjaOne severity"),
            "{text}"
        );
        assert!(
            text.contains("\"not a code!\" is not a NinjaOne activity type"),
            "{text}"
        );
        assert!(text.contains("cannot be combined"), "{text}");
        assert!(text.contains("matches every event"), "{text}");
        assert!(
            validate(&bad[1..2]).is_ok(),
            "a catch-all at the end is fine"
        );
    }

    #[test]
    fn rules_read_from_json_with_defaults() {
        let rules: Vec<AlertRule> = serde_json::from_value(serde_json::json!([
            {"name": "x", "when": {"statusCodes": ["TRIGGERED"]}, "severity": "critical", "actions": ["ticket"]}
        ]))
        .unwrap();
        assert!(rules[0].enabled);
        assert_eq!(rules[0].severity, Some(IncidentSeverity::Critical));
        assert_eq!(rules[0].actions, vec![RuleAction::Ticket]);
    }
}
