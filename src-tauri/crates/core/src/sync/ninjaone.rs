//! The NinjaOne driver (SPEC §4): reads the devices of many organizations with one
//! `df`-filtered paged stream per endpoint (`org in (…)`, chunked so a URL stays short), and
//! maps each approved device of a mapping's scope to an asset draft with the curated fields the
//! mapping keeps and its health. Custom fields and installed software come from their reports
//! only when a mapping of the stream chose them, one report per stream. It never sends one
//! request set per organization: a full sync of N devices costs about N / page size requests
//! per endpoint, however many organizations they span.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::DateTime;
use futures::{StreamExt, TryStreamExt};
use ninjaone::models::{ApprovalStatus, Device, DeviceHealth, NodeClass};
use ninjaone::{Client, DeviceFilter};

use super::fields::{self, FieldChoice, FieldGroup};
use super::{AssetDraft, Driver, Fields, SyncTarget, TargetFetch};
use crate::assets::AssetSource;
use crate::ids::{ConnectionId, NinjaOrgId};
use crate::time;
use crate::Result;

/// Devices beyond this per organization are not synced; the first ones by id are (SPEC §4).
pub const DEVICE_CAP_PER_ORG: usize = 10_000;

/// Characters of organization ids per `org in (…)` filter: keeps a URL well under the 8 KiB
/// many proxies allow, so 6-digit ids fit about 850 organizations in one filter.
const FILTER_ID_CHARS: usize = 6_000;

/// How one batch's devices are read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reading {
    /// One unfiltered walk of the tenant: cheaper when the batch covers (nearly) all of it,
    /// as when every organization is mapped. Devices of other organizations are dropped.
    Everything,
    /// One filtered stream per chunk of organizations.
    Chunks(Vec<Vec<NinjaOrgId>>),
}

/// Chooses the reading with the fewer estimated pages, from the device counts of the last
/// discovery: each stream costs its devices / page size, plus a last short page.
fn reading(targets: &[SyncTarget], tenant_devices: Option<u64>, page_size: usize) -> Reading {
    let mut orgs: Vec<(NinjaOrgId, u64)> = Vec::new();
    for t in targets {
        match orgs.iter_mut().find(|(o, _)| *o == t.org) {
            Some((_, devices)) => *devices = (*devices).max(u64::from(t.expected_devices)),
            None => orgs.push((t.org, u64::from(t.expected_devices))),
        }
    }
    orgs.sort();
    let mut chunks: Vec<Vec<NinjaOrgId>> = Vec::new();
    let (mut chars, mut filtered_pages) = (usize::MAX, 0u64);
    let mut chunk_devices = 0u64;
    let page = page_size.max(1) as u64;
    for (org, devices) in orgs {
        let width = org.0.to_string().len() + 1;
        if chars.saturating_add(width) > FILTER_ID_CHARS {
            if !chunks.is_empty() {
                filtered_pages += chunk_devices / page + 1;
            }
            chunks.push(Vec::new());
            chars = 0;
            chunk_devices = 0;
        }
        chars += width;
        chunk_devices += devices;
        chunks.last_mut().expect("a chunk was started").push(org);
    }
    if !chunks.is_empty() {
        filtered_pages += chunk_devices / page + 1;
    }
    match tenant_devices {
        // One walk costs its pages and a last short one, like each filtered stream.
        Some(all) if !chunks.is_empty() && all / page < filtered_pages => Reading::Everything,
        _ => Reading::Chunks(chunks),
    }
}

/// Agent devices (workstations and servers with the NinjaOne agent) always sync; every other
/// class (NMS, VM hosts and guests, cloud monitors, mobile, unmanaged) only when the mapping
/// enables non-agent devices.
fn is_agent(class: Option<&NodeClass>) -> bool {
    matches!(
        class,
        Some(
            NodeClass::WindowsWorkstation
                | NodeClass::WindowsServer
                | NodeClass::Mac
                | NodeClass::MacServer
                | NodeClass::LinuxWorkstation
                | NodeClass::LinuxServer
        )
    )
}

