//! Seeded randomness, timestamps and identifiers for the generator.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// ChaCha8 is value-stable across `rand_chacha` releases (unlike `StdRng`), which the
/// "same seed, same bytes" promise needs.
pub(super) type FleetRng = ChaCha8Rng;

/// A stream of its own per section, so that changing how many profiles are generated does not
/// reshuffle the clusters.
pub(super) fn section_rng(seed: u64, section: &str) -> FleetRng {
    // FNV-1a: stable and dependency-free.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in section.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    ChaCha8Rng::seed_from_u64(seed ^ hash)
}

/// 2026-01-01T00:00:00Z: every generated time is after it.
const EPOCH: i64 = 1_767_225_600;

/// RFC 3339, second precision, UTC — what Go's `metav1.Time` writes. Hand-rolled (Hinnant's
/// civil-from-days) because chrono's formatter dominated generation time in debug builds.
pub(super) fn timestamp(offset_seconds: i64) -> String {
    let total = EPOCH + offset_seconds;
    let (days, secs) = (total.div_euclid(86_400), total.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// A time within the first 30 days after the epoch.
pub(super) fn random_time(rng: &mut FleetRng) -> String {
    timestamp(rng.random_range(0..30 * 24 * 3600))
}

/// A UUID-shaped uid (version 4 layout).
pub(super) fn uid(rng: &mut FleetRng) -> String {
    let v: u128 = rng.random();
    let hex = format!("{v:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// 32 hex digits: valid base64 too, so it suits `format: byte` fields.
pub(super) fn hash(rng: &mut FleetRng) -> String {
    let v: u128 = rng.random();
    format!("{v:032x}")
}

/// Whether a roll in `0..1000` falls under `per_mille`.
pub(super) fn chance(rng: &mut FleetRng, per_mille: u32) -> bool {
    rng.random_range(0..1000) < per_mille
}

/// One element, uniformly.
pub(super) fn pick<'a, T>(rng: &mut FleetRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

#[cfg(test)]
mod tests {
    use super::timestamp;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(timestamp(0), "2026-01-01T00:00:00Z");
        assert_eq!(timestamp(59 * 86_400 + 3_661), "2026-03-01T01:01:01Z");
        assert_eq!(timestamp(-1), "2025-12-31T23:59:59Z");
        assert_eq!(timestamp(789 * 86_400), "2028-02-29T00:00:00Z");
    }
}
