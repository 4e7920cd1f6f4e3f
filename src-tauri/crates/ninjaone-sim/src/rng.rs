//! Deterministic randomness. The tenant's shape is drawn from one ChaCha8 stream seeded
//! with the configured seed; everything derived per device (hardware, volumes, patches, …)
//! comes from its own stream keyed by (seed, device id, purpose). Keying by purpose keeps
//! each report stable on its own, and a device's rows never depend on which other devices
//! exist, so rows can be generated lazily, page by page, and still be the same every time.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What a per-device stream is for. The discriminants are part of the key: changing them
/// changes every generated tenant.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Purpose {
    Profile = 1,
    Volumes,
    Antivirus,
    OsPatches,
    OsPatchInstalls,
    SoftwarePatches,
    SoftwarePatchInstalls,
    Health,
    CustomFields,
    Software,
    Backup,
    BackupPlan,
    Activities,
    Series,
    Product,
    Condition,
    Job,
    Contact,
    Faults,
    Live,
}

pub(crate) fn tenant_rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub(crate) fn stream(seed: u64, id: i64, purpose: Purpose) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&id.to_le_bytes());
    key[16..24].copy_from_slice(&(purpose as u64).to_le_bytes());
    ChaCha8Rng::from_seed(key)
}

/// A random version-4 UUID.
pub(crate) fn uuid(rng: &mut impl Rng) -> String {
    let mut bytes: [u8; 16] = rng.random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    format_uuid(&bytes)
}

/// A UUID that depends only on (seed, number, purpose). Cheaper than a ChaCha stream, for
/// identifiers that are recomputed often (activity series, products, jobs).
pub(crate) fn hashed_uuid(seed: u64, number: u64, purpose: Purpose) -> String {
    let a = splitmix64(seed ^ splitmix64(number ^ ((purpose as u64) << 56)));
    let b = splitmix64(a ^ 0x9e37_79b9_7f4a_7c15);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_be_bytes());
    bytes[8..].copy_from_slice(&b.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    format_uuid(&bytes)
}

fn format_uuid(bytes: &[u8; 16]) -> String {
    let mut text = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// One item of a non-empty list.
pub(crate) fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// One item of a non-empty list, with relative weights.
pub(crate) fn weighted<'a, T>(rng: &mut impl Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    &items[items.len() - 1].0
}

/// `len` characters from `alphabet`.
pub(crate) fn chars(rng: &mut impl Rng, alphabet: &[u8], len: usize) -> String {
    (0..len).map(|_| char::from(*pick(rng, alphabet))).collect()
}

pub(crate) const UPPER_ALNUM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
pub(crate) const HEX_UPPER: &[u8] = b"0123456789ABCDEF";

/// `count` distinct indexes below `len`, in ascending order.
pub(crate) fn distinct(rng: &mut impl Rng, len: usize, count: usize) -> Vec<usize> {
    let mut picked = rand::seq::index::sample(rng, len, count.min(len)).into_vec();
    picked.sort_unstable();
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_stable_and_independent() {
        let a: u64 = stream(1, 7, Purpose::Volumes).random();
        let b: u64 = stream(1, 7, Purpose::Volumes).random();
        let c: u64 = stream(1, 7, Purpose::Antivirus).random();
        let d: u64 = stream(2, 7, Purpose::Volumes).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn uuids_have_the_v4_shape() {
        let text = hashed_uuid(1, 2, Purpose::Series);
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "4");
        assert_eq!(text, hashed_uuid(1, 2, Purpose::Series));
        assert_ne!(text, hashed_uuid(1, 3, Purpose::Series));
        let random = uuid(&mut tenant_rng(3));
        assert_eq!(random.matches('-').count(), 4);
    }
}
