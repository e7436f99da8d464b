//! The Standard Webhooks scheme (<https://www.standardwebhooks.com>), used for both directions:
//! integrators sign what they send to workflow hooks, and Weft signs the events it delivers.

pub mod inbound;
pub mod rate_limit;
pub mod signature;

/// `weft serve` options for inbound hooks.
#[derive(Debug, Clone, clap::Args)]
pub struct InboundArgs {
    /// Steady rate of hook requests each integrator may send, per second.
    #[arg(long, default_value_t = 2000.0, env = "WEFT_HOOK_RATE_PER_SECOND")]
    pub hook_rate_per_second: f64,
    /// Requests an integrator may send at once above the steady rate.
    #[arg(long, default_value_t = 4000, env = "WEFT_HOOK_BURST")]
    pub hook_burst: u32,
}
