//! Which arm of a canary a ticket takes. Sticky: the same ticket (or customer) always lands on the
//! same side for a given rollout, across retries, restarts and processes, and raising the
//! percentage only ever moves tickets from stable to candidate, never back.

use sha2::{Digest, Sha256};
use weft_runtime::model::Ticket;
use weft_store::{Rollout, StickyBy};

/// Whether `ticket` runs the canary's candidate.
pub(crate) fn takes_candidate(rollout: &Rollout, ticket: &Ticket) -> bool {
    let key = match rollout.sticky_by {
        StickyBy::Ticket => &ticket.id,
        StickyBy::Customer => &ticket.customer.id,
    };
    bucket(&rollout.id, key) < u32::from(rollout.percent) * 100
}

/// A stable bucket in 0..10_000 (SHA-256, not `DefaultHasher`, whose output may change between
/// Rust releases and would reshuffle live canaries on upgrade). Salted with the rollout id so two
/// rollouts at 10 % do not pick the same tickets.
fn bucket(rollout: &str, key: &str) -> u32 {
    let digest = Sha256::new().chain_update(rollout).chain_update([0u8]).chain_update(key).finalize();
    let mut first = [0u8; 4];
    first.copy_from_slice(&digest[..4]);
    u32::from_be_bytes(first) % 10_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rollout(percent: u8, sticky_by: StickyBy) -> Rollout {
        Rollout {
            id: "ro_test".into(),
            workflow: "w".into(),
            step: "s".into(),
            candidate: "p@2.0.0".into(),
            mode: weft_store::RolloutMode::Canary,
            percent,
            sticky_by,
            status: "active".into(),
            created_by: "ops".into(),
            created_at: chrono::Utc::now(),
            ended_by: None,
            ended_at: None,
        }
    }

    fn ticket(id: &str, customer: &str) -> Ticket {
        serde_json::from_value(serde_json::json!({"id": id, "channel": "email", "customer": {"id": customer}}))
            .expect("ticket")
    }

    #[test]
    fn zero_and_hundred_percent_are_absolute() {
        for i in 0..500 {
            let t = ticket(&format!("t{i}"), "c");
            assert!(!takes_candidate(&rollout(0, StickyBy::Ticket), &t));
            assert!(takes_candidate(&rollout(100, StickyBy::Ticket), &t));
        }
    }

    #[test]
    fn the_share_follows_the_percentage_and_only_grows() {
        let tickets: Vec<Ticket> = (0..10_000).map(|i| ticket(&format!("t{i}"), "c")).collect();
        let at = |p| tickets.iter().filter(|t| takes_candidate(&rollout(p, StickyBy::Ticket), t)).count();
        let (ten, thirty) = (at(10), at(30));
        assert!((800..1200).contains(&ten), "10 % took {ten} of 10 000");
        assert!((2700..3300).contains(&thirty), "30 % took {thirty} of 10 000");
        for t in &tickets {
            if takes_candidate(&rollout(10, StickyBy::Ticket), t) {
                assert!(takes_candidate(&rollout(30, StickyBy::Ticket), t), "raising the share moved {} back", t.id);
            }
        }
    }

    #[test]
    fn sticky_by_customer_keeps_a_customers_tickets_together() {
        let r = rollout(50, StickyBy::Customer);
        for c in 0..200 {
            let customer = format!("cust-{c}");
            let first = takes_candidate(&r, &ticket("a", &customer));
            for i in 0..5 {
                assert_eq!(takes_candidate(&r, &ticket(&format!("t{i}"), &customer)), first);
            }
        }
    }
}
