//! NinjaOne's three paging styles as async streams (ninjaone-api.md §2.2):
//! - id watermark (`after` + `pageSize`, bare arrays ascending by id);
//! - query-report cursors (`cursor` + `pageSize`, `{cursor, results}`), whose termination is
//!   undocumented, so every plausible end signal stops it, and a repeated cursor cannot loop;
//! - activities (`olderThan`/`newerThan`, newest first).
//!
//! Items whose JSON does not fit the model are counted in
//! [`ClientStats::malformed_items`](crate::ClientStats) and logged, so one odd device never
//! stops a sync. Most streams skip them; a [`Read`] stream (devices) keeps what can be read of
//! them instead and names the fields it had to leave out, so the caller can tell a device
//! it read in part from one NinjaOne no longer has.

use std::collections::HashSet;

use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::models::{Activity, ActivityPage, CursorPage};
use crate::{Client, Error, Result};

/// A cursor report is restarted at most this often when its cursor expires mid-way.
const CURSOR_RESTARTS: u32 = 2;

/// Hard stop for a server that never stops paging.
const MAX_PAGES: usize = 100_000;

/// One item of a page, still undecoded: the page is split into items without building a
/// JSON tree, and each item is then decoded straight into its model.
type RawItem = Box<RawValue>;

/// Just the `id` of an item, for the paging watermarks.
#[derive(Deserialize)]
struct IdOnly {
    id: Option<i64>,
}

fn item_id(raw: &RawValue) -> Option<i64> {
    serde_json::from_str::<IdOnly>(raw.get()).ok()?.id
}

/// An item as read, with the fields NinjaOne sent that did not fit the model (paths such as
/// `created` or `system.serialNumber`), left out of `item`. Empty when it was read whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Read<T> {
    pub item: T,
    pub unreadable: Vec<String>,
}

/// What to do with an item that does not fit its model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Misfit {
    Skip,
    /// Keep the fields that fit and name the others.
    KeepTheRest,
}

/// Decodes items one by one; those that do not fit `T` are counted, and skipped or read in
/// part as `misfit` says.
fn decode_items<T: DeserializeOwned>(
    client: &Client,
    endpoint: &str,
    raw: Vec<RawItem>,
    misfit: Misfit,
) -> Vec<Read<T>> {
    raw.iter()
        .filter_map(|item| match serde_json::from_str::<T>(item.get()) {
            Ok(item) => Some(Read {
                item,
                unreadable: Vec::new(),
            }),
            Err(err) => {
                client.count_malformed();
                let kept = match misfit {
                    Misfit::Skip => None,
                    Misfit::KeepTheRest => read_in_part::<T>(item),
                };
                match &kept {
                    Some(read) => tracing::warn!(endpoint, error = %err, fields = ?read.unreadable, "read an item in part: some fields do not fit NinjaOne's documented shape"),
                    None => tracing::warn!(endpoint, error = %err, "skipped an item that does not fit NinjaOne's documented shape"),
                }
                kept
            }
        })
        .collect()
}

/// The fields of an object item that fit `T`, field by field (into nested objects), and the
/// paths of those that do not. `None` when the item is not an object or still does not fit.
fn read_in_part<T: DeserializeOwned>(raw: &RawValue) -> Option<Read<T>> {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(raw.get()) else {
        return None;
    };
    let fits = |candidate: Value| serde_json::from_value::<T>(candidate).is_ok();
    let mut unreadable = Vec::new();
    let kept = keep_fitting(
        object,
        "",
        &|part| Value::Object(part),
        &fits,
        &mut unreadable,
    );
    let item = serde_json::from_value::<T>(Value::Object(kept)).ok()?;
    Some(Read { item, unreadable })
}

