//! The cursor-paged reports. Opening a report and rendering a page both generate rows,
//! which for a large tenant is real work, so it runs on a blocking thread and never stalls
//! other requests.

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::auth::Authorized;
use super::query::{self, Params};
use super::respond::Failure;
use crate::control::{lock, Control};
use crate::cursors::{Next, Plan, Row};
use crate::reports::{ReportKind, RowQuery};

pub(crate) async fn report(
    control: Control,
    _: Authorized,
    params: Params,
    kind: ReportKind,
) -> Result<Response, Failure> {
    let page_size = query::page_size(&params, kind.default_page_size())?;
    if let Some(name) = params.get("cursor").filter(|name| !name.trim().is_empty()) {
        let now = control.now_epoch();
        let next = lock(&control.shared.cursors).next(name.trim(), page_size, now);
        return match next {
            Next::Expired => Err(Failure::CursorExpired),
            Next::Empty {
                cursor: Some(cursor),
            } => Ok(Json(json!({ "cursor": cursor, "results": [] })).into_response()),
            Next::Empty { cursor: None } => Ok(Json(json!({ "results": [] })).into_response()),
            Next::Page {
                plan,
                from,
                to,
                cursor,
            } => {
                let rows = tokio::task::spawn_blocking(move || plan.rows(from, to))
                    .await
                    .map_err(|e| Failure::Internal(e.to_string()))?;
                Ok(Json(Page {
                    cursor,
                    results: rows,
                })
                .into_response())
            }
        };
    }
    let df = query::df(&params)?;
    let row_query = RowQuery::from_params(&params).map_err(Failure::InvalidParameter)?;
    let view = control.view();
    let (plan, rows) = tokio::task::spawn_blocking(move || {
        let plan = Plan::build(kind, view, df.as_ref(), row_query);
        let rows = plan.rows(0, page_size);
        (plan, rows)
    })
    .await
    .map_err(|e| Failure::Internal(e.to_string()))?;
    let now = control.now_epoch();
    let cursor = lock(&control.shared.cursors).open(&plan, page_size, now);
    Ok(Json(Page {
        cursor,
        results: rows,
    })
    .into_response())
}

/// A page of a report: its rows go out as rendered, never parsed again.
#[derive(Serialize)]
struct Page {
    cursor: Value,
    results: Vec<Row>,
}
