//! Activities (`/v2/activities`, newest first) and the alerts derived from them
//! (`/v2/alerts`; ninjaone-api.md §3.5–§3.6). Generated activities are kept as small
//! [`GenActivity`] records and rendered when served; activities added through
//! [`crate::Control`] are kept as sent. Ids ascend with time, which is what the
//! `olderThan`/`newerThan` walk relies on.

mod alerts;
mod generate;
mod live;

use std::borrow::Cow;

use ninjaone::models::{Activity, ActivityPage, ActivityResult, ActivityType, Priority, Severity};
use serde_json::{json, Value};

use crate::filter::DeviceFilter;
use crate::profile::Family;
use crate::reports::backup::{self, JobOutcome, PLANS};
use crate::rng::{self, Purpose};
use crate::tenant::View;

pub(crate) use alerts::active_alerts;
pub(crate) use generate::generate_for_device;
pub(crate) use live::LiveAlerts;

/// Real activity ids are large; starting here also keeps them apart from device ids.
pub(crate) const FIRST_ACTIVITY_ID: i64 = 1_000_001;

/// Status codes missing from NinjaOne's enum, as newer releases add (ninjaone-api.md §3.5).
pub(crate) const UNKNOWN_STATUS_CODES: &[&str] =
    &["AGENT_SELF_HEALED", "NINJA_QUANTUM_SYNC_COMPLETED"];

