//! The scoring rules, as a specification. Each test runs `decide` through the SDK's test host.

use weft_plugin::prelude::*;
use weft_plugin::testing::{TestHost, TicketBuilder, assert_fixtures, ticket};
use weft_plugin::{JsonValue, json};

use super::decide;

fn run(ticket: TicketBuilder) -> Decision {
    run_with(json!({}), ticket)
}

fn run_with(config: JsonValue, ticket: TicketBuilder) -> Decision {
    TestHost::new().config(config).grant("effect.tag").run(decide, ticket).decision().clone()
}

fn out(decision: &Decision, name: &str) -> JsonValue {
    decision.get_output(name).unwrap_or_else(|| panic!("output {name} missing"))
}

fn intent(text: &str) -> String {
    out(&run(ticket("T").body(text)), "intent").as_str().unwrap_or_default().to_owned()
}

fn sentiment(text: &str) -> f64 {
    out(&run(ticket("T").body(text)), "sentiment").as_f64().unwrap_or(f64::NAN)
}

#[test]
fn fixtures() {
    assert_fixtures(env!("CARGO_MANIFEST_DIR"), decide);
}

// Each intent is recognised from an ordinary sentence in either language.
#[test]
fn intents_in_both_languages() {
    for (text, expected) in [
        ("I was charged twice for my subscription this month.", "billing"),
        ("这个月的账单多扣了一笔会员费", "billing"),
        ("Please refund the jacket, I sent it back last week.", "refund"),
        ("我要退款，东西已经寄回去了", "refund"),
        ("My parcel still hasn't arrived and tracking shows nothing.", "delivery"),
        ("快递三天了还没到，物流信息也不更新", "delivery"),
        ("I can't log in, the password reset email never comes.", "account"),
        ("账号登不上，验证码一直收不到", "account"),
        ("The app crashes every time I open the camera screen.", "technical"),
        ("软件一打开就闪退，重装了也没用", "technical"),
        ("Your agent was rude and hung up on me. I want to speak to a manager.", "complaint"),
        ("我要投诉你们的客服，态度太差了", "complaint"),
        ("What are your opening hours on Sunday?", "other"),
        ("你们周末几点开门？", "other"),
    ] {
        assert_eq!(intent(text), expected, "{text}");
    }
}

// Chinese terms match as substrings, longest first: 不满意 is one negative term, never the
// negator 不 plus the positive 满意, and it is counted once.
#[test]
fn longest_chinese_match_wins_and_counts_once() {
    let decision = run(ticket("T").body("我对这次服务不满意"));
    assert_eq!(out(&decision, "sentiment"), json!(-0.5));
    assert_eq!(out(&decision, "negative_share"), json!(1.0));
}

// A negator flips the next sentiment term within three words or characters.
#[test]
fn negation_flips_nearby_sentiment() {
    assert!(sentiment("I am not happy with this at all") < 0.0);
    assert!(sentiment("我不是很满意") < 0.0);
    assert!(sentiment("I am happy with this") > 0.0);
    // Faint praise: "not bad" is mildly positive, not negative.
    assert!(sentiment("the new version is not bad") > 0.0);
    // Out of reach: the negator is too far away to touch "great".
    assert!(sentiment("I did not expect that the support would be this great") > 0.0);
    // A comma ends the negation's reach.
    assert!(sentiment("不过，服务很好") > 0.0);
}

// English matches whole words only: "app" is not found inside "happy" or "apply".
#[test]
fn english_matches_on_word_boundaries() {
    assert_eq!(intent("I would like to apply for a job, happy to send a CV"), "other");
    // A trailing * in the lexicon matches word prefixes: refunded, refunds.
    assert_eq!(intent("Has it been refunded yet?"), "refund");
}

// Angry emoji count as negative emotion, with or without skin tones and variation selectors.
#[test]
fn emoji_carry_sentiment() {
    let decision = run(ticket("T").body("😡😡 where is my parcel 👎🏽"));
    assert!(out(&decision, "sentiment").as_f64().unwrap_or(0.0) < -0.5);
    assert_eq!(out(&decision, "intent"), json!("delivery"));
    assert!(sentiment("谢谢 👍❤️") > 0.3);
}

// Urgency keywords in either language make the ticket urgent and are listed; a negated one
// ("not urgent", "不急") does not.
#[test]
fn urgency_keywords() {
    let decision = run(ticket("T").subject("URGENT").body("请马上处理，refund asap"));
    assert_eq!(out(&decision, "urgency"), json!(true));
    assert_eq!(out(&decision, "urgency_terms"), json!(["urgent", "马上", "asap"]));
    assert_eq!(decision.effects, [Effect::from(effect::tag().add("intent:refund").add("urgent"))]);

    for calm in ["It's not urgent, whenever you can.", "不急，有空再处理"] {
        assert_eq!(out(&run(ticket("T").body(calm)), "urgency"), json!(false), "{calm}");
    }
}

// The shipped lexicon is stored as the scanner compares it (lowercase, single spaces), so it is
// borrowed rather than normalised on every run.
#[test]
fn shipped_entries_are_normalised() {
    let config = crate::config::Config::default();
    let lexicon = crate::lexicon::Lexicon::build(&config).unwrap_or_else(|e| panic!("{}", e.message));
    for term in &lexicon.terms {
        let normal = term.text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ");
        assert_eq!(term.text, normal);
    }
}

