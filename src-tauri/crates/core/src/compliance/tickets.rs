//! Findings → tickets (SPEC §5): after a sweep, each `fail` (high) and `warn` (normal) has
//! one open ticket per (company, signal); later sweeps update it, a return to `pass` closes
//! it, and a relapse opens a new one. Until a connection's first successful sweep stamps
//! `firstEvidenceSyncedAt`, sweeps open no tickets (dry run). The rule is pure; the sweep
//! applies what it decides.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::signal::{SignalKind, SignalStatus};
use crate::ids::{CompanyId, TicketId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum TicketPriority {
    High,
    Normal,
}

impl TicketPriority {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketPriority::High => "high",
            TicketPriority::Normal => "normal",
        }
    }

    pub fn parse(text: &str) -> Option<TicketPriority> {
        [TicketPriority::High, TicketPriority::Normal]
            .into_iter()
            .find(|p| p.as_str() == text)
    }

    /// `fail` → high, `warn` → normal; other statuses need no ticket.
    pub fn for_status(status: SignalStatus) -> Option<TicketPriority> {
        match status {
            SignalStatus::Fail => Some(TicketPriority::High),
            SignalStatus::Warn => Some(TicketPriority::Normal),
            SignalStatus::Pass | SignalStatus::NoData => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum TicketStatus {
    Open,
    Closed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<TicketStatus> {
        [TicketStatus::Open, TicketStatus::Closed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One ticket (`tickets list` prints `id, companyId, signal, priority, status`; the Tickets
/// screen and the exports show the rest).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Ticket {
    pub id: TicketId,
    pub company_id: CompanyId,
    pub company_name: String,
    pub signal: SignalKind,
    pub priority: TicketPriority,
    pub status: TicketStatus,
    /// The signal's status at the latest sweep that touched the ticket.
    pub signal_status: SignalStatus,
    pub title: String,
    /// The latest numbers, in words.
    pub detail: String,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The open ticket of a (company, signal), as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenTicket {
    pub id: TicketId,
    pub priority: TicketPriority,
}

/// What a sweep does to a (company, signal)'s ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketChange {
    Open(TicketPriority),
    /// Status and numbers refreshed; the priority follows the status.
    Update(TicketId, TicketPriority),
    Close(TicketId),
}

/// The rule. `no_data` leaves an open ticket as it is: nothing measured is not a fix.
pub fn decide(
    open: Option<OpenTicket>,
    status: SignalStatus,
    dry_run: bool,
) -> Option<TicketChange> {
    if dry_run {
        return None;
    }
    match (open, TicketPriority::for_status(status)) {
        (None, Some(priority)) => Some(TicketChange::Open(priority)),
        (Some(ticket), Some(priority)) => Some(TicketChange::Update(ticket.id, priority)),
        (Some(ticket), None) if status == SignalStatus::Pass => {
            Some(TicketChange::Close(ticket.id))
        }
        _ => None,
    }
}

/// The title a ticket opens with.
pub fn title(company: &str, signal: SignalKind) -> String {
    format!("{}: {} out of line", company, signal.title())
}

#[cfg(test)]
mod tests {
    use super::*;
    use SignalStatus::*;

    const OPEN_HIGH: OpenTicket = OpenTicket {
        id: TicketId(4),
        priority: TicketPriority::High,
    };

    #[test]
    fn fail_opens_high_and_warn_opens_normal() {
        assert_eq!(
            decide(None, Fail, false),
            Some(TicketChange::Open(TicketPriority::High))
        );
        assert_eq!(
            decide(None, Warn, false),
            Some(TicketChange::Open(TicketPriority::Normal))
        );
        assert_eq!(decide(None, Pass, false), None);
        assert_eq!(decide(None, NoData, false), None);
    }

    #[test]
    fn a_dry_run_opens_nothing() {
        for status in [Fail, Warn, Pass, NoData] {
            assert_eq!(decide(None, status, true), None);
        }
    }

    #[test]
    fn later_sweeps_update_the_open_ticket_and_pass_closes_it() {
        assert_eq!(
            decide(Some(OPEN_HIGH), Warn, false),
            Some(TicketChange::Update(TicketId(4), TicketPriority::Normal))
        );
        assert_eq!(
            decide(Some(OPEN_HIGH), Fail, false),
            Some(TicketChange::Update(TicketId(4), TicketPriority::High))
        );
        assert_eq!(
            decide(Some(OPEN_HIGH), Pass, false),
            Some(TicketChange::Close(TicketId(4)))
        );
        assert_eq!(decide(Some(OPEN_HIGH), NoData, false), None);
    }
}
