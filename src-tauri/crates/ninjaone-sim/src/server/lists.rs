//! Organizations, locations, devices (id-watermark paging: `after` + `pageSize`, bare
//! arrays ascending by id), single devices, activities and alerts.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ninjaone::models::{DashboardUrl, Device};
use serde_json::Value;

use super::auth::Authorized;
use super::query::{self, Params};
use super::respond::Failure;
use crate::activities::{self, ActivityQuery};
use crate::control::Control;
use crate::tenant::{DeviceRecord, View};
use crate::{devices, organizations};

type Answer = Result<Response, Failure>;

/// NinjaOne's default and the clients' usual page size (ninjaone-api.md §2.2).
const DEFAULT_PAGE_SIZE: usize = 1000;
const DEFAULT_ACTIVITY_PAGE_SIZE: usize = 200;

/// `pageSize` and `after` of an id-watermark list.
fn window(params: &Params) -> Result<(usize, i64), Failure> {
    let size = query::page_size(params, DEFAULT_PAGE_SIZE)?;
    let after = query::integer(params, "after")?.unwrap_or(0);
    Ok((size, after))
}

fn id_page<T, U: serde::Serialize>(
    items: &[T],
    id: impl Fn(&T) -> i64,
    params: &Params,
    keep: impl Fn(&T) -> bool,
    render: impl Fn(&T) -> U,
) -> Answer {
    let (size, after) = window(params)?;
    let start = items.partition_point(|item| id(item) <= after);
    let page: Vec<U> = items[start..]
        .iter()
        .filter(|item| keep(item))
        .take(size)
        .map(render)
        .collect();
    Ok(Json(page).into_response())
}

pub(crate) async fn organizations(
    State(control): State<Control>,
    _: Authorized,
    Query(params): Query<Params>,
) -> Answer {
    let view = control.view();
    id_page(
        &view.orgs,
        |o| o.id,
        &params,
        |_| true,
        organizations::plain,
    )
}

pub(crate) async fn organizations_detailed(
    State(control): State<Control>,
    _: Authorized,
    Query(params): Query<Params>,
) -> Answer {
    let view = control.view();
    id_page(
        &view.orgs,
        |o| o.id,
        &params,
        |_| true,
        |org| organizations::detailed(&view, org),
    )
}

pub(crate) async fn locations(
    State(control): State<Control>,
    _: Authorized,
    Query(params): Query<Params>,
) -> Answer {
    let view = control.view();
    id_page(
        &view.locations,
        |l| l.id,
        &params,
        |_| true,
        |l| organizations::location(l, true),
    )
}

pub(crate) async fn organization_locations(
    State(control): State<Control>,
    _: Authorized,
    Path(id): Path<String>,
) -> Answer {
    let view = control.view();
    let org = id
        .parse::<i64>()
        .ok()
        .and_then(|id| view.org(id))
        .ok_or(Failure::NotFound)?;
    let list: Vec<_> = view
        .locations_of(org.id)
        .map(|location| organizations::location(location, false))
        .collect();
    Ok(Json(list).into_response())
}

fn device_list(
    control: &Control,
    params: &Params,
    render: fn(&View, &DeviceRecord) -> Device,
) -> Answer {
    let df = query::df(params)?;
    let view = control.view();
    id_page(
        &view.devices,
        |d| d.id,
        params,
        |d| df.as_ref().is_none_or(|df| df.matches(d)),
        |d| render(&view, d),
    )
}

pub(crate) async fn devices(
    State(control): State<Control>,
    _: Authorized,
    Query(params): Query<Params>,
) -> Answer {
    device_list(&control, &params, devices::base)
}

pub(crate) async fn devices_detailed(
    State(control): State<Control>,
    _: Authorized,
    Query(params): Query<Params>,
) -> Answer {
    device_list(&control, &params, devices::detailed)
}

fn find_device(view: &View, id: &str) -> Result<DeviceRecord, Failure> {
    id.parse::<i64>()
        .ok()
        .and_then(|id| view.device(id))
        .cloned()
        .ok_or(Failure::NotFound)
}

pub(crate) async fn device(
    State(control): State<Control>,
    _: Authorized,
    Path(id): Path<String>,
) -> Answer {
    let view = control.view();
    let device = find_device(&view, &id)?;
    Ok(Json(devices::detailed(&view, &device)).into_response())
}

/// Dashboard links are short-lived: five minutes.
pub(crate) async fn dashboard_url(
    State(control): State<Control>,
    _: Authorized,
    Path(id): Path<String>,
) -> Answer {
    let view = control.view();
    let device = find_device(&view, &id)?;
    Ok(Json(DashboardUrl {
        url: Some(format!(
            "{}/#/deviceDashboard/{}/overview",
            control.shared.base_url, device.id
        )),
        expires: Some(control.now_epoch() + 300.0),
        ..DashboardUrl::default()
    })
    .into_response())
}

pub(crate) async fn activities(
    State(control): State<Control>,
    _: Authorized,
    Query(params): Query<Params>,
) -> Answer {
    let query = ActivityQuery {
        page_size: query::page_size(&params, DEFAULT_ACTIVITY_PAGE_SIZE)?,
        older_than: query::integer(&params, "olderThan")?,
        newer_than: query::integer(&params, "newerThan")?,
        types: query::list(&params, "type"),
        statuses: query::list(&params, "status"),
        series_uid: params.get("seriesUid").cloned().filter(|s| !s.is_empty()),
        source_config_uid: params
            .get("sourceConfigUid")
            .cloned()
            .filter(|s| !s.is_empty()),
        after: query::epoch(&params, "after")?,
        before: query::epoch(&params, "before")?,
        df: query::df(&params)?,
    };
    let view = control.view();
    Ok(Json(activities::page(&view, &query)).into_response())
}

pub(crate) async fn alerts(
    State(control): State<Control>,
    _: Authorized,
    Query(params): Query<Params>,
) -> Answer {
    let df = query::df(&params)?;
    let source_types = query::list(&params, "sourceType");
    let view = control.view();
    let list: Vec<Value> = activities::active_alerts(&view, df.as_ref())
        .into_iter()
        .filter(|alert| crate::reports::allowed(&source_types, alert.source_type.as_deref()))
        .filter_map(|alert| serde_json::to_value(alert).ok())
        .collect();
    Ok(Json(list).into_response())
}
