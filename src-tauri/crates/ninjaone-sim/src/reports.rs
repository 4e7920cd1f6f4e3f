//! The cursor-paged reports: `/v2/queries/*` and `/v2/backup/jobs` (ninjaone-api.md
//! §3.3–§3.4). Rows are generated per device from the seed, so a report over 100,000
//! devices is produced page by page instead of being held in memory; a cursor only keeps
//! which devices it covers and how many rows each contributes ([`crate::cursors`]).

pub(crate) mod backup;
mod health;
mod inventory;
mod patches;
pub(crate) mod security;

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::tenant::{DeviceRecord, View};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReportKind {
    Volumes,
    Antivirus,
    OsPatches,
    SoftwarePatches,
    OsPatchInstalls,
    SoftwarePatchInstalls,
    DeviceHealth,
    OperatingSystems,
    ComputerSystems,
    CustomFields,
    Software,
    BackupJobs,
}

impl ReportKind {
    pub const ALL: [ReportKind; 12] = [
        ReportKind::Volumes,
        ReportKind::Antivirus,
        ReportKind::OsPatches,
        ReportKind::SoftwarePatches,
        ReportKind::OsPatchInstalls,
        ReportKind::SoftwarePatchInstalls,
        ReportKind::DeviceHealth,
        ReportKind::OperatingSystems,
        ReportKind::ComputerSystems,
        ReportKind::CustomFields,
        ReportKind::Software,
        ReportKind::BackupJobs,
    ];

    /// The path below `/v2`.
    pub fn path(self) -> &'static str {
        match self {
            ReportKind::Volumes => "/queries/volumes",
            ReportKind::Antivirus => "/queries/antivirus-status",
            ReportKind::OsPatches => "/queries/os-patches",
            ReportKind::SoftwarePatches => "/queries/software-patches",
            ReportKind::OsPatchInstalls => "/queries/os-patch-installs",
            ReportKind::SoftwarePatchInstalls => "/queries/software-patch-installs",
            ReportKind::DeviceHealth => "/queries/device-health",
            ReportKind::OperatingSystems => "/queries/operating-systems",
            ReportKind::ComputerSystems => "/queries/computer-systems",
            ReportKind::CustomFields => "/queries/custom-fields",
            ReportKind::Software => "/queries/software",
            ReportKind::BackupJobs => "/backup/jobs",
        }
    }

    /// NinjaOne documents 10,000 for backup jobs and nothing for the queries, where clients
    /// send 1,000 (ninjaone-api.md §2.2).
    pub fn default_page_size(self) -> usize {
        match self {
            ReportKind::BackupJobs => 10_000,
            _ => 1000,
        }
    }

    /// Generates the device's rows; appends them as JSON to `out` when given, and returns
    /// how many there are. Counting and rendering share one generator so they cannot
    /// disagree.
    pub fn produce(
        self,
        view: &View,
        device: &DeviceRecord,
        query: &RowQuery,
        out: Option<&mut Vec<Value>>,
    ) -> usize {
        let ctx = &view.ctx;
        match self {
            ReportKind::Volumes => emit(security::volume_rows(ctx, device, query), out),
            ReportKind::Antivirus => emit(security::antivirus_rows(ctx, device, query), out),
            ReportKind::OsPatches => emit(patches::os_pending_rows(ctx, device, query), out),
            ReportKind::SoftwarePatches => {
                emit(patches::software_pending_rows(ctx, device, query), out)
            }
            ReportKind::OsPatchInstalls => emit(patches::os_install_rows(ctx, device, query), out),
            ReportKind::SoftwarePatchInstalls => {
                emit(patches::software_install_rows(ctx, device, query), out)
            }
            ReportKind::DeviceHealth => emit(health::rows(view, device, query), out),
            ReportKind::OperatingSystems => emit(inventory::os_rows(ctx, device, query), out),
            ReportKind::ComputerSystems => emit(inventory::system_rows(ctx, device, query), out),
            ReportKind::CustomFields => emit(inventory::custom_field_rows(ctx, device, query), out),
            ReportKind::Software => emit(inventory::software_rows(ctx, device, query), out),
            ReportKind::BackupJobs => emit(backup::job_rows(ctx, device, query), out),
        }
    }
}

