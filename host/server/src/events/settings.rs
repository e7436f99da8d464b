//! `weft serve` options for outbound delivery. The defaults follow what receivers expect from
//! Stripe or Svix: retries with growing pauses for about a day, then the dead-letter list.

use std::time::Duration;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct OutboundArgs {
    /// Pause before the first retry of a failed delivery; each later retry doubles it (with jitter).
    #[arg(long, default_value = "5s", value_parser = parse_duration, env = "WEFT_OUTBOUND_RETRY_BASE")]
    pub outbound_retry_base: Duration,
    /// Longest pause between two retries.
    #[arg(long, default_value = "2h", value_parser = parse_duration, env = "WEFT_OUTBOUND_RETRY_MAX")]
    pub outbound_retry_max: Duration,
    /// How long after an event a delivery keeps being retried before it goes to the dead-letter list.
    #[arg(long, default_value = "24h", value_parser = parse_duration, env = "WEFT_OUTBOUND_GIVE_UP_AFTER")]
    pub outbound_give_up_after: Duration,
    /// Time allowed for an endpoint to answer one delivery.
    #[arg(long, default_value = "10s", value_parser = parse_duration, env = "WEFT_OUTBOUND_TIMEOUT")]
    pub outbound_timeout: Duration,
    /// Consecutive failures after which deliveries to an endpoint pause (its circuit opens).
    #[arg(long, default_value_t = 5, env = "WEFT_OUTBOUND_BREAKER_THRESHOLD")]
    pub outbound_breaker_threshold: i64,
    /// How long an open circuit pauses an endpoint; doubles on each failure while half-open.
    #[arg(long, default_value = "30s", value_parser = parse_duration, env = "WEFT_OUTBOUND_BREAKER_COOLDOWN")]
    pub outbound_breaker_cooldown: Duration,
}

/// `250ms`, `5s`, `30m`, `2h`, `1d`: one number and one unit.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 =
        number.parse().map_err(|_| format!("{text:?} is not a duration; write e.g. 500ms, 5s, 30m, 2h, 1d"))?;
    let millis = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("{text:?} has no known unit; use ms, s, m, h or d (e.g. 5s)")),
    };
    Ok(Duration::from_millis(value.saturating_mul(millis)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("fast").is_err());
    }
}
