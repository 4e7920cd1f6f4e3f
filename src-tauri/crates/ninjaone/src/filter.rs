//! The `df` device filter (ninjaone-api.md §2.3): terms such as `org in (1,2)`,
//! `class in (WINDOWS_WORKSTATION,MAC)` and `status eq APPROVED`, joined with ` AND `. One
//! filtered call covers many customers, which is what keeps a sync of hundreds of
//! organizations inside NinjaOne's request budget.

use crate::models::{ApprovalStatus, NodeClass};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceFilter {
    terms: Vec<String>,
}

impl DeviceFilter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Devices of these organizations. An empty list adds no term.
    pub fn org_in(self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.list_term("org", ids.into_iter().map(|id| id.to_string()))
    }

    /// Devices of these locations.
    pub fn loc_in(self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.list_term("loc", ids.into_iter().map(|id| id.to_string()))
    }

    /// Devices with these ids.
    pub fn id_in(self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.list_term("id", ids.into_iter().map(|id| id.to_string()))
    }

    pub fn class_in<'a>(self, classes: impl IntoIterator<Item = &'a NodeClass>) -> Self {
        self.list_term("class", classes.into_iter().map(|c| c.as_str().to_string()))
    }

    pub fn status(mut self, status: &ApprovalStatus) -> Self {
        self.terms.push(format!("status eq {}", status.as_str()));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    fn list_term(mut self, field: &str, values: impl Iterator<Item = String>) -> Self {
        let values: Vec<String> = values.collect();
        if !values.is_empty() {
            self.terms
                .push(format!("{field} in ({})", values.join(",")));
        }
        self
    }
}

impl std::fmt::Display for DeviceFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.terms.join(" AND "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_joined_with_and_in_the_order_given() {
        let df = DeviceFilter::new()
            .org_in([12, 13])
            .class_in(&[NodeClass::WindowsWorkstation, NodeClass::Mac])
            .status(&ApprovalStatus::Approved);
        assert_eq!(
            df.to_string(),
            "org in (12,13) AND class in (WINDOWS_WORKSTATION,MAC) AND status eq APPROVED"
        );
    }

    #[test]
    fn empty_lists_add_no_term() {
        let df = DeviceFilter::new().org_in([]).loc_in([4]);
        assert_eq!(df.to_string(), "loc in (4)");
        assert!(DeviceFilter::new().is_empty());
    }
}