#[derive(Clone, Debug)]
pub(crate) enum ActivityEntry {
    Generated(GenActivity),
    Custom(Box<Activity>),
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct GenActivity {
    pub id: i64,
    pub time: f64,
    pub device_id: i64,
    pub kind: GenKind,
    /// Number of the activity series; TRIGGERED and RESET of one condition share it.
    pub series: u32,
    /// Kind-specific: backup plan << 8 | job index.
    pub detail: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GenKind {
    NinjaBackup(JobOutcome),
    Cloudberry(JobOutcome),
    FileVault { enabled: bool },
    Condition { condition: u8, triggered: bool },
    Unknown(u8),
}

/// A monitoring condition that raises alerts.
pub(crate) struct Condition {
    pub source_type: &'static str,
    pub name: &'static str,
    pub message: &'static str,
    pub code: &'static str,
    pub severity: Severity,
    pub priority: Priority,
    pub health: &'static str,
    pub families: &'static [Family],
}

const AGENTS: &[Family] = &[Family::Windows, Family::Mac, Family::Linux];

pub(crate) const CONDITIONS: &[Condition] = &[
    Condition {
        source_type: "CONDITION_AGENT_DISK_FREE_SPACE",
        name: "Disk space",
        message: "Disk C: has less than 10% free space.",
        code: "agent_cond_disk_free_space",
        severity: Severity::Major,
        priority: Priority::High,
        health: "UNHEALTHY",
        families: &[Family::Windows],
    },
    Condition {
        source_type: "CONDITION_AGENT_CPU",
        name: "CPU",
        message: "CPU utilization above 90% for 15 minutes.",
        code: "agent_cond_cpu",
        severity: Severity::Moderate,
        priority: Priority::Medium,
        health: "NEEDS_ATTENTION",
        families: AGENTS,
    },
    Condition {
        source_type: "CONDITION_SYSTEM_UPTIME",
        name: "Uptime",
        message: "System has not rebooted for more than 30 days.",
        code: "agent_win_cond_sys_uptime",
        severity: Severity::Minor,
        priority: Priority::Low,
        health: "NEEDS_ATTENTION",
        families: AGENTS,
    },
    Condition {
        source_type: "CONDITION_PENDING_REBOOT",
        name: "Pending reboot",
        message: "A reboot is pending after updates.",
        code: "agent_cond_pending_reboot",
        severity: Severity::Minor,
        priority: Priority::Low,
        health: "NEEDS_ATTENTION",
        families: &[Family::Windows],
    },
    Condition {
        source_type: "CONDITION_BITLOCKER_STATUS",
        name: "BitLocker",
        message: "BitLocker protection is off on C:.",
        code: "agent_cond_bitlocker_status",
        severity: Severity::Critical,
        priority: Priority::High,
        health: "UNHEALTHY",
        families: &[Family::Windows],
    },
    Condition {
        source_type: "CONDITION_FILEVAULT_STATUS",
        name: "FileVault",
        message: "FileVault is turned off.",
        code: "agent_cond_filevault_status",
        severity: Severity::Critical,
        priority: Priority::High,
        health: "UNHEALTHY",
        families: &[Family::Mac],
    },
    Condition {
        source_type: "CONDITION_LINUX_DISK_FREE_SPACE",
        name: "Disk space",
        message: "/ has less than 10% free space.",
        code: "agent_cond_linux_disk_free_space",
        severity: Severity::Major,
        priority: Priority::High,
        health: "UNHEALTHY",
        families: &[Family::Linux],
    },
    Condition {
        source_type: "CONDITION_NMS_NETWORK_STATUS",
        name: "Interface status",
        message: "Interface Gi1/0/24 is down.",
        code: "nms_cond_network_status",
        severity: Severity::Major,
        priority: Priority::High,
        health: "UNHEALTHY",
        families: &[Family::Network],
    },
    Condition {
        source_type: "CONDITION_PING",
        name: "Ping",
        message: "The host does not answer ping.",
        code: "cond_ping",
        severity: Severity::Major,
        priority: Priority::Medium,
        health: "UNHEALTHY",
        families: &[
            Family::Network,
            Family::VmGuest,
            Family::VmHost,
            Family::CloudMonitor,
            Family::Mobile,
            Family::Other,
        ],
    },
    Condition {
        source_type: "CONDITION_HTTP",
        name: "HTTP check",
        message: "HTTP check failed with status 503.",
        code: "cloud_cond_http",
        severity: Severity::Critical,
        priority: Priority::High,
        health: "UNHEALTHY",
        families: &[Family::CloudMonitor],
    },
    Condition {
        source_type: "CONDITION_VM_GUEST_TOOLS_NOT_RUNNING",
        name: "VM tools",
        message: "VMware Tools are not running.",
        code: "vm_cond_tools_not_running",
        severity: Severity::Minor,
        priority: Priority::Low,
        health: "NEEDS_ATTENTION",
        families: &[Family::VmGuest],
    },
    Condition {
        source_type: "CONDITION_VM_HOST_DATASTORE",
        name: "Datastore",
        message: "Datastore usage is above 90%.",
        code: "vm_cond_host_datastore",
        severity: Severity::Major,
        priority: Priority::High,
        health: "UNHEALTHY",
        families: &[Family::VmHost],
    },
];

impl GenKind {
    fn activity_type(self) -> &'static str {
        match self {
            GenKind::NinjaBackup(_) => "NINJA_BACKUP",
            GenKind::Cloudberry(_) => "CLOUDBERRY_BACKUP",
            GenKind::FileVault { .. } | GenKind::Unknown(_) => "SYSTEM",
            GenKind::Condition { .. } => "CONDITION",
        }
    }

    fn status_code(self) -> &'static str {
        match self {
            GenKind::NinjaBackup(outcome) => match outcome {
                JobOutcome::Completed => "NINJA_BACKUP_BACKUPJOB_COMPLETED",
                JobOutcome::CompletedWithWarning => "NINJA_BACKUP_BACKUPJOB_COMPLETED_WITH_WARNING",
                JobOutcome::Failed => "NINJA_BACKUP_BACKUPJOB_FAILED",
                JobOutcome::Cancelled => "NINJA_BACKUP_BACKUPJOB_CANCELLED",
                JobOutcome::Running => "NINJA_BACKUP_BACKUPJOB_STARTED",
            },
            GenKind::Cloudberry(outcome) => match outcome {
                JobOutcome::CompletedWithWarning => "CLOUDBERRY_BACKUPJOB_COMPLETED_WITH_WARNING",
                JobOutcome::Failed | JobOutcome::Cancelled => "CLOUDBERRY_BACKUPJOB_FAILED",
                JobOutcome::Running => "CLOUDBERRY_BACKUPJOB_STARTED",
                JobOutcome::Completed => "CLOUDBERRY_BACKUPJOB_SUCCEEDED",
            },
            GenKind::FileVault { enabled: true } => "FILEVAULT_ENABLED",
            GenKind::FileVault { enabled: false } => "FILEVAULT_DISABLED",
            GenKind::Condition {
                triggered: true, ..
            } => "TRIGGERED",
            GenKind::Condition {
                triggered: false, ..
            } => "RESET",
            GenKind::Unknown(index) => {
                UNKNOWN_STATUS_CODES[usize::from(index) % UNKNOWN_STATUS_CODES.len()]
            }
        }
    }
}

