//! Schedules (SPEC §4): asset sync every 4 hours at :15 local time (00:15, 04:15, …) and the
//! compliance sweep every 6 hours at :30 (00:30, 06:30, …), a tick
//! missed while the app was closed run once at start-up, pause and resume, and one schedule
//! holder per data folder (a lease in the store, taken over when its holder dies). The rules
//! are pure functions of the time passed in; the engine's loop only calls them.

use std::time::Duration;

use chrono::{DateTime, Days, Duration as Span, NaiveDate, NaiveDateTime, TimeZone, Utc};

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
/// are multiples of `every_hours`, at `minute`. A tick is the first instant its local time
/// names: in a daylight-saving overlap the first of the two, in a gap (00:15 on a day that
/// jumps from midnight to 01:00) the first instant after it that exists. So a tick is never
/// later than `now`, and each tick of a day is one instant, run once.
pub fn latest_tick<Tz: TimeZone>(
    now: DateTime<Utc>,
    tz: &Tz,
    every_hours: u32,
    minute: u32,
) -> DateTime<Utc> {
    let today = now.with_timezone(tz).date_naive();
    // Local days back from today, each day's ticks newest first: ticks are in the order of
    // their local times, so the first at or before `now` is the latest. Today, yesterday and
    // the day before (where a zone skipped yesterday's date) always hold one.
    (0..3)
        .filter_map(|back| today.checked_sub_days(Days::new(back)))
        .flat_map(|day| {
            ticks_of(day, every_hours, minute)
                .rev()
                .filter_map(|local| instant_of(tz, local))
        })
        .find(|tick| *tick <= now)
        .unwrap_or(now)
}

/// The next scheduled tick after `now`.
pub fn next_tick<Tz: TimeZone>(
    now: DateTime<Utc>,
    tz: &Tz,
    every_hours: u32,
    minute: u32,
) -> DateTime<Utc> {
    let today = now.with_timezone(tz).date_naive();
    (0..3)
        .filter_map(|ahead| today.checked_add_days(Days::new(ahead)))
        .flat_map(|day| {
            ticks_of(day, every_hours, minute).filter_map(|local| instant_of(tz, local))
        })
        .find(|tick| *tick > now)
        .unwrap_or(now + Span::hours(every_hours.into()))
}

/// A day's ticks in local time, in order.
fn ticks_of(
    day: NaiveDate,
    every_hours: u32,
    minute: u32,
) -> impl DoubleEndedIterator<Item = NaiveDateTime> {
    (0..24)
        .step_by(every_hours.clamp(1, 24) as usize)
        .filter_map(move |hour| day.and_hms_opt(hour, minute, 0))
}

/// Longest daylight-saving gap looked across, in minutes: an hour in most zones, 30 minutes
/// on Lord Howe Island, a whole day where a zone once skipped a date (Samoa, 2011).
const LONGEST_GAP_MINUTES: i64 = 24 * 60;

/// The first instant whose local time is `local` (the first of two in an overlap), or, when
/// `local` falls into a gap, the first instant after it: the end of the gap. Zones change
/// their offset on whole minutes, so the first whole minute that exists is that end.
fn instant_of<Tz: TimeZone>(tz: &Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    (0..=LONGEST_GAP_MINUTES).find_map(|later| {
        tz.from_local_datetime(&(local + Span::minutes(later)))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
    })
}

