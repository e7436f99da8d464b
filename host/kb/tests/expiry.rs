//! Verification expiry against a real SQLite file: an article whose verification has lapsed is
//! flagged for re-review with a reason naming the date, once; one still valid is left alone.

#[path = "support/article.rs"]
mod support;

use chrono::{Duration, Utc};
use weft_kb::{Kb, KbConfig};

#[tokio::test]
async fn lapsed_verification_flags_the_article_once_and_valid_ones_stay_clear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = support::store_with_article(dir.path(), "s", "lapsed", "Refund policy").await;
    support::add_article(&store, "s", "valid", "Delivery times").await;
    let lapsed_on = Utc::now() - Duration::days(3);
    store.kb_set_verification_expiry("lapsed", Some(lapsed_on)).await.expect("expiry");
    store.kb_set_verification_expiry("valid", Some(Utc::now() + Duration::days(30))).await.expect("expiry");
    let kb = Kb::open(store, KbConfig::new(dir.path().join("index"))).await.expect("kb");

    kb.flag_expired("s").await.expect("flag pass");
    let lapsed = kb.store().kb_article("lapsed").await.expect("read").expect("exists");
    assert!(lapsed.flagged);
    let reason = lapsed.flag_reason.clone().unwrap_or_default();
    assert!(
        reason.contains(&lapsed_on.format("%Y-%m-%d").to_string()) && reason.contains("review"),
        "the reason names the date and what to do: {reason}"
    );
    let valid = kb.store().kb_article("valid").await.expect("read").expect("exists");
    assert!(!valid.flagged && valid.flag_reason.is_none());

    // A second pass changes nothing.
    kb.flag_expired("s").await.expect("flag pass");
    let again = kb.store().kb_article("lapsed").await.expect("read").expect("exists");
    assert_eq!((again.flagged, again.flag_reason), (true, lapsed.flag_reason));
}

#[tokio::test]
async fn the_background_sweep_flags_a_lapsed_article_nobody_lists() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = support::store_with_article(dir.path(), "s", "lapsed", "Refund policy").await;
    store.kb_set_verification_expiry("lapsed", Some(Utc::now() - Duration::days(1))).await.expect("expiry");
    let mut config = KbConfig::new(dir.path().join("index"));
    config.expiry_sweep_every = std::time::Duration::from_millis(50);
    let kb = Kb::open(store, config).await.expect("kb");

    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let row = kb.store().kb_article("lapsed").await.expect("read").expect("exists");
        if row.flagged {
            assert!(row.flag_reason.unwrap_or_default().contains("verification expired"));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the sweep never flagged the lapsed article");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