pub struct NinjaOneDriver {
    client: Client,
    /// Devices of the whole tenant at the last discovery, when known: decides whether one
    /// unfiltered walk is cheaper than filtered streams.
    tenant_devices: Option<u64>,
    requests_before: u64,
    malformed_before: u64,
}

impl NinjaOneDriver {
    pub fn new(client: Client, tenant_devices: Option<u64>) -> NinjaOneDriver {
        let stats = client.stats();
        NinjaOneDriver {
            client,
            tenant_devices,
            requests_before: stats.requests,
            malformed_before: stats.malformed_items,
        }
    }
}

/// Devices read between two progress reports (a page is 1,000 by default: a few per page).
const PROGRESS_EVERY: u64 = 250;

impl Driver for NinjaOneDriver {
    fn source(&self) -> AssetSource {
        AssetSource::Ninjaone
    }

    async fn fetch(
        &self,
        targets: &[SyncTarget],
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<BTreeMap<(ConnectionId, NinjaOrgId), TargetFetch>> {
        let by_org: HashMap<NinjaOrgId, &SyncTarget> = targets.iter().map(|t| (t.org, t)).collect();
        let mut fetched: BTreeMap<(ConnectionId, NinjaOrgId), TargetFetch> = targets
            .iter()
            .map(|t| ((t.connection, t.org), TargetFetch::default()))
            .collect();
        let mut read = 0u64;
        // Device ids already taken, across the batch's streams.
        let mut seen: HashSet<i64> = HashSet::new();
        let mut kept_per_org: HashMap<NinjaOrgId, usize> = HashMap::new();
        for stream in streams(targets, self.tenant_devices, self.client.page_size()) {
            let covered: Vec<&SyncTarget> = stream
                .orgs
                .iter()
                .filter_map(|o| by_org.get(o).copied())
                .collect();
            // The health report is small (a few numbers per device): read it first, when a
            // mapping keeps health, then stream the devices and keep each approved one as a
            // compact draft.
            let health = if covered
                .iter()
                .any(|t| t.fields.keeps_group(FieldGroup::Health))
            {
                self.health(&stream.filter).await?
            } else {
                HashMap::new()
            };
            progress(read);
            // Drafts that custom fields or software complete after the devices, by device
            // id: only this stream's, so no more than the batch is ever held.
            let mut completing: HashMap<i64, (&SyncTarget, usize)> = HashMap::new();
            let mut devices = Box::pin(self.client.devices_detailed_read(&stream.filter));
            while let Some(sent) = devices.try_next().await? {
                read += 1;
                if read.is_multiple_of(PROGRESS_EVERY) {
                    progress(read);
                }
                let misread = Misread(&sent.unreadable);
                let device = &sent.item;
                let org = device
                    .organization_id
                    .filter(|_| !misread.any("organizationId"));
                let Some(org) = org else {
                    if misread.is_empty() {
                        continue;
                    }
                    // Whose device this is cannot be told: no organization of the stream
                    // may take its absence as proof of anything.
                    for (i, t) in covered.iter().enumerate() {
                        let slot = fetched
                            .get_mut(&(t.connection, t.org))
                            .expect("every target has a slot");
                        slot.incomplete = true;
                        slot.unreadable += u32::from(i == 0);
                    }
                    continue;
                };
                let Some(target) = by_org.get(&NinjaOrgId(org)).copied() else {
                    continue;
                };
                let slot = fetched
                    .get_mut(&(target.connection, target.org))
                    .expect("every target has a slot");
                let Some(id) = identity(device, &misread) else {
                    slot.unreadable += 1;
                    slot.incomplete = true;
                    continue;
                };
                // A repeated page brings devices again; each counts once.
                if !seen.insert(id) {
                    continue;
                }
                if !misread.is_empty() {
                    slot.unreadable += 1;
                }
                if ["approvalStatus", "nodeClass", "locationId"]
                    .iter()
                    .any(|field| misread.any(field))
                {
                    // Whether it syncs cannot be told: its asset stays as it is.
                    slot.held.push(external_id(device));
                    continue;
                }
                match admit(target, device) {
                    Admission::Skip => continue,
                    Admission::Pending => slot.skipped_pending += 1,
                    Admission::Rejected => slot.skipped_rejected += 1,
                    Admission::Sync => {
                        let kept = kept_per_org.entry(target.org).or_default();
                        if *kept >= DEVICE_CAP_PER_ORG {
                            slot.truncated = true;
                            continue;
                        }
                        *kept += 1;
                        let device_health = health.get(&id);
                        let mut draft = draft(device, device_health, &target.fields);
                        draft.partly_read = !misread.is_empty();
                        slot.drafts.push(draft);
                        if wants_more(target) {
                            completing.insert(id, (target, slot.drafts.len() - 1));
                        }
                    }
                }
            }
            drop(devices);
            if completing.is_empty() {
                continue;
            }
            let mut extra: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
            if let Some(filter) = stream.narrowed(&covered, |t| !t.fields.custom.is_empty()) {
                self.custom_fields(&filter, &completing, &mut extra).await?;
            }
            if let Some(filter) = stream.narrowed(&covered, |t| t.fields.software) {
                self.software(&filter, &completing, &mut extra).await?;
            }
            for (id, fields) in extra {
                let (target, index) = completing[&id];
                let draft = &mut fetched
                    .get_mut(&(target.connection, target.org))
                    .expect("every target has a slot")
                    .drafts[index];
                let mut all = draft.fields.to_map();
                all.extend(fields);
                draft.fields = Fields::from_map(&all);
            }
        }
        progress(read);
        Ok(fetched)
    }

    fn requests(&self) -> u64 {
        self.client.stats().requests - self.requests_before
    }

    fn malformed_items(&self) -> u64 {
        self.client.stats().malformed_items - self.malformed_before
    }
}

impl NinjaOneDriver {
    /// Device health of every device the filter selects, by device id (one paged report).
    async fn health(&self, filter: &DeviceFilter) -> Result<HashMap<i64, DeviceHealth>> {
        let rows: Vec<DeviceHealth> = self.client.device_health(filter).try_collect().await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| row.device_id.map(|id| (id, row)))
            .collect())
    }

    /// The chosen custom fields of the devices being completed, as `custom.<name>` fields.
    async fn custom_fields(
        &self,
        filter: &DeviceFilter,
        completing: &HashMap<i64, (&SyncTarget, usize)>,
        extra: &mut HashMap<i64, BTreeMap<String, String>>,
    ) -> Result<()> {
        let mut rows = Box::pin(self.client.custom_fields(filter));
        while let Some(row) = rows.try_next().await? {
            let (Some(id), Some(values)) = (row.device_id, row.fields) else {
                continue;
            };
            let Some((target, _)) = completing.get(&id) else {
                continue;
            };
            for (name, value) in values {
                if target.fields.custom.binary_search(&name).is_err() {
                    continue;
                }
                if let Some(text) = fields::custom_value(&value) {
                    extra
                        .entry(id)
                        .or_default()
                        .insert(format!("custom.{name}"), text);
                }
            }
        }
        Ok(())
    }

    /// The installed software of the devices of opted-in mappings, as `software.count` and
    /// `software.titles`.
    async fn software(
        &self,
        filter: &DeviceFilter,
        completing: &HashMap<i64, (&SyncTarget, usize)>,
        extra: &mut HashMap<i64, BTreeMap<String, String>>,
    ) -> Result<()> {
        let mut titles: HashMap<i64, Vec<String>> = HashMap::new();
        let mut rows = Box::pin(self.client.software(filter));
        while let Some(row) = rows.try_next().await? {
            let Some(id) = row.device_id else { continue };
            if !completing.get(&id).is_some_and(|(t, _)| t.fields.software) {
                continue;
            }
            if let Some(entry) = fields::software_entry(row.name.as_deref(), row.version.as_deref())
            {
                titles.entry(id).or_default().push(entry);
            }
        }
        for (id, entries) in titles {
            extra
                .entry(id)
                .or_default()
                .extend(fields::software_fields(entries));
        }
        Ok(())
    }
}

