//! Importing other sources' assets (SPEC §4): the rows (see `import`), a chunk at a time, are
//! resolved to companies and upserted, all in one transaction, then each company is
//! deduplicated against what it already has. Bad rows are reported by line; good rows are
//! kept.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::import::{self, CompanyRef, ImportRow};
use super::{AssetSource, ImportLineError, ImportReport};
use crate::companies::Company;
use crate::ids::CompanyId;
use crate::store::assets::Placement;
use crate::store::{self, Store};
use crate::sync::plan::{self, Change};
use crate::sync::{dedup, AssetDraft, SyncCounts, TargetFetch};
use crate::{Error, Result};

/// Rows planned and written together: the file is read a chunk at a time, so an import holds
/// the file, one chunk of rows and the ids it has seen, whatever its length.
const CHUNK_ROWS: usize = 5_000;

/// Imports a file in one transaction: a file found unreadable half-way (malformed JSON, too
/// many rows) leaves nothing behind, as if refused at once.
pub async fn import(
    store: &Store,
    source: AssetSource,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<ImportReport> {
    if source == AssetSource::Ninjaone {
        return Err(Error::InvalidInput(
            "NinjaOne assets come in by sync, not by import. Import level, intune or entra files."
                .into(),
        ));
    }
    let refused = |e: import::FileError| {
        Error::InvalidInput(format!(
            "The file cannot be imported: {e} Nothing was imported."
        ))
    };
    let mut rows = import::Rows::new(bytes).map_err(refused)?;
    let companies = store::companies::list(store.pool()).await?;
    let mut errors: Vec<ImportLineError> = Vec::new();
    let mut counts: BTreeMap<CompanyId, SyncCounts> = BTreeMap::new();
    let mut tx = store.write().await?;
    while let Some(chunk) = rows.next_chunk(CHUNK_ROWS).map_err(refused)? {
        let mut by_company: BTreeMap<CompanyId, Vec<ImportRow>> = BTreeMap::new();
        for row in chunk {
            match resolve(&companies, &row.company) {
                Some(id) => by_company.entry(id).or_default().push(row),
                None => errors.push(unknown_company(&row)),
            }
        }
        for (company, rows) in by_company {
            let drafts: Vec<AssetDraft> = rows.iter().map(draft).collect();
            let ids: Vec<&str> = drafts.iter().map(|d| d.external_id.as_str()).collect();
            let stored =
                store::assets::stored_for_source_ids(&mut tx, company, source, &ids).await?;
            let fetch = TargetFetch {
                drafts,
                ..TargetFetch::default()
            };
            let mut plan = plan::plan(stored, &fetch);
            // An import names only what it brings: assets missing from the file stay as they are.
            plan.changes.retain(|c| !matches!(c, Change::MarkStale(_)));
            let place = Placement {
                company,
                source,
                connection: None,
                org: None,
            };
            crate::sync::run::apply(&mut tx, &place, &plan.changes, None, now).await?;
            counts.entry(company).or_default().add(&plan.counts);
        }
    }
    let mut report = ImportReport {
        source,
        imported: 0,
        created: 0,
        updated: 0,
        retired_duplicates: 0,
        errors: Vec::new(),
    };
    for (company, counts) in counts {
        let retired = crate::sync::run::retire_duplicates(&mut tx, company, now).await?;
        if counts.created + counts.updated > 0 {
            let detail = format!(
                "{}: {} created, {} updated, {} unchanged",
                source.as_str(),
                counts.created,
                counts.updated,
                counts.unchanged
            );
            store::audit::record(
                &mut tx,
                now,
                crate::audit::Scope::Company(company),
                crate::audit::AuditAction::AssetsImported,
                &detail,
            )
            .await?;
        }
        report.created += counts.created;
        report.updated += counts.updated;
        report.imported += counts.created + counts.updated + counts.unchanged;
        report.retired_duplicates += retired;
    }
    tx.commit().await?;
    errors.extend(rows.into_errors().into_iter().map(|e| ImportLineError {
        line: e.line as u32,
        message: e.message,
    }));
    errors.sort_by_key(|e| e.line);
    report.errors = errors;
    Ok(report)
}

fn unknown_company(row: &ImportRow) -> ImportLineError {
    ImportLineError {
        line: row.line as u32,
        message: match &row.company {
            CompanyRef::Id(id) => {
                format!("there is no company {id}; list them with `fleetward-cli companies list`")
            }
            CompanyRef::Name(name) => {
                format!("there is no company named \"{name}\"; add it first or use its id")
            }
        },
    }
}

/// A company by id, or by its exact name (then by the same name in another case).
fn resolve(companies: &[Company], reference: &CompanyRef) -> Option<CompanyId> {
    match reference {
        CompanyRef::Id(id) => companies.iter().find(|c| c.id == *id).map(|c| c.id),
        CompanyRef::Name(name) => {
            let exact: HashMap<&str, CompanyId> =
                companies.iter().map(|c| (c.name.as_str(), c.id)).collect();
            exact.get(name.as_str()).copied().or_else(|| {
                let key = crate::companies::name_key(name);
                companies
                    .iter()
                    .find(|c| crate::companies::name_key(&c.name) == key)
                    .map(|c| c.id)
            })
        }
    }
}

fn draft(row: &ImportRow) -> AssetDraft {
    let mut fields = BTreeMap::new();
    let mut put = |name: &str, value: &Option<String>| {
        if let Some(v) = value {
            fields.insert(name.to_string(), v.clone());
        }
    };
    put("identity.name", &row.name);
    put("hardware.serialNumber", &row.serial_number);
    put("network.macAddresses", &row.mac_address);
    put("os.name", &row.os);
    put("hardware.manufacturer", &row.manufacturer);
    put("hardware.model", &row.model);
    put(
        "lifecycle.lastSeen",
        &row.last_seen.map(crate::time::format),
    );
    AssetDraft {
        external_id: row.external_id.clone(),
        uid: None,
        name: row.name.clone(),
        serial_number: row.serial_number.clone(),
        mac_addresses: row
            .mac_address
            .as_deref()
            .map(dedup::mac_keys)
            .unwrap_or_default(),
        node_class: None,
        fields: crate::sync::Fields::from_map(&fields),
        partly_read: false,
    }
}