pub(crate) fn condition(index: u8) -> &'static Condition {
    &CONDITIONS[usize::from(index) % CONDITIONS.len()]
}

fn series_uid(seed: u64, series: u32) -> String {
    rng::hashed_uuid(seed, u64::from(series), Purpose::Series)
}

fn condition_config_uid(seed: u64, condition: u8) -> String {
    rng::hashed_uuid(seed, u64::from(condition), Purpose::Condition)
}

fn outcome_result(outcome: JobOutcome) -> Option<ActivityResult> {
    match outcome {
        JobOutcome::Completed | JobOutcome::CompletedWithWarning => Some(ActivityResult::Success),
        JobOutcome::Failed => Some(ActivityResult::Failure),
        JobOutcome::Cancelled => Some(ActivityResult::Uncompleted),
        JobOutcome::Running => None,
    }
}

fn outcome_words(outcome: JobOutcome) -> &'static str {
    match outcome {
        JobOutcome::Completed => "completed",
        JobOutcome::CompletedWithWarning => "completed with warnings",
        JobOutcome::Failed => "failed",
        JobOutcome::Cancelled => "was cancelled",
        JobOutcome::Running => "started",
    }
}

fn message_data(code: &str, params: Value) -> Value {
    json!({ "message": { "code": code, "params": params } })
}

impl ActivityEntry {
    pub fn id(&self) -> i64 {
        match self {
            ActivityEntry::Generated(a) => a.id,
            ActivityEntry::Custom(a) => a.id.unwrap_or_default(),
        }
    }

    pub fn time(&self) -> f64 {
        match self {
            ActivityEntry::Generated(a) => a.time,
            ActivityEntry::Custom(a) => a.activity_time.unwrap_or_default(),
        }
    }

    pub fn device_id(&self) -> Option<i64> {
        match self {
            ActivityEntry::Generated(a) => Some(a.device_id),
            ActivityEntry::Custom(a) => a.device_id,
        }
    }

    pub fn activity_type(&self) -> Option<&str> {
        match self {
            ActivityEntry::Generated(a) => Some(a.kind.activity_type()),
            ActivityEntry::Custom(a) => a.activity_type.as_ref().map(ActivityType::as_str),
        }
    }

    pub fn status_code(&self) -> Option<&str> {
        match self {
            ActivityEntry::Generated(a) => Some(a.kind.status_code()),
            ActivityEntry::Custom(a) => a.status_code.as_deref(),
        }
    }

    pub fn series_uid(&self, seed: u64) -> Option<Cow<'_, str>> {
        match self {
            ActivityEntry::Generated(a) => Some(Cow::Owned(series_uid(seed, a.series))),
            ActivityEntry::Custom(a) => a.series_uid.as_deref().map(Cow::Borrowed),
        }
    }

    pub fn render(&self, seed: u64) -> Activity {
        match self {
            ActivityEntry::Custom(activity) => (**activity).clone(),
            ActivityEntry::Generated(a) => render_generated(seed, a),
        }
    }
}

