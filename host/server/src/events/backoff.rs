//! When to retry a failed delivery: exponential backoff with "equal jitter" (half fixed, half
//! random), so a recovering endpoint is not hit by every queued retry in the same second.

use std::time::Duration;

use rand::Rng;

/// The pause before attempt `attempt + 1`, after `attempt` (≥ 1) failed attempts.
pub fn retry_delay(attempt: i64, base: Duration, max: Duration) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = base.saturating_mul(2u32.saturating_pow(doublings)).min(max);
    let half = full / 2;
    let jitter = rand::rng().random_range(0..=half.as_millis().min(u128::from(u64::MAX)) as u64);
    half + Duration::from_millis(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_then_cap_and_stay_within_jitter_bounds() {
        let base = Duration::from_secs(5);
        let max = Duration::from_secs(3600);
        for attempt in 1..40 {
            let full = (base * 2u32.pow((attempt as u32 - 1).min(20))).min(max);
            let delay = retry_delay(attempt, base, max);
            assert!(
                delay >= full / 2 && delay <= full,
                "attempt {attempt}: {delay:?} not in [{:?}, {full:?}]",
                full / 2
            );
        }
    }
}
