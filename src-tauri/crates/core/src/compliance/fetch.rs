//! The NinjaOne side of a sweep (SPEC §5): every report is read once per sweep for all
//! compliance tenants of a connection together, with `df` filters `org in (…)` (chunked so a
//! URL stays short), and split per company in memory. A sweep of N devices therefore costs
//! about N / page size requests per report, however many customers they belong to. The
//! population is decided exactly as asset sync decides it: approved devices of the mapped
//! organizations, location restrictions and the non-agent option applied.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use futures::{Stream, TryStreamExt};
use ninjaone::models::{AntivirusStatus, OsPatch, SoftwarePatch, Volume};
use ninjaone::{ActivityQuery, Client, DeviceFilter};

use super::disk_encryption::{FILEVAULT_DAYS, FILEVAULT_DISABLED, FILEVAULT_ENABLED};
use super::rows::{epoch, CompanyRows, PopulationDevice};
use super::{backup_activity, patch_sla};
use crate::ids::{CompanyId, NinjaOrgId};
use crate::sync::ninjaone::{admit, Admission};
use crate::sync::SyncTarget;
use crate::Result;

/// Organizations per `org in (…)` filter (as asset sync: ids are up to ~10 digits, and a
/// URL must stay well under the 8 KiB many proxies allow).
pub const ORGS_PER_FILTER: usize = 200;

/// Requests per report, by the report's path below `/v2` (`queries/volumes`, `activities`, …).
pub type RequestsByReport = BTreeMap<String, u64>;

/// What one connection's reads brought: each company's rows and what they cost.
#[derive(Debug, Default)]
pub struct Fetched {
    pub companies: BTreeMap<CompanyId, CompanyRows>,
    pub requests: RequestsByReport,
}

/// Reads every report for `mappings` (all of one connection) and splits the rows per company.
/// `progress` is told how many chunks of organizations are read.
pub async fn fetch(
    client: &Client,
    mappings: &[SyncTarget],
    now: DateTime<Utc>,
    progress: &(dyn Fn(u32) + Send + Sync),
) -> Result<Fetched> {
    let mut fetched = Fetched::default();
    for m in mappings {
        fetched.companies.entry(m.company).or_default();
    }
    let by_org: HashMap<NinjaOrgId, Vec<&SyncTarget>> =
        mappings.iter().fold(HashMap::new(), |mut acc, m| {
            acc.entry(m.org).or_default().push(m);
            acc
        });
    let mut orgs: Vec<NinjaOrgId> = by_org.keys().copied().collect();
    orgs.sort();
    let installed_after = epoch(now - Duration::days(patch_sla::FAILED_INSTALL_DAYS as i64));
    let mut chunks_done = 0;
    for chunk in orgs.chunks(ORGS_PER_FILTER) {
        let df = DeviceFilter::new().org_in(chunk.iter().map(|o| o.0));
        let reader = Reader { client };
        // The population first: which company each in-scope agent device belongs to. Read
        // alone, so that its (large) device records are gone before the reports arrive.
        let (devices, spent) = reader.read("devices", client.devices(&df)).await?;
        *fetched.requests.entry("devices".into()).or_default() += spent;
        let mut agents: HashMap<i64, CompanyId> = HashMap::new();
        for device in &devices {
            let (Some(id), Some(org)) = (device.id, device.organization_id) else {
                continue;
            };
            // An organization mapped twice (two connections never share ids, so this is
            // one company) counts its device once.
            let Some(target) = by_org.get(&NinjaOrgId(org)).and_then(|ts| {
                ts.iter()
                    .find(|t| admit(t, device) == Admission::Sync)
                    .copied()
            }) else {
                continue;
            };
            let class = device.node_class.clone().unwrap_or_else(|| "".into());
            let entry = PopulationDevice {
                id,
                class,
                offline: device.offline.unwrap_or(false),
            };
            let rows = fetched.companies.entry(target.company).or_default();
            if entry.class.is_agent() {
                agents.insert(id, target.company);
                rows.agents.push(entry.clone());
            }
            rows.inventory.push(entry);
        }
        drop(devices);
        let company_of = |device: Option<i64>| device.and_then(|d| agents.get(&d)).copied();

        // The seven report walks at once: NinjaOne (or the simulator) prepares one page
        // while the engine decodes another. The rate limiter still paces every request.
        let backup_after = epoch(now - Duration::days(backup_activity::WINDOW_DAYS as i64));
        let filevault_after = epoch(now - Duration::days(FILEVAULT_DAYS as i64));
        let company_of = &company_of;
        let activities = async {
            let mut rows = Split::new();
            let mut spent = 0;
            for kind in ["NINJA_BACKUP", "CLOUDBERRY_BACKUP"] {
                let query = ActivityQuery {
                    activity_type: Some(kind.into()),
                    after: Some(backup_after),
                    df: df.clone(),
                    ..ActivityQuery::default()
                };
                let walk = client.activities(&query);
                spent += reader
                    .split("activities", walk, |r| r.device_id, company_of, &mut rows)
                    .await?;
            }
            let query = ActivityQuery {
                status: Some(format!("{FILEVAULT_ENABLED},{FILEVAULT_DISABLED}")),
                after: Some(filevault_after),
                df: df.clone(),
                ..ActivityQuery::default()
            };
            let walk = client.activities(&query);
            spent += reader
                .split("activities", walk, |r| r.device_id, company_of, &mut rows)
                .await?;
            Ok::<_, crate::Error>((rows, spent))
        };
        // Each walk hands its rows to their company as they arrive (rows of devices out of
        // every scope are dropped at once), so no whole report is ever held.
        macro_rules! walk {
            ($report:expr, $walk:expr, $row:ty) => {
                async {
                    let mut rows: Split<$row> = Split::new();
                    let spent = reader
                        .split(
                            $report,
                            $walk,
                            |r: &$row| r.device_id,
                            company_of,
                            &mut rows,
                        )
                        .await?;
                    Ok::<_, crate::Error>((rows, spent))
                }
            };
        }
        let (
            (volumes, volumes_spent),
            (antivirus, antivirus_spent),
            (os_patches, os_patches_spent),
            (software_patches, software_patches_spent),
            (os_installs, os_installs_spent),
            (software_installs, software_installs_spent),
            (activities, activities_spent),
        ) = futures::try_join!(
            walk!("queries/volumes", client.volumes(&df, true), Volume),
            walk!(
                "queries/antivirus-status",
                client.antivirus_status(&df),
                AntivirusStatus
            ),
            walk!("queries/os-patches", client.os_patches(&df), OsPatch),
            walk!(
                "queries/software-patches",
                client.software_patches(&df),
                SoftwarePatch
            ),
            walk!(
                "queries/os-patch-installs",
                client.os_patch_installs(&df, Some(installed_after)),
                OsPatch
            ),
            walk!(
                "queries/software-patch-installs",
                client.software_patch_installs(&df, Some(installed_after)),
                SoftwarePatch
            ),
            activities,
        )?;
        for (report, spent) in [
            ("queries/volumes", volumes_spent),
            ("queries/antivirus-status", antivirus_spent),
            ("queries/os-patches", os_patches_spent),
            ("queries/software-patches", software_patches_spent),
            ("queries/os-patch-installs", os_installs_spent),
            ("queries/software-patch-installs", software_installs_spent),
            ("activities", activities_spent),
        ] {
            *fetched.requests.entry(report.into()).or_default() += spent;
        }
        let companies = &mut fetched.companies;
        absorb(volumes, companies, |c| &mut c.volumes);
        absorb(antivirus, companies, |c| &mut c.antivirus);
        absorb(os_patches, companies, |c| &mut c.os_patches);
        absorb(software_patches, companies, |c| &mut c.software_patches);
        absorb(os_installs, companies, |c| &mut c.os_installs);
        absorb(software_installs, companies, |c| &mut c.software_installs);
        absorb(activities, companies, |c| &mut c.activities);
        chunks_done += 1;
        progress(chunks_done);
    }
    Ok(fetched)
}

