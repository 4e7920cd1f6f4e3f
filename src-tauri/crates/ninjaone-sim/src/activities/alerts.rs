//! Active alerts: every condition series whose latest CONDITION activity is TRIGGERED
//! (ninjaone-api.md §3.6: an alert's `uid` is the series uid). Deriving alerts instead of
//! storing them means an activity appended through the control API (say a RESET for an
//! alert's series) changes `/v2/alerts` exactly as it would in NinjaOne.

use std::collections::HashMap;

use ninjaone::models::Alert;

use super::{condition, ActivityEntry, GenKind};
use crate::devices;
use crate::filter::DeviceFilter;
use crate::tenant::View;

pub(crate) fn active_alerts(view: &View, df: Option<&DeviceFilter>) -> Vec<Alert> {
    let seed = view.ctx.seed;
    let entries = view.activities.as_slice();
    let mut latest: HashMap<String, usize> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        if entry.activity_type() != Some("CONDITION") {
            continue;
        }
        if let Some(series) = entry.series_uid(seed) {
            latest.insert(series.into_owned(), index);
        }
    }
    let mut open: Vec<usize> = latest
        .into_values()
        .filter(|&index| entries[index].status_code() == Some("TRIGGERED"))
        .collect();
    open.sort_unstable();
    open.into_iter()
        .map(|index| &entries[index])
        .filter(|entry| {
            df.is_none_or(|df| {
                entry
                    .device_id()
                    .and_then(|id| view.device(id))
                    .is_some_and(|device| df.matches(device))
            })
        })
        .map(|entry| alert(view, entry))
        .collect()
}

fn alert(view: &View, entry: &ActivityEntry) -> Alert {
    let activity = entry.render(view.ctx.seed);
    let device = activity
        .device_id
        .and_then(|id| view.device(id))
        .map(|device| Box::new(devices::base(view, device)));
    let mut alert = Alert {
        uid: activity.series_uid,
        device_id: activity.device_id,
        message: activity.message,
        create_time: activity.activity_time,
        update_time: activity.activity_time,
        source_config_uid: activity.source_config_uid,
        source_name: activity.source_name.clone(),
        subject: activity.subject,
        user_id: activity.user_id,
        data: activity.data,
        device,
        priority: activity.priority,
        severity: activity.severity,
        ..Alert::default()
    };
    match entry {
        ActivityEntry::Generated(generated) => {
            if let GenKind::Condition {
                condition: index, ..
            } = generated.kind
            {
                let c = condition(index);
                alert.source_type = Some(c.source_type.into());
                alert.condition_name = Some(c.name.into());
                alert.condition_health_status = Some(c.health.into());
                alert.use_global_health_status = Some(true);
            }
        }
        ActivityEntry::Custom(custom) => {
            alert.source_type = custom
                .extra
                .get("sourceType")
                .and_then(|v| v.as_str())
                .map(String::from);
            alert.condition_name = activity.source_name;
        }
    }
    alert
}
