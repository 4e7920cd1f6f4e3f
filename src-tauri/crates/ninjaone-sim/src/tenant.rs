//! The simulated tenant's state: organizations, locations, devices and activities as compact
//! records. Everything a client sees is rendered from these records on demand
//! ([`crate::devices`], [`crate::reports`], [`crate::activities`]), which keeps a
//! 100,000-device tenant to a few tens of megabytes. Each collection sits behind its own
//! `Arc`: a reader, or an open report cursor, keeps a consistent snapshot ([`View`]) while
//! [`crate::Control`] changes the live copy.

mod generate;
mod names;

use std::sync::Arc;

use ninjaone::models::{Activity, ApprovalStatus, NodeApprovalMode, NodeClass};

use crate::activities::{ActivityEntry, GenActivity};

pub(crate) use generate::generate;

/// What every generator needs: the seed and the time generated data is dated from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx {
    pub seed: u64,
    pub anchor: f64,
}

/// How well an organization's devices are looked after, which decides what its reports
/// say. Only `Typical` data is drawn with the realistic, imperfect mix; the others are what
/// an MSP's best (or most particular) customers look like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrgPosture {
    /// The realistic mix: some unencrypted volumes, outdated antivirus, pending patches.
    #[default]
    Typical,
    /// Every device online, every Windows volume protected by BitLocker, FileVault turned on
    /// recently on every Mac, antivirus on and current, no patch pending or failed.
    WellKept,
    /// As `WellKept`, except that about a third of the Windows and Mac devices run antivirus
    /// with outdated definitions.
    Lagging,
    /// Only Linux servers, every one online: nothing to say about encryption, antivirus or
    /// backup.
    LinuxOnly,
}

impl OrgPosture {
    /// Devices of this posture report clean data.
    pub(crate) fn kept(self) -> bool {
        self != OrgPosture::Typical
    }
}

#[derive(Clone, Debug)]
pub(crate) struct OrgRecord {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub approval_mode: NodeApprovalMode,
    pub backup_enabled: bool,
    pub posture: OrgPosture,
}

#[derive(Clone, Debug)]
pub(crate) struct LocationRecord {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub address: Option<String>,
    pub description: Option<String>,
}

/// Which backup product protects a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backup {
    None,
    Ninja,
    Cloudberry,
}

/// A device as stored. Only what the `df` filter, the control API and the generators need
/// is kept; the rest (hardware, names, addresses) is derived from the seed and the id.
#[derive(Clone, Debug)]
pub(crate) struct DeviceRecord {
    pub id: i64,
    pub org_id: i64,
    pub location_id: Option<i64>,
    pub class: NodeClass,
    pub approval: ApprovalStatus,
    pub offline: bool,
    /// Set by a rename; `None` serves the generated host name.
    pub system_name: Option<String>,
    pub parent_id: Option<i64>,
    pub backup: Backup,
    /// Its organization's posture, which its reports follow.
    pub posture: OrgPosture,
}

pub(crate) struct Tenant {
    ctx: Ctx,
    orgs: Arc<Vec<OrgRecord>>,
    locations: Arc<Vec<LocationRecord>>,
    devices: Arc<Vec<DeviceRecord>>,
    activities: Arc<Vec<ActivityEntry>>,
    next_org: i64,
    next_location: i64,
    next_device: i64,
    next_activity: i64,
}

/// A consistent snapshot of the tenant. Every collection is sorted by id.
#[derive(Clone)]
pub(crate) struct View {
    pub ctx: Ctx,
    pub orgs: Arc<Vec<OrgRecord>>,
    pub locations: Arc<Vec<LocationRecord>>,
    pub devices: Arc<Vec<DeviceRecord>>,
    pub activities: Arc<Vec<ActivityEntry>>,
}

impl View {
    pub fn org(&self, id: i64) -> Option<&OrgRecord> {
        find(&self.orgs, id, |o| o.id)
    }

    pub fn location(&self, id: i64) -> Option<&LocationRecord> {
        find(&self.locations, id, |l| l.id)
    }

    pub fn device(&self, id: i64) -> Option<&DeviceRecord> {
        find(&self.devices, id, |d| d.id)
    }

    pub fn locations_of(&self, org_id: i64) -> impl Iterator<Item = &LocationRecord> {
        self.locations.iter().filter(move |l| l.org_id == org_id)
    }

    pub fn last_activity_id(&self) -> Option<i64> {
        self.activities.last().map(ActivityEntry::id)
    }
}

fn find<T>(items: &[T], id: i64, key: impl Fn(&T) -> i64) -> Option<&T> {
    items
        .binary_search_by_key(&id, key)
        .ok()
        .map(|index| &items[index])
}