/// The fields of a device NinjaOne sent that did not read (`created`, `system.serialNumber`).
struct Misread<'a>(&'a [String]);

impl Misread<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `field`, or a part of it, did not read.
    fn any(&self, field: &str) -> bool {
        self.0.iter().any(|path| {
            path.strip_prefix(field)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
    }
}

/// The device's id when it identifies the device: a positive integer, and a uid (what assets
/// are matched by) that read, if one was sent.
fn identity(device: &Device, misread: &Misread) -> Option<i64> {
    if misread.any("id") || misread.any("uid") {
        return None;
    }
    device.id.filter(|id| *id > 0)
}

/// What a device's asset is matched by (SPEC §4): its uid, else its id.
fn external_id(device: &Device) -> String {
    device
        .uid
        .clone()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| device.id.map(|id| id.to_string()))
        .unwrap_or_default()
}

/// A mapping whose drafts need a report beyond devices and health.
fn wants_more(target: &SyncTarget) -> bool {
    !target.fields.custom.is_empty() || target.fields.software
}

/// One paged stream of devices: its filter and the organizations it covers.
struct Stream {
    filter: DeviceFilter,
    orgs: Vec<NinjaOrgId>,
    /// Unfiltered: the whole tenant.
    everything: bool,
}

impl Stream {
    /// The filter of a report only some of the stream's mappings need (custom fields,
    /// software): their organizations only, so the report brings no rows nobody keeps, and
    /// still one report per stream, never one per organization. `None` when none needs it.
    fn narrowed(
        &self,
        covered: &[&SyncTarget],
        needs: impl Fn(&SyncTarget) -> bool,
    ) -> Option<DeviceFilter> {
        let orgs: Vec<i64> = covered
            .iter()
            .filter(|t| needs(t))
            .map(|t| t.org.0)
            .collect();
        if orgs.is_empty() {
            return None;
        }
        let chars: usize = orgs.iter().map(|o| o.to_string().len() + 1).sum();
        if self.everything && (orgs.len() == covered.len() || chars > FILTER_ID_CHARS) {
            return Some(self.filter.clone());
        }
        Some(DeviceFilter::new().org_in(orgs))
    }
}

