//! The endpoints Fleetward reads, as typed calls and streams on [`Client`]. Paths use the
//! `/v2` prefix (both `/v2` and `/api/v2` are served; ninjaone-api.md §1.1).

use futures::Stream;

use crate::models::*;
use crate::{paging, Client, DeviceFilter, Result};

fn df_param(df: &DeviceFilter) -> Vec<(&'static str, String)> {
    if df.is_empty() {
        Vec::new()
    } else {
        vec![("df", df.to_string())]
    }
}

/// Options of an activities walk.
#[derive(Debug, Clone, Default)]
pub struct ActivityQuery {
    /// Only activities with a larger id (incremental polling).
    pub newer_than: Option<i64>,
    /// `type=…` (activityType), e.g. `NINJA_BACKUP`.
    pub activity_type: Option<String>,
    /// `status=…` (statusCode, or several joined with commas), e.g. `FILEVAULT_ENABLED`.
    pub status: Option<String>,
    /// Activities after this time (epoch seconds).
    pub after: Option<f64>,
    pub df: DeviceFilter,
}

impl Client {
    pub fn organizations(&self) -> impl Stream<Item = Result<Organization>> + Send {
        paging::by_id(self.clone(), "/v2/organizations", Vec::new())
    }

    pub fn organizations_detailed(&self) -> impl Stream<Item = Result<Organization>> + Send {
        paging::by_id(self.clone(), "/v2/organizations-detailed", Vec::new())
    }

    pub fn locations(&self) -> impl Stream<Item = Result<Location>> + Send {
        paging::by_id(self.clone(), "/v2/locations", Vec::new())
    }

    pub async fn organization_locations(&self, organization_id: i64) -> Result<Vec<Location>> {
        self.get_json(
            &format!("/v2/organization/{organization_id}/locations"),
            &[],
        )
        .await
    }

    pub fn devices(&self, df: &DeviceFilter) -> impl Stream<Item = Result<Device>> + Send {
        paging::by_id(self.clone(), "/v2/devices", df_param(df))
    }

    pub fn devices_detailed(&self, df: &DeviceFilter) -> impl Stream<Item = Result<Device>> + Send {
        paging::by_id(self.clone(), "/v2/devices-detailed", df_param(df))
    }

    /// [`Client::devices_detailed`], with devices that do not fit the model read in part
    /// (their other fields kept, the misfits named) instead of skipped.
    pub fn devices_detailed_read(
        &self,
        df: &DeviceFilter,
    ) -> impl Stream<Item = Result<paging::Read<Device>>> + Send {
        paging::by_id_read(self.clone(), "/v2/devices-detailed", df_param(df))
    }

    pub async fn device(&self, id: i64) -> Result<Device> {
        self.get_json(&format!("/v2/device/{id}"), &[]).await
    }

    /// A short-lived link that opens the device in NinjaOne (fetched on click).
    pub async fn dashboard_url(&self, device_id: i64) -> Result<DashboardUrl> {
        self.get_json(&format!("/v2/device/{device_id}/dashboard-url"), &[])
            .await
    }

    /// Volumes; with `bitlocker`, each carries `bitLockerStatus` (`include=bl`).
    pub fn volumes(
        &self,
        df: &DeviceFilter,
        bitlocker: bool,
    ) -> impl Stream<Item = Result<Volume>> + Send {
        let mut query = df_param(df);
        if bitlocker {
            query.push(("include", "bl".into()));
        }
        paging::by_cursor(self.clone(), "/v2/queries/volumes", query)
    }

    pub fn antivirus_status(
        &self,
        df: &DeviceFilter,
    ) -> impl Stream<Item = Result<AntivirusStatus>> + Send {
        paging::by_cursor(self.clone(), "/v2/queries/antivirus-status", df_param(df))
    }

    pub fn os_patches(&self, df: &DeviceFilter) -> impl Stream<Item = Result<OsPatch>> + Send {
        paging::by_cursor(self.clone(), "/v2/queries/os-patches", df_param(df))
    }

    pub fn software_patches(
        &self,
        df: &DeviceFilter,
    ) -> impl Stream<Item = Result<SoftwarePatch>> + Send {
        paging::by_cursor(self.clone(), "/v2/queries/software-patches", df_param(df))
    }

    /// OS patch install history, optionally only installs after `installed_after` (epoch s).
    pub fn os_patch_installs(
        &self,
        df: &DeviceFilter,
        installed_after: Option<f64>,
    ) -> impl Stream<Item = Result<OsPatch>> + Send {
        paging::by_cursor(
            self.clone(),
            "/v2/queries/os-patch-installs",
            installed_after_query(df, installed_after),
        )
    }

    pub fn software_patch_installs(
        &self,
        df: &DeviceFilter,
        installed_after: Option<f64>,
    ) -> impl Stream<Item = Result<SoftwarePatch>> + Send {
        paging::by_cursor(
            self.clone(),
            "/v2/queries/software-patch-installs",
            installed_after_query(df, installed_after),
        )
    }

    pub fn device_health(
        &self,
        df: &DeviceFilter,
    ) -> impl Stream<Item = Result<DeviceHealth>> + Send {
        paging::by_cursor(self.clone(), "/v2/queries/device-health", df_param(df))
    }

    pub fn operating_systems(
        &self,
        df: &DeviceFilter,
    ) -> impl Stream<Item = Result<OperatingSystem>> + Send {
        paging::by_cursor(self.clone(), "/v2/queries/operating-systems", df_param(df))
    }

    pub fn computer_systems(
        &self,
        df: &DeviceFilter,
    ) -> impl Stream<Item = Result<ComputerSystem>> + Send {
        paging::by_cursor(self.clone(), "/v2/queries/computer-systems", df_param(df))
    }

    pub fn custom_fields(
        &self,
        df: &DeviceFilter,
    ) -> impl Stream<Item = Result<CustomFields>> + Send {
        paging::by_cursor(self.clone(), "/v2/queries/custom-fields", df_param(df))
    }

    pub fn software(&self, df: &DeviceFilter) -> impl Stream<Item = Result<Software>> + Send {
        paging::by_cursor(self.clone(), "/v2/queries/software", df_param(df))
    }

    pub fn backup_jobs(&self, df: &DeviceFilter) -> impl Stream<Item = Result<BackupJob>> + Send {
        paging::by_cursor(self.clone(), "/v2/backup/jobs", df_param(df))
    }

    /// Activities, newest first.
    pub fn activities(&self, query: &ActivityQuery) -> impl Stream<Item = Result<Activity>> + Send {
        let mut params = df_param(&query.df);
        if let Some(kind) = &query.activity_type {
            params.push(("type", kind.clone()));
        }
        if let Some(status) = &query.status {
            params.push(("status", status.clone()));
        }
        if let Some(after) = query.after {
            params.push(("after", format!("{}", after.floor() as i64)));
        }
        paging::activities(
            self.clone(),
            query.newer_than,
            params,
            self.page_size().min(1000),
        )
    }

    /// Active alerts (not paged).
    pub async fn alerts(&self, df: &DeviceFilter) -> Result<Vec<Alert>> {
        self.get_json("/v2/alerts", &df_param(df)).await
    }
}

fn installed_after_query(
    df: &DeviceFilter,
    installed_after: Option<f64>,
) -> Vec<(&'static str, String)> {
    let mut query = df_param(df);
    if let Some(after) = installed_after {
        query.push(("installedAfter", format!("{}", after.floor() as i64)));
    }
    query
}
