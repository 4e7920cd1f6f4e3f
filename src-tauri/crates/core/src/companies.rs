//! Companies: the MSP's customers (SPEC §4). Made by hand, by "Create new" on an
//! organization, or by import; a company can be promoted to a compliance tenant. This module
//! holds the naming rules; the queries are in `store::companies`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;
use unicode_normalization::UnicodeNormalization;

use crate::audit::{AuditAction, Scope};
use crate::ids::{CompanyId, ComplianceTenantId, NinjaOrgId};
use crate::store::{self, Store};
use crate::{Error, Result};

/// Longer names are refused when typed and shortened when they come from NinjaOne: a name is
/// a label in lists and tickets, and nothing longer fits anywhere it is shown.
pub const MAX_NAME_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    pub compliance_tenant_id: Option<ComplianceTenantId>,
    /// Organizations mapped to this company.
    pub mapped_organizations: u32,
    /// Active assets.
    pub assets: u32,
    pub created_at: DateTime<Utc>,
    /// When its assets were last synced (started), if ever.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// What went wrong in that last sync, if anything did.
    pub last_sync_error: Option<String>,
}

/// The key two names must share to match: trimmed, Unicode-normalised (NFC) and lower-cased
/// (SPEC §3: exact match, case-insensitive, trimmed). Inner spacing and accents still count.
pub fn name_key(name: &str) -> String {
    name.trim().nfc().collect::<String>().to_lowercase()
}

/// A name a person typed: trimmed; refused when empty, too long, or carrying control
/// characters (a line break or an escape sequence in a name would forge rows and colours
/// wherever it is printed).
pub fn typed_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::InvalidInput("A company needs a name.".into()));
    }
    if name.chars().any(is_unprintable) {
        return Err(Error::InvalidInput(
            "A company name cannot contain control characters (line breaks, tabs, escape codes or \
             direction overrides). Type it on one line."
                .into(),
        ));
    }
    let length = name.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(Error::InvalidInput(format!(
            "A company name can have at most {MAX_NAME_CHARS} characters; this one has {length}."
        )));
    }
    Ok(name.to_string())
}

/// The company name "Create new" gives an organization's company. NinjaOne's text is not
/// refused but made safe: control characters become spaces, runs of spaces fold, the length
/// is capped, and an empty name falls back to "Organization <id>".
pub fn name_for_organization(name: &str, org: NinjaOrgId) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if is_unprintable(c) { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let capped: String = cleaned.chars().take(MAX_NAME_CHARS).collect();
    if capped.is_empty() {
        format!("Organization {org}")
    } else {
        capped
    }
}

/// Control characters and the bidirectional overrides that reorder how text is shown.
pub fn is_unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

pub async fn get(store: &Store, id: CompanyId) -> Result<Company> {
    store::companies::get(store.pool(), id)
        .await?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "There is no company {id}. List them with `fleetward-cli companies list`."
            ))
        })
}

/// Adds a company. A second company with the same name (by [`name_key`]) is refused, also
/// when another process adds it at the same moment: the schema's unique key decides.
pub async fn add(store: &Store, name: &str, now: DateTime<Utc>) -> Result<Company> {
    let name = typed_name(name)?;
    let mut tx = store.write().await?;
    let Some(id) = store::companies::insert(&mut tx, &name, now).await? else {
        let existing = store::companies::id_named(&mut tx, &name).await?;
        return Err(already_named(&name, existing));
    };
    store::audit::record(
        &mut tx,
        now,
        Scope::Company(id),
        AuditAction::CompanyCreated,
        &name,
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

pub async fn rename(
    store: &Store,
    id: CompanyId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Company> {
    let name = typed_name(name)?;
    let before = get(store, id).await?;
    let mut tx = store.write().await?;
    if !store::companies::rename(&mut tx, id, &name).await? {
        let existing = store::companies::id_named(&mut tx, &name).await?;
        return Err(already_named(&name, existing));
    }
    store::audit::record(
        &mut tx,
        now,
        Scope::Company(id),
        AuditAction::CompanyRenamed,
        &format!("{} → {name}", before.name),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

/// Gives the company its own compliance tenant id; promoting twice keeps the first id.
pub async fn promote(store: &Store, id: CompanyId, now: DateTime<Utc>) -> Result<Company> {
    let company = get(store, id).await?;
    if company.compliance_tenant_id.is_some() {
        return Ok(company);
    }
    let tenant = ComplianceTenantId::generate();
    let mut tx = store.write().await?;
    if store::companies::set_compliance_tenant(&mut tx, id, &tenant).await? {
        store::audit::record(
            &mut tx,
            now,
            Scope::Tenant(id, &tenant),
            AuditAction::ComplianceTenantCreated,
            &company.name,
        )
        .await?;
    }
    tx.commit().await?;
    get(store, id).await
}

fn already_named(name: &str, existing: Option<CompanyId>) -> Error {
    Error::InvalidInput(match existing {
        Some(id) => format!("A company named \"{name}\" already exists (id {id})."),
        None => format!("A company named \"{name}\" already exists."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_trimmed_lower_case_normalised_text() {
        assert_eq!(name_key("  ACME Ltd "), name_key("acme ltd"));
        assert_eq!(name_key("Zoe\u{0308}'s Café"), name_key("ZOË'S CAFÉ"));
        assert_ne!(
            name_key("Acme  Ltd"),
            name_key("Acme Ltd"),
            "inner spacing still counts"
        );
        assert_ne!(
            name_key("Bäckerei"),
            name_key("Backerei"),
            "accents still count"
        );
    }

    #[test]
    fn a_typed_name_is_trimmed_and_refused_when_empty_too_long_or_with_control_characters() {
        assert_eq!(typed_name("  Acme Ltd ").unwrap(), "Acme Ltd");
        for bad in [
            "   ",
            "Acme\nLtd",
            "Acme\u{1b}[2J",
            "Bell\u{7}",
            "Evil\u{202E}dtL",
            "Car\rriage",
        ] {
            let err = typed_name(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{bad:?}");
        }
        assert!(typed_name(&"x".repeat(MAX_NAME_CHARS)).is_ok());
        let err = typed_name(&"x".repeat(200_000)).unwrap_err();
        assert!(err.to_string().contains("at most 200"), "{err}");
    }

    #[test]
    fn an_organization_name_is_made_safe_and_never_empty() {
        assert_eq!(
            name_for_organization("Acme\n\u{1b}[31mLtd\u{7}", NinjaOrgId(4)),
            "Acme [31mLtd"
        );
        assert_eq!(
            name_for_organization("  ", NinjaOrgId(42)),
            "Organization 42"
        );
        assert_eq!(name_for_organization("", NinjaOrgId(7)), "Organization 7");
        assert_eq!(
            name_for_organization(&"é".repeat(500), NinjaOrgId(1))
                .chars()
                .count(),
            MAX_NAME_CHARS
        );
    }
}