// Only the customer's turns count: an agent apologising for a "delay" is not the customer's intent.
#[test]
fn reads_subject_body_and_customer_turns_only() {
    let decision = run(ticket("T")
        .body("hello")
        .message(AuthorKind::Agent, "Sorry, our courier is late with deliveries and shipping this week.", 1)
        .message(AuthorKind::Customer, "I just want my money back, please refund me.", 2));
    assert_eq!(out(&decision, "intent"), json!("refund"));
}

// Language is judged from the text, not the ticket's language tag.
#[test]
fn detects_language() {
    for (text, expected) in [
        ("我的快递还没到", "zh"),
        ("my parcel has not arrived", "en"),
        ("订单 #A-1042 charged twice 😡 请退款", "mixed"),
        ("", "unknown"),
        ("😡😡😡", "unknown"),
    ] {
        assert_eq!(out(&run(ticket("T").language("en").body(text)), "language_detected"), json!(expected), "{text}");
    }
}

// With nothing to read, the result is neutral and says it knows nothing.
#[test]
fn empty_ticket_is_other_with_zero_confidence() {
    let decision = run(ticket("T"));
    assert_eq!(out(&decision, "intent"), json!("other"));
    assert_eq!(out(&decision, "confidence"), json!(0.0));
    assert_eq!(out(&decision, "sentiment"), json!(0.0));
    assert_eq!(out(&decision, "negative_share"), json!(0.0));
    assert_eq!(decision.effects, [Effect::from(effect::tag().add("intent:other"))]);
}

// Confidence grows with evidence and falls when the evidence is split between intents.
#[test]
fn confidence_reflects_evidence_and_agreement() {
    let confidence = |text: &str| out(&run(ticket("T").body(text)), "confidence").as_f64().unwrap_or(-1.0);
    let one = confidence("refund please");
    let three = confidence("refund please, I returned it, I want my money back");
    let split = confidence("refund please, I was charged twice");
    assert!(one < three, "{one} < {three}");
    assert!(split < one, "{split} < {one}");
    assert!((0.0..=1.0).contains(&three));
}

// Operators extend the lexicon per intent and tune thresholds.
#[test]
fn config_adds_terms_and_thresholds() {
    let text = "月结对账单的问题";
    let decision = run_with(json!({"extra_terms": {"refund": ["对账单"]}}), ticket("T").body(text));
    assert_eq!(out(&decision, "intent"), json!("refund"));

    let decision = run_with(json!({"extra_urgency_terms": ["p1"]}), ticket("T").body("this is a P1 outage"));
    assert_eq!(out(&decision, "urgency"), json!(true));

    let decision = run_with(json!({"min_intent_score": 3.0}), ticket("T").body("refund please"));
    assert_eq!(out(&decision, "intent"), json!("other"));

    let decision = run_with(json!({"urgency_min_terms": 2}), ticket("T").body("urgent"));
    assert_eq!(out(&decision, "urgency"), json!(false));
}

// A config the plugin does not understand fails the step with a sentence saying what to fix.
#[test]
fn bad_config_is_an_invalid_config_error() {
    for (config, needle) in [
        (json!({"extra_terms": {"shipping": ["x"]}}), "unknown intent `shipping`"),
        (json!({"min_intent_scor": 2}), "min_intent_scor"),
        (json!({"min_intent_score": 0}), "above 0"),
        (json!({"extra_urgency_terms": [""]}), "1 to 64"),
    ] {
        let run = TestHost::new().config(config).grant("effect.tag").run(decide, ticket("T").body("x"));
        let error = run.error();
        assert_eq!(error.kind, StepErrorKind::InvalidConfig);
        assert!(error.message.contains(needle), "{} should contain {needle}", error.message);
    }
}

// Hostile input: a megabyte of mixed text is read up to 256 KiB (cut on a character
// boundary, and said so), and a megabyte of one unbroken "word" or one repeated term is fine.
#[test]
fn one_megabyte_of_text() {
    let sentence = "我要退款！The app crashed again 😡 and I am not happy. 快递还没到，太失望了。";
    let body = sentence.repeat((1 << 20) / sentence.len());
    assert!(body.len() > 1_000_000);
    let decision = run(ticket("T").body(&body));
    assert_eq!(out(&decision, "language_detected"), json!("mixed"));
    assert!(out(&decision, "negative_share").as_f64().unwrap_or(0.0) > 0.5);
    assert_eq!(out(&decision, "truncated"), json!(true));
    assert!(decision.reasons.iter().any(|reason| reason.contains("first 256 KiB")));

    // Beyond the budget nothing counts, not even an urgent last line.
    let decision = run(ticket("T").body(format!("{body} URGENT")));
    assert_eq!(out(&decision, "urgency"), json!(false));
    // Within it, a short ticket is read whole.
    assert_eq!(out(&run(ticket("T").body("refund")), "truncated"), json!(false));

    let word = "a".repeat(1 << 20);
    assert_eq!(out(&run(ticket("T").body(&word)), "intent"), json!("other"));
    let chars = "退".repeat(1 << 18);
    assert_eq!(out(&run(ticket("T").body(&chars)), "intent"), json!("other"));
}
