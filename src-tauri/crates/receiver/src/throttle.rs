//! Failed secrets, counted per sender address: after [`MAX_SECRET_FAILURES`] wrong or
//! missing secrets within [`FAILURE_WINDOW`], that address is answered `429` until the window
//! ends, so guessing the secret over the network takes years instead of hours. Time comes
//! from the receiver's clock, so a test sets it instead of sleeping.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Wrong or missing secrets an address may send within [`FAILURE_WINDOW`]. A relay with a
/// stale secret fails a few times a minute at most; ten leaves room for that and for a
/// person trying a setup by hand.
pub const MAX_SECRET_FAILURES: u32 = 10;
/// The window failures are counted in, and how long an address is refused after too many.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at once: a few hundred KB at most, whatever a scan of the internet
/// sends. When full, expired entries go first, then the oldest.
pub const MAX_TRACKED_ADDRESSES: usize = 4_096;

#[derive(Debug, Clone, Copy)]
struct Failures {
    since: DateTime<Utc>,
    count: u32,
}

#[derive(Debug, Default)]
pub(crate) struct SecretFailures {
    by_address: HashMap<IpAddr, Failures>,
}

/// The key an address is counted under: an IPv6 sender usually holds a whole /64, so its
/// addresses count as one.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

fn window() -> chrono::Duration {
    chrono::Duration::from_std(FAILURE_WINDOW).unwrap_or(chrono::Duration::MAX)
}

impl SecretFailures {
    /// How long `ip` is still refused at `now`, if it is.
    pub(crate) fn refused_for(&self, ip: IpAddr, now: DateTime<Utc>) -> Option<Duration> {
        let f = self.by_address.get(&key(ip))?;
        let until = f.since + window();
        (f.count >= MAX_SECRET_FAILURES && now < until)
            .then(|| (until - now).to_std().unwrap_or_default())
    }

    /// Counts one wrong or missing secret from `ip` at `now`.
    pub(crate) fn record(&mut self, ip: IpAddr, now: DateTime<Utc>) {
        let ip = key(ip);
        if !self.by_address.contains_key(&ip) && self.by_address.len() >= MAX_TRACKED_ADDRESSES {
            self.by_address.retain(|_, f| now < f.since + window());
            if self.by_address.len() >= MAX_TRACKED_ADDRESSES {
                if let Some(oldest) = self
                    .by_address
                    .iter()
                    .min_by_key(|(_, f)| f.since)
                    .map(|(ip, _)| *ip)
                {
                    self.by_address.remove(&oldest);
                }
            }
        }
        let entry = self.by_address.entry(ip).or_insert(Failures {
            since: now,
            count: 0,
        });
        if now >= entry.since + window() {
            *entry = Failures {
                since: now,
                count: 0,
            };
        }
        entry.count = entry.count.saturating_add(1);
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.by_address.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn an_address_is_refused_after_ten_failures_within_a_minute_until_the_minute_ends() {
        let mut f = SecretFailures::default();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for s in 0..9 {
            f.record(ip, at(s));
        }
        assert_eq!(f.refused_for(ip, at(9)), None, "nine failures are allowed");
        f.record(ip, at(9));
        assert_eq!(f.refused_for(ip, at(10)), Some(Duration::from_secs(50)));
        let other: IpAddr = "203.0.113.8".parse().unwrap();
        assert_eq!(f.refused_for(other, at(10)), None, "only that address");
        assert_eq!(f.refused_for(ip, at(60)), None, "the window ended");
        f.record(ip, at(61));
        assert_eq!(
            f.refused_for(ip, at(61)),
            None,
            "a new window starts at one"
        );
    }

    #[test]
    fn failures_spread_over_more_than_a_minute_are_never_refused() {
        let mut f = SecretFailures::default();
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        for s in 0..100 {
            f.record(ip, at(s * 7));
            assert_eq!(f.refused_for(ip, at(s * 7)), None, "at {s}");
        }
    }

    #[test]
    fn an_ipv6_sender_counts_as_its_slash_64() {
        let mut f = SecretFailures::default();
        for n in 0..10u16 {
            let ip = IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, n, n, n, n));
            f.record(ip, at(0));
        }
        let same_64: IpAddr = "2001:db8:1:2::ffff".parse().unwrap();
        assert!(f.refused_for(same_64, at(1)).is_some());
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(f.refused_for(other_64, at(1)).is_none());
    }

    #[test]
    fn the_addresses_remembered_are_bounded() {
        let mut f = SecretFailures::default();
        for n in 0..(MAX_TRACKED_ADDRESSES as u32 + 500) {
            f.record(IpAddr::V4(n.into()), at(0));
        }
        assert_eq!(f.tracked(), MAX_TRACKED_ADDRESSES);
    }
}
