//! Tickets and evidence for a PSA (SPEC §5, §10): CSV with a header row, or a JSON array of
//! the same rows the app shows. Aggregates and company names only, like everything else in
//! compliance.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::evidence::EvidenceRow;
use super::tickets::Ticket;
use crate::time;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn parse(text: &str) -> Option<ExportFormat> {
        match text {
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            _ => None,
        }
    }
}

pub fn tickets(rows: &[Ticket], format: ExportFormat) -> Result<String> {
    match format {
        ExportFormat::Json => json(rows),
        ExportFormat::Csv => csv_of(
            &[
                "id",
                "companyId",
                "companyName",
                "signal",
                "priority",
                "status",
                "signalStatus",
                "title",
                "detail",
                "openedAt",
                "updatedAt",
                "closedAt",
            ],
            rows.iter().map(|t| {
                vec![
                    t.id.to_string(),
                    t.company_id.to_string(),
                    t.company_name.clone(),
                    t.signal.as_str().into(),
                    t.priority.as_str().into(),
                    t.status.as_str().into(),
                    t.signal_status.as_str().into(),
                    t.title.clone(),
                    t.detail.clone(),
                    time::format(t.opened_at),
                    time::format(t.updated_at),
                    t.closed_at.map(time::format).unwrap_or_default(),
                ]
            }),
        ),
    }
}

pub fn evidence(rows: &[EvidenceRow], format: ExportFormat) -> Result<String> {
    match format {
        ExportFormat::Json => json(rows),
        ExportFormat::Csv => csv_of(
            &[
                "id",
                "companyId",
                "companyName",
                "complianceTenantId",
                "control",
                "signal",
                "status",
                "expired",
                "collectedAt",
                "expiresAt",
                "summary",
            ],
            rows.iter().map(|e| {
                vec![
                    e.id.to_string(),
                    e.company_id.to_string(),
                    e.company_name.clone(),
                    e.compliance_tenant_id.to_string(),
                    e.control.clone(),
                    e.signal.as_str().into(),
                    e.status.as_str().into(),
                    e.expired.to_string(),
                    time::format(e.collected_at),
                    time::format(e.expires_at),
                    e.summary.clone(),
                ]
            }),
        ),
    }
}

fn json<T: Serialize>(rows: &[T]) -> Result<String> {
    serde_json::to_string_pretty(rows).map_err(|e| {
        Error::Internal(format!(
            "The export could not be written as JSON ({e}). Try CSV."
        ))
    })
}

fn csv_of(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<String> {
    let failed = |e: &dyn std::fmt::Display| {
        Error::Internal(format!(
            "The export could not be written as CSV ({e}). Try JSON."
        ))
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(|e| failed(&e))?;
    for row in rows {
        // A spreadsheet runs a cell that starts with = + - @ as a formula: company names and
        // titles come from people and NinjaOne, so such cells get a leading apostrophe.
        let row: Vec<String> = row.into_iter().map(defuse).collect();
        writer.write_record(&row).map_err(|e| failed(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

fn defuse(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::signal::{SignalKind, SignalStatus};
    use crate::compliance::tickets::{TicketPriority, TicketStatus};
    use crate::ids::{CompanyId, TicketId};

    fn ticket(company_name: &str) -> Ticket {
        let at = "2026-03-01T12:30:00Z".parse().unwrap();
        Ticket {
            id: TicketId(3),
            company_id: CompanyId(2),
            company_name: company_name.into(),
            signal: SignalKind::PatchSla,
            priority: TicketPriority::High,
            status: TicketStatus::Open,
            signal_status: SignalStatus::Fail,
            title: "Acme: Patch SLA out of line".into(),
            detail: "7 outstanding, a, b".into(),
            opened_at: at,
            updated_at: at,
            closed_at: None,
        }
    }

    #[test]
    fn csv_has_a_header_quotes_commas_and_defuses_formulas() {
        let text = tickets(&[ticket("=HYPERLINK(\"x\")")], ExportFormat::Csv).unwrap();
        let mut lines = text.lines();
        assert!(lines
            .next()
            .unwrap()
            .starts_with("id,companyId,companyName,signal,priority"));
        let row = lines.next().unwrap();
        assert!(
            row.starts_with("3,2,\"'=HYPERLINK(\"\"x\"\")\",patch_sla,high,open,fail,"),
            "{row}"
        );
        assert!(row.contains("\"7 outstanding, a, b\""));
    }

    /// Every CSV export (tickets and evidence), every prefix a spreadsheet reads as a
    /// formula, in every cell that carries text from people or NinjaOne.
    #[test]
    fn every_csv_export_defuses_every_formula_prefix_in_every_text_cell() {
        for prefix in ["=", "+", "-", "@", "\t", "\r"] {
            let hostile = format!("{prefix}cmd|' /C calc'!A0");
            let mut t = ticket(&hostile);
            t.title = hostile.clone();
            t.detail = hostile.clone();
            let at = "2026-03-01T12:30:00Z".parse().unwrap();
            let e = EvidenceRow {
                id: 9,
                company_id: CompanyId(2),
                company_name: hostile.clone(),
                compliance_tenant_id: crate::ids::ComplianceTenantId::from_stored("ct_1".into()),
                control: "IC-024".into(),
                signal: SignalKind::PatchSla,
                status: SignalStatus::Fail,
                collected_at: at,
                expires_at: at,
                expired: false,
                summary: hostile.clone(),
            };
            for text in [
                tickets(&[t], ExportFormat::Csv).unwrap(),
                evidence(&[e], ExportFormat::Csv).unwrap(),
            ] {
                let mut reader = csv::Reader::from_reader(text.as_bytes());
                let row = reader.records().next().unwrap().unwrap();
                let defused = row.iter().filter(|c| c.starts_with('\'')).count();
                assert!(defused >= 2, "{prefix:?}: {row:?}");
                for cell in row.iter() {
                    let runs = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
                    assert!(
                        !(runs && cell.contains("cmd")),
                        "{prefix:?}: a cell a spreadsheet would run: {cell:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn json_is_an_array_of_camel_case_rows() {
        let text = tickets(&[ticket("Acme")], ExportFormat::Json).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value[0]["companyId"], 2);
        assert_eq!(value[0]["signal"], "patch_sla");
        assert_eq!(value[0]["signalStatus"], "fail");
    }
}
