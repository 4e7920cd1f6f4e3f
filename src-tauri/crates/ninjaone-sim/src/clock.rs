//! Wall-clock helpers. "Now" always comes from the configured clock
//! ([`SimConfig::clock`](crate::SimConfig)), so a test that sets the time controls the
//! simulator's dates and expiries. Generated data is dated relative to an *anchor*, the
//! start of the hour the simulator started in, rather than the exact start instant: two
//! simulators with the same seed started moments apart then serve byte-identical tenants,
//! while the data still looks current to a client that compares it with the real time.

use chrono::{DateTime, Utc};

pub(crate) const MINUTE: f64 = 60.0;
pub(crate) const HOUR: f64 = 3600.0;
pub(crate) const DAY: f64 = 86_400.0;

/// Epoch seconds, as NinjaOne writes timestamps (ninjaone-api.md §2.1).
pub(crate) fn epoch(at: DateTime<Utc>) -> f64 {
    at.timestamp() as f64 + f64::from(at.timestamp_subsec_nanos()) / 1e9
}

pub(crate) fn anchor_for(now: f64) -> f64 {
    (now / HOUR).floor() * HOUR
}

/// Millisecond precision, like NinjaOne's own timestamps (`1617029236.201`).
pub(crate) fn millis(epoch: f64) -> f64 {
    (epoch * 1000.0).round() / 1000.0
}

/// `YYYY-MM-DD` (UTC): the format of the software report's `installDate`.
pub(crate) fn civil_date(epoch: f64) -> String {
    // Howard Hinnant's days-to-civil algorithm; pulling in a date crate for one format is
    // not worth it.
    let days = (epoch / DAY).floor() as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_date(0.0), "1970-01-01");
        assert_eq!(civil_date(951_782_400.0), "2000-02-29");
        assert_eq!(civil_date(1_717_000_000.0), "2024-05-29");
    }

    #[test]
    fn epoch_keeps_fractions() {
        let at = DateTime::from_timestamp(1_617_029_236, 201_000_000).unwrap();
        assert_eq!(millis(epoch(at)), 1_617_029_236.201);
    }

    #[test]
    fn anchor_is_the_start_of_the_hour() {
        assert_eq!(anchor_for(7_199.9), 3_600.0);
        assert_eq!(millis(1.23456), 1.235);
    }
}
