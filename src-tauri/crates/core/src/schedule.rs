//! Schedules (SPEC §4): asset sync every 4 hours at :15 local time (00:15, 04:15, …) and the
//! compliance sweep every 6 hours at :30 (00:30, 06:30, …), a tick
//! missed while the app was closed run once at start-up, pause and resume, and one schedule
//! holder per data folder (a lease in the store, taken over when its holder dies). The rules
//! are pure functions of the time passed in; the engine's loop only calls them.

use std::time::Duration;

use chrono::{DateTime, Duration as Span, NaiveTime, TimeZone, Timelike, Utc};

/// Asset sync runs every this many hours, at this minute past the hour (SPEC §4).
pub const SYNC_EVERY_HOURS: u32 = 4;
pub const SYNC_AT_MINUTE: u32 = 15;
/// The compliance sweep runs every this many hours, at this minute past the hour (SPEC §4).
pub const SWEEP_EVERY_HOURS: u32 = 6;
pub const SWEEP_AT_MINUTE: u32 = 30;

/// The schedule lease's name, its lifetime, and how often the holder looks at the clock.
pub const LEASE: &str = "schedules";
pub const LEASE_FOR: Duration = Duration::from_secs(3 * 60);
pub const CHECK_EVERY: Duration = Duration::from_secs(60);

/// The latest scheduled tick at or before `now`, in the local time zone `tz`: the hours that
/// are multiples of `every_hours`, at `minute`. A tick that falls into a daylight-saving gap
/// runs at the first valid moment after it.
pub fn latest_tick<Tz: TimeZone>(
    now: DateTime<Utc>,
    tz: &Tz,
    every_hours: u32,
    minute: u32,
) -> DateTime<Utc> {
    let local = now.with_timezone(tz).naive_local();
    let mut candidate = local.date().and_time(
        NaiveTime::from_hms_opt(local.hour() - local.hour() % every_hours, minute, 0)
            .unwrap_or_default(),
    );
    if candidate > local {
        candidate -= Span::hours(every_hours.into());
    }
    resolve(tz, candidate, now)
}

/// The next scheduled tick after `now`.
pub fn next_tick<Tz: TimeZone>(
    now: DateTime<Utc>,
    tz: &Tz,
    every_hours: u32,
    minute: u32,
) -> DateTime<Utc> {
    let latest = latest_tick(now, tz, every_hours, minute);
    let local = latest.with_timezone(tz).naive_local() + Span::hours(every_hours.into());
    resolve(tz, local, now).max(now + Span::seconds(1))
}

fn resolve<Tz: TimeZone>(
    tz: &Tz,
    local: chrono::NaiveDateTime,
    fallback: DateTime<Utc>,
) -> DateTime<Utc> {
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(local + Span::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(fallback)
}

/// Whether the schedule is due: its latest tick came after the last run that covered it.
pub fn is_due(latest_tick: DateTime<Utc>, last_run_started: Option<DateTime<Utc>>) -> bool {
    last_run_started.is_none_or(|last| last < latest_tick)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn ticks_fall_every_four_hours_at_a_quarter_past_local_time() {
        let berlin = FixedOffset::east_opt(3600).unwrap();
        // 05:00 local (04:00Z): the latest tick is 04:15 local = 03:15Z.
        assert_eq!(
            latest_tick(utc("2026-11-27T04:00:00Z"), &berlin, 4, 15),
            utc("2026-11-27T03:15:00Z")
        );
        assert_eq!(
            next_tick(utc("2026-11-27T04:00:00Z"), &berlin, 4, 15),
            utc("2026-11-27T07:15:00Z")
        );
        // 00:10 local: the latest tick was yesterday's 20:15 local.
        assert_eq!(
            latest_tick(utc("2026-11-26T23:10:00Z"), &berlin, 4, 15),
            utc("2026-11-26T19:15:00Z")
        );
        // Exactly at a tick, that tick is the latest.
        assert_eq!(
            latest_tick(utc("2026-11-27T03:15:00Z"), &berlin, 4, 15),
            utc("2026-11-27T03:15:00Z")
        );
    }

    #[test]
    fn sweep_ticks_fall_every_six_hours_at_half_past_local_time() {
        let berlin = FixedOffset::east_opt(3600).unwrap();
        // 13:00 local (12:00Z): the latest sweep tick is 12:30 local = 11:30Z.
        assert_eq!(
            latest_tick(
                utc("2026-11-27T12:00:00Z"),
                &berlin,
                SWEEP_EVERY_HOURS,
                SWEEP_AT_MINUTE
            ),
            utc("2026-11-27T11:30:00Z")
        );
        // 12:20 local (11:20Z): 12:30 has not come yet, so 06:30 local.
        assert_eq!(
            latest_tick(
                utc("2026-11-27T11:20:00Z"),
                &berlin,
                SWEEP_EVERY_HOURS,
                SWEEP_AT_MINUTE
            ),
            utc("2026-11-27T05:30:00Z")
        );
        assert_eq!(
            next_tick(
                utc("2026-11-27T11:20:00Z"),
                &berlin,
                SWEEP_EVERY_HOURS,
                SWEEP_AT_MINUTE
            ),
            utc("2026-11-27T11:30:00Z")
        );
    }

    #[test]
    fn a_tick_missed_while_closed_is_due_once() {
        let tick = utc("2026-11-27T04:15:00Z");
        assert!(is_due(tick, None), "never run: due");
        assert!(
            is_due(tick, Some(utc("2026-11-27T00:15:00Z"))),
            "the 04:15 tick was missed"
        );
        assert!(
            !is_due(tick, Some(utc("2026-11-27T04:15:30Z"))),
            "caught up: not again"
        );
    }
}