fn emit<T: Serialize>(rows: Vec<T>, out: Option<&mut Vec<Value>>) -> usize {
    let count = rows.len();
    if let Some(out) = out {
        out.extend(rows.iter().filter_map(|row| serde_json::to_value(row).ok()));
    }
    count
}

/// The report-specific query parameters. Each generator applies the ones its endpoint
/// documents and ignores the rest, as NinjaOne ignores unknown parameters.
#[derive(Clone, Debug, Default)]
pub(crate) struct RowQuery {
    pub include_bitlocker: bool,
    /// `ts`: only rows collected at or after this time.
    pub ts: Option<f64>,
    pub status: Option<Vec<String>>,
    pub kind: Option<Vec<String>>,
    pub severity: Option<Vec<String>>,
    pub impact: Option<Vec<String>>,
    pub product_identifier: Option<Vec<String>>,
    pub product_state: Option<Vec<String>>,
    pub product_name: Option<Vec<String>>,
    pub health: Option<Vec<String>>,
    pub installed_after: Option<f64>,
    pub installed_before: Option<f64>,
    pub fields: Option<Vec<String>>,
}

impl RowQuery {
    pub fn from_params(params: &HashMap<String, String>) -> Result<RowQuery, String> {
        let list = |name: &str| {
            params.get(name).map(|text| {
                text.split(',')
                    .map(|item| item.trim().to_string())
                    .filter(|item| !item.is_empty())
                    .collect::<Vec<_>>()
            })
        };
        Ok(RowQuery {
            include_bitlocker: list("include")
                .is_some_and(|items| items.iter().any(|i| i.eq_ignore_ascii_case("bl"))),
            ts: epoch(params, "ts")?,
            status: list("status"),
            kind: list("type"),
            severity: list("severity"),
            impact: list("impact"),
            product_identifier: list("productIdentifier"),
            product_state: list("productState"),
            product_name: list("productName"),
            health: list("health"),
            installed_after: epoch(params, "installedAfter")?,
            installed_before: epoch(params, "installedBefore")?,
            fields: list("fields"),
        })
    }

    pub fn fresh_enough(&self, timestamp: f64) -> bool {
        self.ts.is_none_or(|ts| timestamp >= ts)
    }

    pub fn installed_within(&self, installed_at: Option<f64>) -> bool {
        let Some(at) = installed_at else {
            return self.installed_after.is_none() && self.installed_before.is_none();
        };
        self.installed_after.is_none_or(|after| at >= after)
            && self.installed_before.is_none_or(|before| at <= before)
    }
}

/// Whether `value` passes a list filter (case-insensitive; no filter passes everything).
pub(crate) fn allowed(filter: &Option<Vec<String>>, value: Option<&str>) -> bool {
    filter.as_ref().is_none_or(|items| {
        value.is_some_and(|value| items.iter().any(|item| item.eq_ignore_ascii_case(value)))
    })
}

/// Epoch seconds (HOMO sends integers; fractions are accepted).
pub(crate) fn epoch(params: &HashMap<String, String>, name: &str) -> Result<Option<f64>, String> {
    match params.get(name).map(|text| text.trim()) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())
            .map(Some)
            .ok_or_else(|| format!("{name} must be a time in epoch seconds, not {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_filters_are_case_insensitive() {
        let filter = Some(vec!["installed".to_string(), "FAILED".to_string()]);
        assert!(allowed(&filter, Some("INSTALLED")));
        assert!(!allowed(&filter, Some("MANUAL")));
        assert!(!allowed(&filter, None));
        assert!(allowed(&None, None));
    }

    #[test]
    fn bad_epochs_are_rejected() {
        let params: HashMap<String, String> =
            [("installedAfter".to_string(), "yesterday".to_string())].into();
        assert!(RowQuery::from_params(&params).is_err());
        let params: HashMap<String, String> = [("include".to_string(), "bl".to_string())].into();
        assert!(RowQuery::from_params(&params).unwrap().include_bitlocker);
    }
}
