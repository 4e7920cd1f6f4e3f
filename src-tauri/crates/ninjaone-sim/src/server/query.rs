//! Reading query parameters into typed values, answering a bad value with NinjaOne's error
//! envelope instead of axum's plain-text rejection.

use std::collections::HashMap;

use super::respond::Failure;
use crate::filter::DeviceFilter;

pub(crate) type Params = HashMap<String, String>;

pub(crate) fn page_size(params: &Params, default: usize) -> Result<usize, Failure> {
    match params.get("pageSize").map(|text| text.trim()) {
        None | Some("") => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|size| *size > 0)
            .ok_or_else(|| {
                Failure::InvalidParameter(format!(
                    "pageSize must be a positive integer, not {text:?}"
                ))
            }),
    }
}

pub(crate) fn integer(params: &Params, name: &str) -> Result<Option<i64>, Failure> {
    match params.get(name).map(|text| text.trim()) {
        None | Some("") => Ok(None),
        Some(text) => text.parse::<i64>().map(Some).map_err(|_| {
            Failure::InvalidParameter(format!("{name} must be an integer, not {text:?}"))
        }),
    }
}

pub(crate) fn epoch(params: &Params, name: &str) -> Result<Option<f64>, Failure> {
    crate::reports::epoch(params, name).map_err(Failure::InvalidParameter)
}

pub(crate) fn df(params: &Params) -> Result<Option<DeviceFilter>, Failure> {
    match params.get("df") {
        None => Ok(None),
        Some(text) => DeviceFilter::parse(text).map_err(Failure::InvalidFilter),
    }
}

/// A comma-separated list parameter.
pub(crate) fn list(params: &Params, name: &str) -> Option<Vec<String>> {
    params.get(name).map(|text| {
        text.split(',')
            .map(|item| item.trim().to_string())
            .filter(|item| !item.is_empty())
            .collect()
    })
}