/// Keeps each field of `object` that fits on its own, placed where it sits in the item by
/// `wrap`; a misfit object is searched field by field, any other misfit is named and dropped.
fn keep_fitting(
    object: Map<String, Value>,
    prefix: &str,
    wrap: &dyn Fn(Map<String, Value>) -> Value,
    fits: &dyn Fn(Value) -> bool,
    unreadable: &mut Vec<String>,
) -> Map<String, Value> {
    let mut kept = Map::new();
    for (key, value) in object {
        let alone = Map::from_iter([(key.clone(), value.clone())]);
        if fits(wrap(alone)) {
            kept.insert(key, value);
            continue;
        }
        let path = format!("{prefix}{key}");
        match value {
            Value::Object(inner) => {
                let inner_wrap = |part: Map<String, Value>| {
                    wrap(Map::from_iter([(key.clone(), Value::Object(part))]))
                };
                let inner = keep_fitting(inner, &format!("{path}."), &inner_wrap, fits, unreadable);
                kept.insert(key, Value::Object(inner));
            }
            _ => unreadable.push(path),
        }
    }
    kept
}

/// Counts a cursor report's rows and bytes against the client's bounds.
struct ReportSize {
    rows: usize,
    bytes: usize,
    max_rows: usize,
    max_bytes: usize,
}

impl ReportSize {
    fn new(client: &Client) -> ReportSize {
        let (max_rows, max_bytes) = client.report_bounds();
        ReportSize {
            rows: 0,
            bytes: 0,
            max_rows,
            max_bytes,
        }
    }

    /// Adds a page; past either bound the report is refused.
    fn add(&mut self, endpoint: &str, page: &[RawItem]) -> Result<()> {
        self.rows += page.len();
        self.bytes += page.iter().map(|row| row.get().len()).sum::<usize>();
        let limit = if self.rows > self.max_rows {
            format!("{} rows", self.max_rows)
        } else if self.bytes > self.max_bytes {
            crate::error::size(self.max_bytes)
        } else {
            return Ok(());
        };
        Err(Error::ReportTooLarge {
            endpoint: endpoint.to_string(),
            limit,
        })
    }
}

/// Items of the pages, read one page ahead: while the caller works through one page, the next
/// is already being fetched and decoded on another task, so NinjaOne's answer time and the
/// decoding overlap the caller's own work. Dropping the stream stops the reader.
fn flatten<T: Send + 'static>(
    pages: impl Stream<Item = Result<Vec<T>>> + Send + 'static,
) -> impl Stream<Item = Result<T>> + Send {
    enum Reader<P, T> {
        NotStarted(P),
        Started(mpsc::Receiver<Result<Vec<T>>>, AbortOnDrop),
    }
    let pages = stream::unfold(Reader::NotStarted(pages), |reader| async move {
        let (mut rx, guard) = match reader {
            Reader::Started(rx, guard) => (rx, guard),
            // Started on the first poll, so a stream can be built outside a runtime.
            Reader::NotStarted(pages) => {
                let (tx, rx) = mpsc::channel(1);
                let reader = async move {
                    let mut pages = std::pin::pin!(pages);
                    while let Some(page) = pages.next().await {
                        let failed = page.is_err();
                        if tx.send(page).await.is_err() || failed {
                            break;
                        }
                    }
                };
                let task = tokio::spawn(reader.instrument(tracing::Span::current()));
                (rx, AbortOnDrop(task))
            }
        };
        let page = rx.recv().await?;
        Some((page, Reader::Started(rx, guard)))
    });
    pages
        .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
        .try_flatten()
}

/// Stops the page reader when its stream is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Id-watermark paging: `after=0`, then `after=max(id)`, until a short page.
pub fn by_id<T: DeserializeOwned + Send + 'static>(
    client: Client,
    path: &'static str,
    query: Vec<(&'static str, String)>,
) -> impl Stream<Item = Result<T>> + Send {
    by_id_as(client, path, query, Misfit::Skip).map_ok(|read| read.item)
}

