//! Report cursors (ninjaone-api.md §2.2, style 2). The first request of a report fixes its
//! rows: the tenant snapshot, the devices the filter matched and how many rows each has.
//! Later requests name the cursor and get the next page, generated only then, so an open
//! cursor over 100,000 devices costs about a megabyte. The name stays the same across
//! pages and the server keeps the position, as NinjaOne's `cursor.name` + `offset` imply.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::filter::DeviceFilter;
use crate::reports::{ReportKind, RowQuery};
use crate::tenant::View;

/// A cursor expires this long after it was opened.
pub(crate) const CURSOR_LIFETIME: Duration = Duration::from_secs(600);
/// Cursors are forgotten (then "unknown", answered with no rows) this long after opening.
const FORGET_AFTER: Duration = Duration::from_secs(3600);

/// A report of up to this many rows keeps them, rendered, from its first request on, so that
/// its later pages are slices rather than generated again (a report's rows are fixed when it
/// opens). Larger reports (installed software of a big tenant) generate each page on demand.
const KEEP_ROWS_UP_TO: usize = 100_000;

/// One row of a report, rendered to JSON.
pub(crate) type Row = Box<RawValue>;

/// The rows of a report: which devices, and the index of each one's first row.
pub(crate) struct Plan {
    kind: ReportKind,
    view: View,
    query: Arc<RowQuery>,
    devices: Arc<[u32]>,
    /// `starts[i]` is the first row of `devices[i]`; the last entry is the row count.
    starts: Arc<[usize]>,
    /// Every row, rendered, when there are at most `KEEP_ROWS_UP_TO`.
    kept: Option<Arc<[Row]>>,
}

impl Plan {
    /// Counts the rows of every matching device. Costly for large tenants: run it off the
    /// async threads.
    pub fn build(kind: ReportKind, view: View, df: Option<&DeviceFilter>, query: RowQuery) -> Plan {
        let mut devices = Vec::new();
        let mut starts = vec![0usize];
        let mut total = 0usize;
        let mut kept = Some(Vec::new());
        let mut produced = Vec::new();
        for (index, device) in view.devices.iter().enumerate() {
            if df.is_some_and(|df| !df.matches(device)) {
                continue;
            }
            let rows = match &mut kept {
                Some(_) => {
                    produced.clear();
                    kind.produce(&view, device, &query, Some(&mut produced))
                }
                None => kind.produce(&view, device, &query, None),
            };
            if rows > 0 {
                devices.push(index as u32);
                total += rows;
                starts.push(total);
            }
            if let Some(rows) = &mut kept {
                if total > KEEP_ROWS_UP_TO {
                    kept = None;
                } else {
                    rows.extend(produced.iter().map(render));
                }
            }
        }
        Plan {
            kind,
            view,
            query: Arc::new(query),
            devices: devices.into(),
            starts: starts.into(),
            kept: kept.map(Into::into),
        }
    }

    pub fn total(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    fn share(&self) -> Plan {
        Plan {
            kind: self.kind,
            view: self.view.clone(),
            query: Arc::clone(&self.query),
            devices: Arc::clone(&self.devices),
            starts: Arc::clone(&self.starts),
            kept: self.kept.clone(),
        }
    }

    /// Rows `from..to` as JSON.
    pub fn rows(&self, from: usize, to: usize) -> Vec<Row> {
        let to = to.min(self.total());
        if from >= to {
            return Vec::new();
        }
        if let Some(kept) = &self.kept {
            return kept[from..to].to_vec();
        }
        let mut out = Vec::with_capacity(to - from);
        // The device holding row `from`: the last whose first row is <= from.
        let mut slot =
            self.starts[..self.devices.len()].partition_point(|&start| start <= from) - 1;
        let mut skip = from - self.starts[slot];
        while out.len() < to - from && slot < self.devices.len() {
            let device = &self.view.devices[self.devices[slot] as usize];
            let mut rows = Vec::new();
            self.kind
                .produce(&self.view, device, &self.query, Some(&mut rows));
            let wanted = to - from - out.len();
            out.extend(rows.iter().skip(skip).take(wanted).map(render));
            skip = 0;
            slot += 1;
        }
        out
    }
}

fn render(row: &Value) -> Row {
    serde_json::value::to_raw_value(row).expect("a JSON value renders")
}

struct OpenCursor {
    /// Dropped once the cursor is finished or expired, so that a finished report does not
    /// keep its tenant snapshot alive (every later change would copy the device list).
    plan: Option<Plan>,
    total: usize,
    position: usize,
    /// Epoch seconds on the simulator's clock.
    opened: f64,
    expired: bool,
}

/// What a request naming a cursor gets.
pub(crate) enum Next {
    /// Rows `from..to` of the plan; the cursor has already moved past them.
    Page {
        plan: Plan,
        from: usize,
        to: usize,
        cursor: Value,
    },
    /// Nothing left, or a cursor the server does not know.
    Empty {
        cursor: Option<Value>,
    },
    Expired,
}

#[derive(Default)]
pub(crate) struct CursorStore {
    open: HashMap<String, OpenCursor>,
}

fn cursor_json(name: &str, offset: usize, count: usize, expires: f64) -> Value {
    json!({ "name": name, "offset": offset, "count": count, "expires": expires })
}

impl CursorStore {
    /// Registers a new cursor whose first page (`0..page_size`) the caller serves now
    /// (epoch seconds).
    pub fn open(&mut self, plan: &Plan, page_size: usize, now: f64) -> Value {
        self.open
            .retain(|_, cursor| now - cursor.opened < FORGET_AFTER.as_secs_f64());
        let name = loop {
            let candidate: String = format!("{:032x}", rand::rng().random::<u128>());
            if !self.open.contains_key(&candidate) {
                break candidate;
            }
        };
        let expires = now + CURSOR_LIFETIME.as_secs_f64();
        let cursor = cursor_json(&name, 0, plan.total(), expires);
        self.open.insert(
            name,
            OpenCursor {
                plan: (page_size < plan.total()).then(|| plan.share()),
                total: plan.total(),
                position: page_size.min(plan.total()),
                opened: now,
                expired: false,
            },
        );
        cursor
    }

