//! NinjaOne's three paging styles as async streams (ninjaone-api.md §2.2):
//! - id watermark (`after` + `pageSize`, bare arrays ascending by id);
//! - query-report cursors (`cursor` + `pageSize`, `{cursor, results}`), whose termination is
//!   undocumented, so every plausible end signal stops it, and a repeated cursor cannot loop;
//! - activities (`olderThan`/`newerThan`, newest first).
//!
//! Items whose JSON does not fit the model are skipped, counted in
//! [`ClientStats::malformed_items`](crate::ClientStats) and logged, so one odd device never
//! stops a sync.

use std::collections::HashSet;

use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
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

/// Decodes items one by one, skipping (and counting) those that do not fit `T`.
fn decode_items<T: DeserializeOwned>(client: &Client, endpoint: &str, raw: Vec<RawItem>) -> Vec<T> {
    raw.iter()
        .filter_map(|item| match serde_json::from_str::<T>(item.get()) {
            Ok(item) => Some(item),
            Err(err) => {
                client.count_malformed();
                tracing::warn!(endpoint, error = %err, "skipped an item that does not fit NinjaOne's documented shape");
                None
            }
        })
        .collect()
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
            Ok::<_, Error>(Some((decode_items::<T>(&client, path, raw), next)))
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
                let received = page.results.len();
                state.advance(&page, received);
                let mut rows = page.results;
                let skipped = state.skip.min(rows.len());
                rows.drain(..skipped);
                state.skip -= skipped;
                state.yielded += rows.len();
                return Ok(Some((decode_items::<T>(&client, path, rows), state)));
            }
        }
    });
    flatten(pages)
}

struct CursorState {
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
    fn advance(&mut self, page: &CursorPage<RawItem>, received: usize) {
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
                decode_items::<Activity>(&client, PATH, page.activities),
                next,
            )))
        }
    });
    flatten(pages)
}