/// [`by_id`], keeping what can be read of items that do not fit `T`.
pub fn by_id_read<T: DeserializeOwned + Send + 'static>(
    client: Client,
    path: &'static str,
    query: Vec<(&'static str, String)>,
) -> impl Stream<Item = Result<Read<T>>> + Send {
    by_id_as(client, path, query, Misfit::KeepTheRest)
}

fn by_id_as<T: DeserializeOwned + Send + 'static>(
    client: Client,
    path: &'static str,
    query: Vec<(&'static str, String)>,
    misfit: Misfit,
) -> impl Stream<Item = Result<Read<T>>> + Send {
    let page_size = client.page_size();
    let pages = stream::try_unfold(Some(0_i64), move |after| {
        let client = client.clone();
        let query = query.clone();
        async move {
            let Some(after) = after else { return Ok(None) };
            let mut params = query;
            params.push(("pageSize", page_size.to_string()));
            params.push(("after", after.to_string()));
            let raw: Vec<RawItem> = client.get_json(path, &params).await?;
            let full = raw.len() >= page_size;
            let max_id = raw.iter().filter_map(|item| item_id(item)).max();
            // Stop on a short page, or if the watermark would not move (a server bug that
            // would otherwise loop forever).
            let next = match max_id {
                Some(max) if full && max > after => Some(max),
                _ => None,
            };
            Ok::<_, Error>(Some((decode_items::<T>(&client, path, raw, misfit), next)))
        }
    });
    flatten(pages)
}

/// Cursor paging of a query report or `/v2/backup/jobs`.
pub fn by_cursor<T: DeserializeOwned + Send + 'static>(
    client: Client,
    path: &'static str,
    query: Vec<(&'static str, String)>,
) -> impl Stream<Item = Result<T>> + Send {
    let page_size = client.page_size();
    let start = CursorState {
        size: ReportSize::new(&client),
        cursor: None,
        seen: HashSet::new(),
        yielded: 0,
        skip: 0,
        restarts: 0,
        pages: 0,
        done: false,
    };
    let pages = stream::try_unfold(start, move |mut state| {
        let client = client.clone();
        let query = query.clone();
        async move {
            loop {
                if state.done {
                    return Ok(None);
                }
                let mut params = query.clone();
                params.push(("pageSize", page_size.to_string()));
                if let Some(name) = &state.cursor {
                    params.push(("cursor", name.clone()));
                }
                let page: CursorPage<RawItem> = match client.get_json(path, &params).await {
                    Ok(page) => page,
                    Err(Error::CursorExpired { .. }) if state.restarts < CURSOR_RESTARTS => {
                        // Start the report again and skip what was already yielded; rows come
                        // in a stable order, so nothing is repeated or lost.
                        tracing::warn!(
                            endpoint = path,
                            "report cursor expired; starting the report again"
                        );
                        state.restarts += 1;
                        state.skip = state.yielded;
                        state.cursor = None;
                        state.seen.clear();
                        continue;
                    }
                    Err(err) => return Err(err),
                };
                state.pages += 1;
                state.size.add(path, &page.results)?;
                let received = page.results.len();
                let repeated = state.advance(&page, received);
                let mut rows = page.results;
                if repeated {
                    // The rows of a position already read are those rows again.
                    rows.clear();
                }
                let skipped = state.skip.min(rows.len());
                rows.drain(..skipped);
                state.skip -= skipped;
                state.yielded += rows.len();
                return Ok(Some((
                    decode_items::<T>(&client, path, rows, Misfit::Skip),
                    state,
                )));
            }
        }
    });
    flatten(pages).map_ok(|read| read.item)
}

struct CursorState {
    /// Of the whole report, restarts included: a cursor that keeps expiring is bounded too.
    size: ReportSize,
    cursor: Option<String>,
    seen: HashSet<(String, i64)>,
    yielded: usize,
    /// Rows still to drop after a restart.
    skip: usize,
    restarts: u32,
    pages: usize,
    done: bool,
}

