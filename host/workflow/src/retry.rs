//! Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
//! the wait before attempt n+1 is uniform in [0, min(max, base * 2^(n-1))], which spreads a burst
//! of failing runs out instead of retrying them in lockstep.

use std::time::Duration;

use crate::definition::Retry;

/// The wait after `failures` failed attempts (1 = after the first). `unit` is in [0, 1).
pub fn backoff(retry: &Retry, failures: u32, unit: f64) -> Duration {
    let base = retry.backoff.unwrap_or_default();
    let max = retry.max_backoff.unwrap_or(Duration::from_secs(30));
    let exp = base.saturating_mul(1u32.checked_shl(failures.saturating_sub(1).min(20)).unwrap_or(u32::MAX));
    exp.min(max).mul_f64(unit.clamp(0.0, 1.0))
}

/// A cheap, well-mixed number in [0, 1) from a seed (jitter needs spread, not secrecy).
pub fn unit_from(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Retry {
        Retry {
            max_attempts: 5,
            backoff: Some(Duration::from_millis(100)),
            max_backoff: Some(Duration::from_millis(350)),
        }
    }

    // The ceiling doubles per failure and stops at max_backoff; jitter scales inside it.
    #[test]
    fn the_ceiling_doubles_up_to_the_maximum() {
        assert_eq!(backoff(&policy(), 1, 0.999_999), Duration::from_millis(100).mul_f64(0.999_999));
        assert_eq!(backoff(&policy(), 2, 0.5), Duration::from_millis(100));
        assert_eq!(backoff(&policy(), 3, 0.5), Duration::from_millis(175));
        assert_eq!(backoff(&policy(), 30, 0.5), Duration::from_millis(175));
        assert_eq!(backoff(&policy(), 2, 0.0), Duration::ZERO);
    }

    #[test]
    fn jitter_is_spread_over_the_unit_interval() {
        let units: Vec<f64> = (0..1000).map(unit_from).collect();
        assert!(units.iter().all(|u| (0.0..1.0).contains(u)));
        let low = units.iter().filter(|u| **u < 0.5).count();
        assert!((400..600).contains(&low), "{low}");
    }
}
