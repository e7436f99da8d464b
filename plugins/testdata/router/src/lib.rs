//! Routes a ticket to a queue: premium and VIP customers to the VIP queue, everyone else by the
//! ticket's language, and the rest to the default queue. The sandbox tests' healthy plugin and the
//! plugin the invocation benchmark runs, so it stays small and allocation-light.

use std::collections::BTreeMap;

use serde::Deserialize;
use weft_plugin::prelude::*;

/// The deployment's configuration.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Queue per primary language subtag (`zh`, `en`); keys are matched case-insensitively.
    #[serde(default)]
    queues: BTreeMap<String, String>,
    #[serde(default = "default_queue")]
    default_queue: String,
    #[serde(default = "vip_queue")]
    vip_queue: String,
}

fn default_queue() -> String {
    "general".to_owned()
}

fn vip_queue() -> String {
    "vip".to_owned()
}

fn decide(input: StepInput) -> Result<Decision, StepError> {
    let config: Config = host::config()?;
    let ticket = &input.ticket;
    let tier = ticket.customer.tier;
    let language = ticket.primary_language();

    // Tier before language: a VIP writing in Chinese still belongs in the VIP queue.
    let (queue, why) = if tier.is_high_value() {
        (config.vip_queue, format!("{} customer", tier.as_str()))
    } else if let Some((language, queue)) = language.as_deref().and_then(|language| {
        config
            .queues
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(language))
            .map(|(_, queue)| (language, queue.clone()))
    }) {
        (queue, format!("language {language}"))
    } else {
        let why = match language {
            Some(language) => format!("no queue for language {language}"),
            None => "language unknown".to_owned(),
        };
        (config.default_queue, why)
    };

    weft_plugin::info!("ticket {} → {queue} ({why})", ticket.id);
    Ok(Decision::proceed()
        .reason(format!("{why} → {queue}"))
        .output("queue", &queue)
        .effect(effect::assign(queue).reason(why))
        .effect(effect::tag().add("routed")))
}

weft_plugin::export_step!(decide);

// Unit tests run natively against the SDK's test host; a wasm32 build has none.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use weft_plugin::json;
    use weft_plugin::testing::{TestHost, TestRun, TicketBuilder, assert_fixtures, ticket};

    fn route(ticket: TicketBuilder) -> TestRun {
        TestHost::new()
            .config(json!({
                "queues": {"zh": "billing-cn", "en": "support-en"},
                "default_queue": "general",
                "vip_queue": "vip"
            }))
            .grants(["effect.assign", "effect.tag"])
            .run(decide, ticket)
    }

    fn queue(run: &TestRun) -> Option<weft_plugin::JsonValue> {
        run.decision().get_output("queue")
    }

    // The language's primary subtag picks the queue, whatever the region.
    #[test]
    fn routes_by_language() {
        let run = route(ticket("T-1").language("zh-CN"));
        assert_eq!(queue(&run), Some(json!("billing-cn")));
        assert_eq!(
            run.decision().effects,
            [Effect::from(effect::assign("billing-cn").reason("language zh")), effect::tag().add("routed").into()]
        );
        assert_eq!(run.decision().reasons, ["language zh → billing-cn"]);
        assert_eq!(queue(&route(ticket("T-2").language("EN_gb"))), Some(json!("support-en")));
    }

    // Tier wins over language.
    #[test]
    fn high_value_customers_go_to_the_vip_queue() {
        assert_eq!(queue(&route(ticket("T-1").language("zh").tier(Tier::Vip))), Some(json!("vip")));
        assert_eq!(queue(&route(ticket("T-1").language("en").tier(Tier::Premium))), Some(json!("vip")));
    }

    #[test]
    fn unknown_or_unmapped_languages_go_to_the_default_queue() {
        let run = route(ticket("T-1").language("fr"));
        assert_eq!(queue(&run), Some(json!("general")));
        assert_eq!(run.decision().reasons, ["no queue for language fr → general"]);
        assert_eq!(queue(&route(ticket("T-2"))), Some(json!("general")));
    }

    #[test]
    fn logs_one_info_line() {
        let run = route(ticket("T-9").language("zh"));
        assert_eq!(run.logs, [(LogLevel::Info, "ticket T-9 → billing-cn (language zh)".to_owned())]);
    }

    // Defaults let a deployment start with `{}`.
    #[test]
    fn an_empty_config_routes_everything_to_general_or_vip() {
        let host = TestHost::new().grants(["effect.assign", "effect.tag"]);
        let run = host.run(decide, ticket("T-1").language("zh"));
        assert_eq!(queue(&run), Some(json!("general")));
        let run = host.run(decide, ticket("T-1").tier(Tier::Vip));
        assert_eq!(queue(&run), Some(json!("vip")));
    }

    #[test]
    fn a_misspelled_config_key_is_invalid_config() {
        let run = TestHost::new()
            .config(json!({"queue": {"zh": "billing-cn"}}))
            .grants(["effect.assign", "effect.tag"])
            .run(decide, ticket("T-1"));
        assert_eq!(run.error().kind, StepErrorKind::InvalidConfig);
        assert!(run.error().message.contains("unknown field `queue`"), "{}", run.error().message);
    }

    #[test]
    fn without_the_assign_grant_the_decision_is_refused() {
        let run = TestHost::new().grant("effect.tag").run(decide, ticket("T-1"));
        assert_eq!(run.error().kind, StepErrorKind::CapabilityDenied);
        assert!(run.error().message.contains("`effect.assign`"));
    }

    #[test]
    fn fixtures() {
        assert_fixtures(env!("CARGO_MANIFEST_DIR"), decide);
    }
}