impl CursorState {
    /// Decides whether another page follows. Any of these ends the report: no results, no
    /// cursor, `offset + received >= count`, a cursor position seen before, the page cap.
    /// Returns whether the position was seen before.
    fn advance(&mut self, page: &CursorPage<RawItem>, received: usize) -> bool {
        let cursor = page.cursor.as_ref();
        let name = cursor.and_then(|c| c.name.clone());
        let offset = cursor.and_then(|c| c.offset).unwrap_or(0);
        let count = cursor.and_then(|c| c.count);
        let exhausted = count.is_some_and(|count| offset + received as i64 >= count);
        let repeated = name
            .as_ref()
            .is_some_and(|n| !self.seen.insert((n.clone(), offset)));
        if repeated {
            tracing::warn!(
                offset,
                "NinjaOne repeated a report cursor; stopping that report"
            );
        }
        self.done =
            received == 0 || name.is_none() || exhausted || repeated || self.pages >= MAX_PAGES;
        self.cursor = name;
        repeated
    }
}

/// Activities newest first: `newerThan` bounds the walk from below (incremental polling),
/// `olderThan = min(id)` moves to the next page, an empty page ends it.
pub fn activities(
    client: Client,
    newer_than: Option<i64>,
    query: Vec<(&'static str, String)>,
    page_size: usize,
) -> impl Stream<Item = Result<Activity>> + Send {
    const PATH: &str = "/v2/activities";
    let pages = stream::try_unfold(Some(None::<i64>), move |older_than| {
        let client = client.clone();
        let query = query.clone();
        async move {
            let Some(older_than) = older_than else {
                return Ok(None);
            };
            let mut params = query;
            params.push(("pageSize", page_size.to_string()));
            if let Some(newer) = newer_than {
                params.push(("newerThan", newer.to_string()));
            }
            if let Some(older) = older_than {
                params.push(("olderThan", older.to_string()));
            }
            let page: ActivityPage<RawItem> = client.get_json(PATH, &params).await?;
            let min_id = page
                .activities
                .iter()
                .filter_map(|item| item_id(item))
                .min();
            let next = match (min_id, older_than) {
                (Some(min), Some(prev)) if min >= prev => None,
                (Some(min), _) if newer_than.is_some_and(|n| min <= n + 1) => None,
                (Some(min), _) => Some(Some(min)),
                (None, _) => None,
            };
            if page.activities.is_empty() {
                return Ok::<_, Error>(None);
            }
            Ok(Some((
                decode_items::<Activity>(&client, PATH, page.activities, Misfit::Skip),
                next,
            )))
        }
    });
    flatten(pages).map_ok(|read| read.item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Device;

    fn raw(json: serde_json::Value) -> RawItem {
        RawValue::from_string(json.to_string()).unwrap()
    }

    #[test]
    fn a_device_with_a_field_of_the_wrong_type_is_read_without_it() {
        let read = read_in_part::<Device>(&raw(serde_json::json!({
            "id": 7, "uid": "u-7", "systemName": "PC-7", "created": "yesterday",
            "system": {"manufacturer": "Dell Inc.", "serialNumber": 12345},
        })))
        .expect("the rest of the device reads");
        assert_eq!(read.unreadable, vec!["created", "system.serialNumber"]);
        let device = read.item;
        assert_eq!((device.id, device.created), (Some(7), None));
        assert_eq!(device.system_name.as_deref(), Some("PC-7"));
        let system = device.system.unwrap();
        assert_eq!(system.manufacturer.as_deref(), Some("Dell Inc."));
        assert_eq!(system.serial_number, None);
        assert!(
            !device.extra.contains_key("created"),
            "not kept as an unknown field"
        );
    }

    #[test]
    fn an_item_that_is_not_an_object_cannot_be_read_in_part() {
        assert!(read_in_part::<Device>(&raw(serde_json::json!([1, 2]))).is_none());
        assert!(read_in_part::<Device>(&raw(serde_json::json!("device"))).is_none());
    }
}