fn render_generated(seed: u64, a: &GenActivity) -> Activity {
    let mut activity = Activity {
        id: Some(a.id),
        activity_time: Some(a.time),
        device_id: Some(a.device_id),
        severity: Some(Severity::None),
        priority: Some(Priority::None),
        series_uid: Some(series_uid(seed, a.series)),
        activity_type: Some(ActivityType::from(a.kind.activity_type())),
        status_code: Some(a.kind.status_code().into()),
        subject: Some(String::new()),
        ..Activity::default()
    };
    match a.kind {
        GenKind::NinjaBackup(outcome) => {
            let plan = usize::from(a.detail >> 8) % PLANS.len();
            let job = a.detail & 0xff;
            let (plan_name, _, _) = PLANS[plan];
            activity.status = Some(format!("Backup job {}", outcome_words(outcome)));
            activity.activity_result = outcome_result(outcome);
            activity.source_config_uid = Some(backup::plan_guid(seed, a.device_id, plan));
            activity.source_name = Some(plan_name.into());
            activity.message = Some(format!(
                "Backup job '{plan_name}' {}.",
                outcome_words(outcome)
            ));
            activity.kind = Some("Backup".into());
            activity.data = Some(message_data(
                "ninja_backup_job_status",
                json!({ "jobId": backup::job_id(seed, a.device_id, job), "planName": plan_name }),
            ));
        }
        GenKind::Cloudberry(outcome) => {
            activity.status = Some(format!("Backup {}", outcome_words(outcome)));
            activity.activity_result = outcome_result(outcome);
            activity.source_name = Some("CloudBerry Backup".into());
            activity.message = Some(format!(
                "CloudBerry backup plan 'Nightly' {}.",
                outcome_words(outcome)
            ));
            activity.kind = Some("CloudBerry Backup".into());
        }
        GenKind::FileVault { enabled } => {
            let words = if enabled { "enabled" } else { "disabled" };
            activity.status = Some(format!("FileVault {words}"));
            activity.activity_result = Some(ActivityResult::Success);
            activity.message = Some(format!("FileVault was {words} on the startup disk."));
            activity.kind = Some("System".into());
        }
        GenKind::Condition {
            condition: index,
            triggered,
        } => {
            let c = condition(index);
            activity.severity = Some(c.severity.clone());
            activity.priority = Some(c.priority.clone());
            activity.source_config_uid = Some(condition_config_uid(seed, index));
            activity.source_name = Some(c.name.into());
            activity.status = Some(if triggered { "Triggered" } else { "Reset" }.into());
            activity.message = Some(match triggered {
                true => c.message.to_string(),
                false => format!("Condition '{}' reset.", c.name),
            });
            activity.kind = Some("Condition".into());
            activity.data = Some(message_data(c.code, json!({})));
        }
        GenKind::Unknown(_) => {
            activity.status = Some("Agent repaired itself".into());
            activity.activity_result = Some(ActivityResult::Success);
            activity.message = Some("The agent detected and repaired a problem.".into());
            activity.kind = Some("System".into());
        }
    }
    activity
}

/// The parameters of `/v2/activities` the simulator honours.
#[derive(Clone, Debug, Default)]
pub(crate) struct ActivityQuery {
    pub page_size: usize,
    /// Ids below this (the next page going back in time).
    pub older_than: Option<i64>,
    /// Ids above this (incremental polling).
    pub newer_than: Option<i64>,
    pub types: Option<Vec<String>>,
    pub statuses: Option<Vec<String>>,
    pub series_uid: Option<String>,
    pub source_config_uid: Option<String>,
    pub after: Option<f64>,
    pub before: Option<f64>,
    pub df: Option<DeviceFilter>,
}

pub(crate) fn page(view: &View, query: &ActivityQuery) -> ActivityPage<Activity> {
    let seed = view.ctx.seed;
    let entries = view.activities.as_slice();
    let end = match query.older_than {
        Some(older) => entries.partition_point(|e| e.id() < older),
        None => entries.len(),
    };
    let list =
        |filter: &Option<Vec<String>>, value: Option<&str>| crate::reports::allowed(filter, value);
    let activities = entries[..end]
        .iter()
        .rev()
        .take_while(|e| query.newer_than.is_none_or(|newer| e.id() > newer))
        .filter(|e| {
            list(&query.types, e.activity_type())
                && list(&query.statuses, e.status_code())
                && query.after.is_none_or(|after| e.time() >= after)
                && query.before.is_none_or(|before| e.time() < before)
                && query
                    .series_uid
                    .as_ref()
                    .is_none_or(|uid| e.series_uid(seed).is_some_and(|s| s == uid.as_str()))
                && query.df.as_ref().is_none_or(|df| {
                    e.device_id()
                        .and_then(|id| view.device(id))
                        .is_some_and(|device| df.matches(device))
                })
        })
        .map(|e| e.render(seed))
        .filter(|a| {
            query
                .source_config_uid
                .as_ref()
                .is_none_or(|uid| a.source_config_uid.as_ref() == Some(uid))
        })
        .take(query.page_size)
        .collect();
    ActivityPage {
        last_activity_id: view.last_activity_id(),
        activities,
    }
}
