//! `weft serve` options for outbound delivery. The defaults follow what receivers expect from
//! Stripe or Svix: retries with growing pauses for about a day, then the dead-letter list.

use std::time::Duration;

use clap::Args;
use weft_workflow::duration;

#[derive(Debug, Clone, Args)]
pub struct OutboundArgs {
    /// Pause before the first retry of a failed delivery; each later retry doubles it (with jitter).
    #[arg(long, default_value = "5s", value_parser = duration::parse, env = "WEFT_OUTBOUND_RETRY_BASE")]
    pub outbound_retry_base: Duration,
    /// Longest pause between two retries.
    #[arg(long, default_value = "2h", value_parser = duration::parse, env = "WEFT_OUTBOUND_RETRY_MAX")]
    pub outbound_retry_max: Duration,
    /// How long after an event a delivery keeps being retried before it goes to the dead-letter list.
    #[arg(long, default_value = "24h", value_parser = duration::parse, env = "WEFT_OUTBOUND_GIVE_UP_AFTER")]
    pub outbound_give_up_after: Duration,
    /// Time allowed for an endpoint to answer one delivery.
    #[arg(long, default_value = "10s", value_parser = duration::parse, env = "WEFT_OUTBOUND_TIMEOUT")]
    pub outbound_timeout: Duration,
    /// Consecutive failures after which deliveries to an endpoint pause (its circuit opens).
    #[arg(long, default_value_t = 5, env = "WEFT_OUTBOUND_BREAKER_THRESHOLD")]
    pub outbound_breaker_threshold: i64,
    /// How long an open circuit pauses an endpoint; doubles on each failure while half-open.
    #[arg(long, default_value = "30s", value_parser = duration::parse, env = "WEFT_OUTBOUND_BREAKER_COOLDOWN")]
    pub outbound_breaker_cooldown: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        assert_eq!(duration::parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration::parse("2h"), Ok(Duration::from_secs(7200)));
        assert!(duration::parse("5").is_err());
        assert!(duration::parse("fast").is_err());
    }
}