/// The device streams of a batch.
fn streams(targets: &[SyncTarget], tenant_devices: Option<u64>, page_size: usize) -> Vec<Stream> {
    match reading(targets, tenant_devices, page_size) {
        Reading::Everything => vec![Stream {
            filter: DeviceFilter::new(),
            orgs: targets.iter().map(|t| t.org).collect(),
            everything: true,
        }],
        Reading::Chunks(chunks) => chunks
            .into_iter()
            .map(|chunk| Stream {
                filter: DeviceFilter::new().org_in(chunk.iter().map(|o| o.0)),
                orgs: chunk,
                everything: false,
            })
            .collect(),
    }
}

/// The custom field names in a live sample of one organization's devices (one page of
/// `/v2/queries/custom-fields`), sorted without repeats: what the user may choose to keep.
pub async fn custom_field_names(client: &Client, org: NinjaOrgId) -> Result<Vec<String>> {
    let filter = DeviceFilter::new().org_in([org.0]);
    let sample = client.page_size().max(1);
    let mut names = std::collections::BTreeSet::new();
    let mut rows = Box::pin(client.custom_fields(&filter).take(sample));
    while let Some(row) = rows.try_next().await? {
        names.extend(
            row.fields
                .unwrap_or_default()
                .into_iter()
                .map(|(name, _)| name),
        );
    }
    Ok(names.into_iter().collect())
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Outside the mapping's scope (class or location): not counted at all.
    Skip,
    Pending,
    Rejected,
    Sync,
}

/// Whether a device of a target's organization syncs (SPEC §4): in scope by class and
/// location, then only `APPROVED`; `PENDING` and `STAGED` count as pending, anything else
/// (decommissioned, rejected, unknown, missing) as rejected.
pub(crate) fn admit(target: &SyncTarget, device: &Device) -> Admission {
    if !target.include_non_agent && !is_agent(device.node_class.as_ref()) {
        return Admission::Skip;
    }
    if !target.locations.is_empty()
        && !device
            .location_id
            .is_some_and(|l| target.locations.iter().any(|t| t.0 == l))
    {
        return Admission::Skip;
    }
    match device.approval_status.as_ref() {
        Some(ApprovalStatus::Approved) => Admission::Sync,
        Some(ApprovalStatus::Pending | ApprovalStatus::Staged) => Admission::Pending,
        _ => Admission::Rejected,
    }
}

