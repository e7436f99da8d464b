//! Which policy row applies to an incident: the most specific match wins.

use crate::config::{Impact, Policy};

/// What happened to the customer, from the ticket's fields.
#[derive(Debug, Clone)]
pub struct Incident {
    /// The ticket's `incident_type` field, such as `delivery_delay`.
    pub kind: String,
    pub impact: Impact,
    /// Minutes of delay or outage; 0 for a defect.
    pub minutes: i64,
}

/// The best row for `incident` and `tier`: an exact incident type beats `*`, a row naming the
/// tier beats one for all tiers, a higher `min_minutes` band beats a lower one; then table order.
pub fn best<'a>(policies: &'a [Policy], incident: &Incident, tier: &str) -> Option<&'a Policy> {
    policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.incident_type == incident.kind || p.incident_type == "*")
        .filter(|(_, p)| p.tiers.is_empty() || p.tiers.iter().any(|t| t == tier))
        .filter(|(_, p)| p.impact == incident.impact && p.min_minutes <= incident.minutes)
        .max_by(|(ia, a), (ib, b)| {
            (a.incident_type != "*")
                .cmp(&(b.incident_type != "*"))
                .then_with(|| (!a.tiers.is_empty()).cmp(&!b.tiers.is_empty()))
                .then_with(|| a.min_minutes.cmp(&b.min_minutes))
                // max_by keeps the last of equals; prefer the earlier row.
                .then_with(|| ib.cmp(ia))
        })
        .map(|(_, p)| p)
}