fn position<T>(items: &[T], id: i64, key: impl Fn(&T) -> i64) -> Option<usize> {
    items.binary_search_by_key(&id, key).ok()
}

impl Tenant {
    pub fn view(&self) -> View {
        View {
            ctx: self.ctx,
            orgs: Arc::clone(&self.orgs),
            locations: Arc::clone(&self.locations),
            devices: Arc::clone(&self.devices),
            activities: Arc::clone(&self.activities),
        }
    }

    /// A new organization with one location, so that devices can be added to it at once.
    pub fn add_organization(&mut self, name: &str) -> i64 {
        let id = self.next_org;
        self.next_org += 1;
        Arc::make_mut(&mut self.orgs).push(OrgRecord {
            id,
            name: name.to_string(),
            description: None,
            approval_mode: NodeApprovalMode::Automatic,
            backup_enabled: false,
            posture: OrgPosture::Typical,
        });
        let location_id = self.next_location;
        self.next_location += 1;
        Arc::make_mut(&mut self.locations).push(LocationRecord {
            id: location_id,
            org_id: id,
            name: "Main Office".into(),
            address: None,
            description: None,
        });
        id
    }

    pub fn rename_organization(&mut self, id: i64, name: &str) -> bool {
        let Some(index) = position(&self.orgs, id, |o| o.id) else {
            return false;
        };
        Arc::make_mut(&mut self.orgs)[index].name = name.to_string();
        true
    }

    /// Removes the organization with its locations and devices: NinjaOne has no devices
    /// without an organization.
    pub fn remove_organization(&mut self, id: i64) -> bool {
        let Some(index) = position(&self.orgs, id, |o| o.id) else {
            return false;
        };
        Arc::make_mut(&mut self.orgs).remove(index);
        Arc::make_mut(&mut self.locations).retain(|l| l.org_id != id);
        if self.devices.iter().any(|d| d.org_id == id) {
            Arc::make_mut(&mut self.devices).retain(|d| d.org_id != id);
        }
        true
    }

    pub fn add_device(&mut self, org_id: i64, class: NodeClass, approval: ApprovalStatus) -> i64 {
        let id = self.next_device;
        self.next_device += 1;
        let org = find(&self.orgs, org_id, |o| o.id);
        let backup_enabled = org.is_some_and(|o| o.backup_enabled);
        let posture = org.map_or(OrgPosture::Typical, |o| o.posture);
        let location_id = self
            .locations
            .iter()
            .find(|l| l.org_id == org_id)
            .map(|l| l.id);
        let parent_id =
            generate::vm_parent(&class, self.devices.iter().filter(|d| d.org_id == org_id));
        let backup = generate::backup_kind(self.ctx.seed, id, &class, backup_enabled);
        Arc::make_mut(&mut self.devices).push(DeviceRecord {
            id,
            org_id,
            location_id,
            class,
            approval,
            offline: false,
            system_name: None,
            parent_id,
            backup,
            posture,
        });
        id
    }

    fn with_device(&mut self, id: i64, change: impl FnOnce(&mut DeviceRecord)) -> bool {
        let Some(index) = position(&self.devices, id, |d| d.id) else {
            return false;
        };
        change(&mut Arc::make_mut(&mut self.devices)[index]);
        true
    }

    pub fn rename_device(&mut self, id: i64, system_name: &str) -> bool {
        self.with_device(id, |d| d.system_name = Some(system_name.to_string()))
    }

    pub fn set_approval(&mut self, id: i64, approval: ApprovalStatus) -> bool {
        self.with_device(id, |d| d.approval = approval)
    }

    pub fn set_offline(&mut self, id: i64, offline: bool) -> bool {
        self.with_device(id, |d| d.offline = offline)
    }

    pub fn remove_device(&mut self, id: i64) -> bool {
        let Some(index) = position(&self.devices, id, |d| d.id) else {
            return false;
        };
        Arc::make_mut(&mut self.devices).remove(index);
        true
    }

    /// Stores a generated activity (a live alert) with the next id.
    pub fn append_generated(&mut self, mut activity: GenActivity) -> i64 {
        let id = self.next_activity;
        self.next_activity += 1;
        activity.id = id;
        Arc::make_mut(&mut self.activities).push(ActivityEntry::Generated(activity));
        id
    }

    /// Stores an activity as sent, with the next id and, unless it has one, the time `now`.
    pub fn append_activity(&mut self, mut activity: Activity, now: f64) -> i64 {
        let id = self.next_activity;
        self.next_activity += 1;
        activity.id = Some(id);
        activity.activity_time.get_or_insert(now);
        Arc::make_mut(&mut self.activities).push(ActivityEntry::Custom(Box::new(activity)));
        id
    }
}