/// One report's rows, by the company their device belongs to.
type Split<T> = HashMap<CompanyId, Vec<T>>;

/// Appends each company's share of a report to its rows.
fn absorb<T>(
    split: Split<T>,
    companies: &mut BTreeMap<CompanyId, CompanyRows>,
    field: impl Fn(&mut CompanyRows) -> &mut Vec<T>,
) {
    for (company, mut rows) in split {
        if let Some(into) = companies.get_mut(&company) {
            let into = field(into);
            if into.is_empty() {
                *into = rows;
            } else {
                into.append(&mut rows);
            }
        }
    }
}

/// Reads whole reports, each with what it cost.
struct Reader<'a> {
    client: &'a Client,
}

impl Reader<'_> {
    /// The rows of `report` (its path below `/v2`) and the requests they took. Walks of
    /// different reports may run at once: each is counted by its own path.
    async fn read<T, S>(&self, report: &str, stream: S) -> Result<(Vec<T>, u64)>
    where
        S: Stream<Item = ninjaone::Result<T>>,
    {
        let path = format!("/v2/{report}");
        let before = self.client.requests_to(&path);
        let rows: Vec<T> = stream.try_collect().await?;
        Ok((rows, self.client.requests_to(&path) - before))
    }

    /// Walks `report`, handing each row to the company of its device (`into`); rows of
    /// devices out of every scope are dropped. Returns the requests it took.
    async fn split<T, S>(
        &self,
        report: &str,
        stream: S,
        device: impl Fn(&T) -> Option<i64>,
        company_of: &(impl Fn(Option<i64>) -> Option<CompanyId> + Sync),
        into: &mut Split<T>,
    ) -> Result<u64>
    where
        S: Stream<Item = ninjaone::Result<T>>,
    {
        let path = format!("/v2/{report}");
        let before = self.client.requests_to(&path);
        let mut stream = std::pin::pin!(stream);
        while let Some(row) = stream.try_next().await? {
            if let Some(company) = company_of(device(&row)) {
                into.entry(company).or_default().push(row);
            }
        }
        Ok(self.client.requests_to(&path) - before)
    }
}