    /// The page after the cursor's position, asked for at `now` (epoch seconds).
    pub fn next(&mut self, name: &str, page_size: usize, now: f64) -> Next {
        let Some(cursor) = self.open.get_mut(name) else {
            return Next::Empty { cursor: None };
        };
        if cursor.expired || now - cursor.opened >= CURSOR_LIFETIME.as_secs_f64() {
            cursor.expired = true;
            cursor.plan = None;
            return Next::Expired;
        }
        let total = cursor.total;
        let expires = cursor.opened + CURSOR_LIFETIME.as_secs_f64();
        let from = cursor.position;
        let plan = match &cursor.plan {
            Some(plan) if from < total => plan.share(),
            _ => {
                return Next::Empty {
                    cursor: Some(cursor_json(name, total, total, expires)),
                }
            }
        };
        let to = (from + page_size).min(total);
        cursor.position = to;
        if to >= total {
            cursor.plan = None;
        }
        Next::Page {
            plan,
            from,
            to,
            cursor: cursor_json(name, from, total, expires),
        }
    }

    pub fn expire_all(&mut self) {
        for cursor in self.open.values_mut() {
            cursor.expired = true;
            cursor.plan = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;
    use crate::tenant::generate;

    fn plan(kind: ReportKind) -> Plan {
        let config = SimConfig {
            orgs: 2,
            devices_per_org: 10,
            ..SimConfig::default()
        };
        Plan::build(
            kind,
            generate(&config, 1_700_000_000.0).view(),
            None,
            RowQuery::default(),
        )
    }

    #[test]
    fn pages_cover_the_rows_in_order_then_the_cursor_is_finished() {
        let plan = plan(ReportKind::Software);
        let whole = plan.rows(0, usize::MAX);
        assert_eq!(whole.len(), plan.total());
        let mut store = CursorStore::default();
        let now = 1_700_000_000.0;
        let first = store.open(&plan, 4, now);
        let name = first["name"].as_str().unwrap().to_string();
        let mut rows = plan.rows(0, 4);
        loop {
            match store.next(&name, 4, now) {
                Next::Page {
                    plan,
                    from,
                    to,
                    cursor,
                } => {
                    assert_eq!(cursor["offset"], from);
                    rows.extend(plan.rows(from, to));
                }
                Next::Empty { cursor } => {
                    assert_eq!(cursor.unwrap()["offset"], whole.len());
                    break;
                }
                Next::Expired => panic!("not expired"),
            }
        }
        let text = |rows: &[Row]| rows.iter().map(|r| r.get().to_string()).collect::<Vec<_>>();
        assert_eq!(text(&rows), text(&whole));
        assert!(
            store.open[&name].plan.is_none(),
            "a finished cursor drops its snapshot"
        );
    }

    #[test]
    fn cursors_expire_on_demand_and_with_age() {
        let plan = plan(ReportKind::DeviceHealth);
        let mut store = CursorStore::default();
        let now = 1_700_000_000.0;
        let a = store.open(&plan, 2, now)["name"]
            .as_str()
            .unwrap()
            .to_string();
        let b = store.open(&plan, 2, now)["name"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(matches!(
            store.next(&b, 2, now + CURSOR_LIFETIME.as_secs_f64()),
            Next::Expired
        ));
        assert!(matches!(store.next(&a, 2, now), Next::Page { .. }));
        store.expire_all();
        assert!(matches!(store.next(&a, 2, now), Next::Expired));
        assert!(matches!(
            store.next("nope", 2, now),
            Next::Empty { cursor: None }
        ));
    }
}