/// Whether the schedule is due: its latest tick came after the last run that covered it.
pub fn is_due(latest_tick: DateTime<Utc>, last_run_started: Option<DateTime<Utc>>) -> bool {
    last_run_started.is_none_or(|last| last < latest_tick)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Clock, ManualClock};
    use chrono::FixedOffset;
    use chrono_tz::Tz;

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

    /// The schedule as the engine runs it on a manual clock: a look at the clock every
    /// [`CHECK_EVERY`] from `from` to `until`, a run whenever it is due. The tick before
    /// `from` has run. Returns when each run started.
    fn runs_minute_by_minute(
        tz: &Tz,
        (from, until): (DateTime<Utc>, DateTime<Utc>),
        (every_hours, minute): (u32, u32),
    ) -> Vec<DateTime<Utc>> {
        let clock = ManualClock::new(from);
        let mut last = Some(from);
        let mut runs = Vec::new();
        while clock.now() < until {
            let now = clock.now();
            if is_due(latest_tick(now, tz, every_hours, minute), last) {
                runs.push(now);
                last = Some(now);
            }
            clock.advance(CHECK_EVERY);
        }
        runs
    }

    /// What should run, found without the rule: every local tick time of the days covered,
    /// at the first minute of the walk whose local time reaches it (the tick itself, the end
    /// of a gap that swallowed it, the first pass of an overlap).
    fn due_runs(
        tz: &Tz,
        (from, until): (DateTime<Utc>, DateTime<Utc>),
        (every_hours, minute): (u32, u32),
    ) -> Vec<DateTime<Utc>> {
        let minutes: Vec<DateTime<Utc>> = (0..)
            .map(|n| from + Span::minutes(n))
            .take_while(|m| *m < until)
            .collect();
        let first = from.with_timezone(tz).date_naive();
        let last = until.with_timezone(tz).date_naive();
        let mut due = Vec::new();
        for day in first.iter_days().take_while(|d| *d <= last) {
            for hour in (0..24).step_by(every_hours as usize) {
                let tick = day.and_hms_opt(hour, minute, 0).unwrap();
                if let Some(m) = minutes
                    .iter()
                    .find(|m| m.with_timezone(tz).naive_local() >= tick)
                    .filter(|m| **m > from)
                {
                    due.push(*m);
                }
            }
        }
        due
    }

    fn local_times(tz: &Tz, runs: &[DateTime<Utc>]) -> Vec<String> {
        runs.iter()
            .map(|r| r.with_timezone(tz).format("%F %R %Z").to_string())
            .collect()
    }

    /// A zone's change of clock: the local day it happens on and a local time on that day
    /// that does not exist (a gap) or exists twice (an overlap).
    struct Change {
        zone: Tz,
        day: &'static str,
        gap: bool,
        local: &'static str,
    }

    const SCHEDULES: [(u32, u32); 4] = [
        (SYNC_EVERY_HOURS, SYNC_AT_MINUTE),
        (SWEEP_EVERY_HOURS, SWEEP_AT_MINUTE),
        // Hourly ticks land inside every gap and overlap below, Lord Howe's half hours too.
        (1, 15),
        (1, 45),
    ];

    #[test]
    fn across_dst_gaps_and_overlaps_each_tick_runs_exactly_once() {
        use chrono_tz::{Africa, America, Australia, Europe};
        let changes = [
            // Clocks jump at midnight: 00:00 → 01:00, or back from 24:00 to 23:00.
            (America::Santiago, "2025-09-07", true, "2025-09-07 00:15"),
            (America::Santiago, "2025-04-06", false, "2025-04-05 23:15"),
            (America::Havana, "2025-03-09", true, "2025-03-09 00:15"),
            (America::Havana, "2025-11-02", false, "2025-11-02 00:15"),
            (Africa::Cairo, "2025-04-25", true, "2025-04-25 00:30"),
            (Africa::Cairo, "2025-10-31", false, "2025-10-30 23:15"),
            // Clocks change in the night.
            (Europe::London, "2025-03-30", true, "2025-03-30 01:15"),
            (Europe::London, "2025-10-26", false, "2025-10-26 01:15"),
            (America::New_York, "2025-03-09", true, "2025-03-09 02:15"),
            (America::New_York, "2025-11-02", false, "2025-11-02 01:15"),
            // By half an hour.
            (Australia::Lord_Howe, "2025-10-05", true, "2025-10-05 02:15"),
            (
                Australia::Lord_Howe,
                "2025-04-06",
                false,
                "2025-04-06 01:45",
            ),
        ]
        .map(|(zone, day, gap, local)| Change {
            zone,
            day,
            gap,
            local,
        });
        for change in &changes {
            let tz = &change.zone;
            let local = NaiveDateTime::parse_from_str(change.local, "%F %R").unwrap();
            let found = tz.from_local_datetime(&local);
            let is_gap = matches!(found, chrono::LocalResult::None);
            let is_overlap = matches!(found, chrono::LocalResult::Ambiguous(..));
            assert!(
                if change.gap { is_gap } else { is_overlap },
                "{tz} {}: the time zone data has no change at {}",
                change.day,
                change.local
            );
            // Two whole days around the change, whatever the zone's offset.
            let day: NaiveDate = change.day.parse().unwrap();
            let noon = |d: NaiveDate| d.and_hms_opt(12, 0, 0).unwrap().and_utc();
            let window = (noon(day - Days::new(1)), noon(day + Days::new(1)));
            for schedule in SCHEDULES {
                let runs = runs_minute_by_minute(tz, window, schedule);
                let due = due_runs(tz, window, schedule);
                assert_eq!(
                    local_times(tz, &runs),
                    local_times(tz, &due),
                    "{tz} {}, every {} h at :{:02}",
                    change.day,
                    schedule.0,
                    schedule.1
                );
                let ticks_per_day = 24 / schedule.0 as usize;
                assert!(
                    due.len() >= ticks_per_day,
                    "{tz} {}: {} runs",
                    change.day,
                    due.len()
                );
            }
        }
    }

    #[test]
    fn a_dst_jump_at_midnight_runs_the_swallowed_tick_once_at_one_oclock() {
        // Santiago, 2025-09-07: 00:00 becomes 01:00, so neither 00:15 nor 00:30 exists.
        let tz = &chrono_tz::America::Santiago;
        let window = (utc("2025-09-07T00:00:00Z"), utc("2025-09-07T12:00:00Z"));
        let sync = runs_minute_by_minute(tz, window, (SYNC_EVERY_HOURS, SYNC_AT_MINUTE));
        assert_eq!(
            local_times(tz, &sync),
            [
                "2025-09-06 20:15 -04",
                "2025-09-07 01:00 -03",
                "2025-09-07 04:15 -03",
                "2025-09-07 08:15 -03"
            ]
        );
        let sweep = runs_minute_by_minute(tz, window, (SWEEP_EVERY_HOURS, SWEEP_AT_MINUTE));
        assert_eq!(
            local_times(tz, &sweep),
            ["2025-09-07 01:00 -03", "2025-09-07 06:30 -03"]
        );
        // From 01:00 the latest tick is the swallowed one, never one still to come.
        let now = utc("2025-09-07T04:05:00Z");
        assert_eq!(latest_tick(now, tz, 4, 15), utc("2025-09-07T04:00:00Z"));
        assert_eq!(next_tick(now, tz, 4, 15), utc("2025-09-07T07:15:00Z"));
    }

    #[test]
    fn a_dst_overlap_runs_its_repeated_tick_once() {
        // Havana, 2025-11-02: 01:00 goes back to 00:00, so 00:15 comes twice.
        let tz = &chrono_tz::America::Havana;
        let window = (utc("2025-11-02T04:00:00Z"), utc("2025-11-02T10:00:00Z"));
        let sync = runs_minute_by_minute(tz, window, (SYNC_EVERY_HOURS, SYNC_AT_MINUTE));
        assert_eq!(
            local_times(tz, &sync),
            ["2025-11-02 00:15 CDT", "2025-11-02 04:15 CST"]
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