/// The curated fields of one device (SPEC §4) that the mapping keeps, by name; absent values
/// are left out.
fn draft(device: &Device, health: Option<&DeviceHealth>, choice: &FieldChoice) -> AssetDraft {
    let mut fields = BTreeMap::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            fields.insert(name.to_string(), value);
        }
    };
    let text = |v: &Option<String>| v.clone();
    let number = |v: Option<i64>| v.map(|n| n.to_string());
    let flag = |v: Option<bool>| {
        v.map(|b| {
            if b {
                "yes".to_string()
            } else {
                "no".to_string()
            }
        })
    };
    let when = |v: Option<f64>| {
        v.and_then(|secs| DateTime::from_timestamp(secs.trunc() as i64, 0))
            .map(time::format)
    };
    let class = device.node_class.as_ref().map(|c| c.as_str().to_string());

    put("identity.systemName", text(&device.system_name));
    put("identity.displayName", text(&device.display_name));
    put("identity.dnsName", text(&device.dns_name));
    put("identity.netbiosName", text(&device.netbios_name));
    put("identity.uid", text(&device.uid));
    put("identity.deviceId", number(device.id));
    put("identity.nodeClass", class.clone());
    put("identity.tags", device.tags.as_ref().map(|t| t.join(", ")));
    if let Some(os) = &device.os {
        put("os.name", text(&os.name));
        put("os.manufacturer", text(&os.manufacturer));
        put("os.architecture", text(&os.architecture));
        put("os.buildNumber", text(&os.build_number));
        put("os.releaseId", text(&os.release_id));
        put("os.lastBoot", when(os.last_boot_time));
        put("os.needsReboot", flag(os.needs_reboot));
    }
    if let Some(system) = &device.system {
        put("hardware.manufacturer", text(&system.manufacturer));
        put("hardware.model", text(&system.model));
        put("hardware.serialNumber", text(&system.serial_number));
        put(
            "hardware.biosSerialNumber",
            text(&system.bios_serial_number),
        );
        put("hardware.chassis", text(&system.chassis_type));
        put("hardware.domain", text(&system.domain));
        put("hardware.virtualMachine", flag(system.virtual_machine));
    }
    if let Some(processor) = device.processors.as_ref().and_then(|p| p.first()) {
        put("processor.name", text(&processor.name));
        put("processor.cores", number(processor.num_cores));
        put(
            "processor.logicalCores",
            number(processor.num_logical_cores),
        );
    }
    put(
        "memory.bytes",
        number(device.memory.as_ref().and_then(|m| m.capacity)),
    );
    if let Some(volumes) = &device.volumes {
        put("volumes.count", Some(volumes.len().to_string()));
        put(
            "volumes.primary",
            volumes
                .iter()
                .find_map(|v| v.drive_letter.clone().or_else(|| v.name.clone())),
        );
        put(
            "volumes.summary",
            Some(
                volumes
                    .iter()
                    .map(|v| {
                        let name = v
                            .drive_letter
                            .as_deref()
                            .or(v.name.as_deref())
                            .unwrap_or("?");
                        let gib = v.capacity.unwrap_or(0) / (1 << 30);
                        format!("{name} {gib} GiB")
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        );
    }
    put("network.publicIp", text(&device.public_ip));
    put(
        "network.ipAddresses",
        device.ip_addresses.as_ref().map(|a| a.join(", ")),
    );
    put(
        "network.macAddresses",
        device.mac_addresses.as_ref().map(|a| a.join(", ")),
    );
    put("location.id", number(device.location_id));
    put("organization.id", number(device.organization_id));
    put("policy.rolePolicyId", number(device.role_policy_id));
    put("policy.policyId", number(device.policy_id));
    put("policy.nodeRoleId", number(device.node_role_id));
    put("owner.assignedOwnerUid", text(&device.assigned_owner_uid));
    put(
        "maintenance.status",
        device
            .maintenance
            .as_ref()
            .and_then(|m| m.status.as_ref())
            .map(|s| s.as_str().to_string()),
    );
    if let Some(warranty) = device.references.as_ref().and_then(|r| r.warranty.as_ref()) {
        put("warranty.startDate", when(warranty.start_date));
        put("warranty.endDate", when(warranty.end_date));
        put(
            "warranty.fulfillmentDate",
            when(warranty.manufacturer_fulfillment_date),
        );
    }
    put("lifecycle.created", when(device.created));
    put("lifecycle.lastContact", when(device.last_contact));
    put("lifecycle.lastUpdate", when(device.last_update));
    put(
        "lifecycle.approval",
        device
            .approval_status
            .as_ref()
            .map(|s| s.as_str().to_string()),
    );
    put("lifecycle.offline", flag(device.offline));
    if let Some(health) = health {
        add_health(&mut fields, health);
    }
    fields.retain(|name, _| choice.keeps(name));

    let serial = device.system.as_ref().and_then(|s| {
        s.serial_number
            .clone()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| s.bios_serial_number.clone())
    });
    AssetDraft {
        external_id: external_id(device),
        uid: device.uid.clone(),
        name: device
            .system_name
            .clone()
            .or_else(|| device.display_name.clone()),
        serial_number: serial,
        mac_addresses: device.mac_addresses.clone().unwrap_or_default(),
        node_class: class,
        fields: Fields::from_map(&fields),
        partly_read: false,
    }
}

/// A device's health (SPEC §4, `/v2/queries/device-health`) as fields of its draft.
fn add_health(fields: &mut BTreeMap<String, String>, health: &DeviceHealth) {
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            fields.insert(name.to_string(), value);
        }
    };
    let text = |v: &Option<String>| v.clone();
    let number = |v: Option<i64>| v.map(|n| n.to_string());
    put(
        "health.status",
        health
            .health_status
            .as_ref()
            .map(|s| s.as_str().to_string()),
    );
    put(
        "health.pendingOsPatches",
        number(health.pending_os_patches_count),
    );
    put(
        "health.failedOsPatches",
        number(health.failed_os_patches_count),
    );
    put(
        "health.pendingSoftwarePatches",
        number(health.pending_software_patches_count),
    );
    put(
        "health.failedSoftwarePatches",
        number(health.failed_software_patches_count),
    );
    put("health.activeThreats", number(health.active_threats_count));
    put("health.avInstallStatus", text(&health.av_install_status));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CompanyId, NinjaLocationId};

    fn target(non_agent: bool, locations: &[i64]) -> SyncTarget {
        SyncTarget {
            connection: ConnectionId(1),
            org: NinjaOrgId(7),
            company: CompanyId(3),
            locations: locations.iter().copied().map(NinjaLocationId).collect(),
            include_non_agent: non_agent,
            expected_devices: 0,
            fields: FieldChoice::default(),
        }
    }

    fn device(class: &str, approval: &str, location: i64) -> Device {
        serde_json::from_value(serde_json::json!({
            "id": 5, "uid": "u-5", "organizationId": 7, "locationId": location,
            "nodeClass": class, "approvalStatus": approval, "systemName": "PC-5",
            "system": {"serialNumber": "  ", "biosSerialNumber": "BIOS-1"},
        }))
        .unwrap()
    }

    #[test]
    fn only_approved_devices_sync_and_the_rest_are_counted_as_pending_or_rejected() {
        let t = target(false, &[]);
        assert_eq!(
            admit(&t, &device("WINDOWS_SERVER", "APPROVED", 1)),
            Admission::Sync
        );
        assert_eq!(admit(&t, &device("MAC", "PENDING", 1)), Admission::Pending);
        assert_eq!(admit(&t, &device("MAC", "STAGED", 1)), Admission::Pending);
        assert_eq!(
            admit(&t, &device("MAC", "DECOMMISSIONED", 1)),
            Admission::Rejected
        );
        assert_eq!(
            admit(&t, &device("MAC", "SOMETHING_NEW", 1)),
            Admission::Rejected
        );
    }

    #[test]
    fn non_agent_devices_sync_only_when_the_mapping_enables_them() {
        let nms = device("NMS_SWITCH", "APPROVED", 1);
        assert_eq!(admit(&target(false, &[]), &nms), Admission::Skip);
        assert_eq!(admit(&target(true, &[]), &nms), Admission::Sync);
        let unknown = device("A_NEW_CLASS", "APPROVED", 1);
        assert_eq!(admit(&target(false, &[]), &unknown), Admission::Skip);
    }

    #[test]
    fn a_location_restriction_keeps_only_its_locations() {
        let t = target(false, &[2]);
        assert_eq!(admit(&t, &device("MAC", "APPROVED", 1)), Admission::Skip);
        assert_eq!(admit(&t, &device("MAC", "APPROVED", 2)), Admission::Sync);
    }

    fn mapped(orgs: std::ops::Range<i64>, devices: u32) -> Vec<SyncTarget> {
        orgs.map(|org| SyncTarget {
            org: NinjaOrgId(org),
            expected_devices: devices,
            ..target(false, &[])
        })
        .collect()
    }

    #[test]
    fn a_few_organizations_of_a_large_tenant_are_read_through_one_filter() {
        let reading = reading(&mapped(1..6, 500), Some(50_000), 1_000);
        assert_eq!(
            reading,
            Reading::Chunks(vec![(1..6).map(NinjaOrgId).collect()])
        );
    }

    #[test]
    fn a_tenant_whose_organizations_are_all_mapped_is_walked_once_unfiltered() {
        // 5,000 organizations × 10 devices: filters by organization would cost a last short
        // page per chunk; one walk of the tenant costs 50 pages and one more.
        let targets = mapped(100_000..105_000, 10);
        assert_eq!(reading(&targets, Some(50_000), 1_000), Reading::Everything);
        assert!(
            matches!(reading(&targets, None, 1_000), Reading::Chunks(c) if c.len() > 1),
            "without the tenant's device count it filters"
        );
    }

    #[test]
    fn filters_stay_short_enough_for_a_url() {
        let Reading::Chunks(chunks) =
            reading(&mapped(1_000_000..1_002_000, 1), Some(1_000_000), 1_000)
        else {
            panic!("a small part of a large tenant is filtered");
        };
        assert_eq!(chunks.iter().map(Vec::len).sum::<usize>(), 2_000);
        for chunk in &chunks {
            let text: usize = chunk.iter().map(|o| o.0.to_string().len() + 1).sum();
            assert!(text <= FILTER_ID_CHARS, "{text} characters of ids");
        }
        assert_eq!(chunks.len(), 3, "2,000 seven-digit ids take three filters");
    }

    #[test]
    fn a_device_is_matched_by_uid_and_falls_back_to_its_id() {
        let with_uid = draft(&device("MAC", "APPROVED", 1), None, &FieldChoice::default());
        assert_eq!(with_uid.external_id, "u-5");
        assert_eq!(
            with_uid.serial_number.as_deref(),
            Some("BIOS-1"),
            "blank serial falls back to the BIOS serial"
        );
        assert_eq!(with_uid.fields.to_map()["identity.systemName"], "PC-5");
        let mut no_uid = device("MAC", "APPROVED", 1);
        no_uid.uid = None;
        assert_eq!(
            draft(&no_uid, None, &FieldChoice::default()).external_id,
            "5"
        );
    }

    #[test]
    fn a_device_whose_id_is_missing_negative_or_unread_is_not_identified() {
        let sent = device("MAC", "APPROVED", 1);
        let whole: Vec<String> = Vec::new();
        assert_eq!(identity(&sent, &Misread(&whole)), Some(5));
        for id in [None, Some(0), Some(-7)] {
            let mut odd = sent.clone();
            odd.id = id;
            assert_eq!(identity(&odd, &Misread(&whole)), None, "{id:?}");
        }
        for unread in ["id", "uid"] {
            let misread = vec![unread.to_string()];
            assert_eq!(identity(&sent, &Misread(&misread)), None, "{unread}");
        }
        let elsewhere = vec![
            "created".to_string(),
            "idle".to_string(),
            "system.id".to_string(),
        ];
        assert_eq!(identity(&sent, &Misread(&elsewhere)), Some(5));
        let nested = vec!["system.serialNumber".to_string()];
        assert!(Misread(&nested).any("system"));
        assert!(!Misread(&nested).any("sys"));
    }

    fn full_device() -> Device {
        serde_json::from_value(serde_json::json!({
            "id": 9, "uid": "u-9", "organizationId": 7, "locationId": 1,
            "nodeClass": "WINDOWS_WORKSTATION", "approvalStatus": "APPROVED",
            "systemName": "PC-9", "created": 1_700_000_000.0,
            "os": {"name": "Windows 11 Pro"},
            "system": {"manufacturer": "Dell Inc.", "serialNumber": "SN-9"},
            "memory": {"capacity": 17_179_869_184_i64},
            "volumes": [{"driveLetter": "C:", "capacity": 274_877_906_944_i64}],
            "references": {"warranty": {"startDate": 1_600_000_000.0, "endDate": 1_694_608_000.0,
                         "manufacturerFulfillmentDate": 1_599_000_000.0}},
        }))
        .unwrap()
    }

    #[test]
    fn warranty_dates_are_curated_fields() {
        let fields = draft(&full_device(), None, &FieldChoice::default())
            .fields
            .to_map();
        assert_eq!(fields["warranty.startDate"], "2020-09-13T12:26:40Z");
        assert_eq!(fields["warranty.endDate"], "2023-09-13T12:26:40Z");
        assert!(fields.contains_key("warranty.fulfillmentDate"));
    }

    #[test]
    fn dropped_groups_leave_their_fields_out_and_keep_the_rest() {
        let choice = FieldChoice {
            dropped: [
                FieldGroup::Memory,
                FieldGroup::Volumes,
                FieldGroup::Warranty,
            ]
            .into_iter()
            .collect(),
            ..FieldChoice::default()
        };
        let fields = draft(&full_device(), None, &choice).fields.to_map();
        assert!(fields.keys().all(|name| !name.starts_with("memory.")
            && !name.starts_with("volumes.")
            && !name.starts_with("warranty.")));
        assert_eq!(fields["os.name"], "Windows 11 Pro");
        assert_eq!(fields["hardware.serialNumber"], "SN-9");
        assert_eq!(fields["identity.systemName"], "PC-9");
        let kept = draft(&full_device(), None, &FieldChoice::default())
            .fields
            .to_map();
        assert_eq!(kept["memory.bytes"], "17179869184");
        assert_eq!(kept["volumes.summary"], "C: 256 GiB");
    }

    #[test]
    fn extra_reports_are_read_only_for_the_organizations_that_need_them() {
        let mut targets = mapped(1..4, 10);
        targets[1].fields.software = true;
        let read = streams(&targets, Some(1_000_000), 1_000);
        assert_eq!(read.len(), 1);
        let covered: Vec<&SyncTarget> = targets.iter().collect();
        assert_eq!(
            read[0].narrowed(&covered, |t| t.fields.software),
            Some(DeviceFilter::new().org_in([2]))
        );
        assert_eq!(
            read[0].narrowed(&covered, |t| !t.fields.custom.is_empty()),
            None
        );
        // A walk of the whole tenant whose mappings all opt in reads the report unfiltered.
        let all: Vec<SyncTarget> = mapped(100_000..105_000, 10)
            .into_iter()
            .map(|mut t| {
                t.fields.software = true;
                t
            })
            .collect();
        let walk = streams(&all, Some(50_000), 1_000);
        let covered: Vec<&SyncTarget> = all.iter().collect();
        assert!(walk[0].everything);
        assert_eq!(
            walk[0].narrowed(&covered, |t| t.fields.software),
            Some(DeviceFilter::new())
        );
    }
}
