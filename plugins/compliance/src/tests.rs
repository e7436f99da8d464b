//! Native tests through the SDK's test host: each checksum and detector, then the step as the
//! host runs it. The labelled set and its precision/recall table live in `tests/labelled.rs`.

mod labelled;

use weft_plugin::json;
use weft_plugin::testing::{TestHost, TestRun, TicketBuilder, assert_fixtures, input, ticket};

use super::*;
use crate::checksum::{gb11643_check, iban_mod97, luhn, plausible_birth_date, ssn_parts_valid};
use crate::detect::{Hit, Kind};

const GRANTS: [&str; 3] = ["effect.redact", "effect.tag", "effect.set-field"];

fn run(config: serde_json::Value, ticket: TicketBuilder) -> TestRun {
    TestHost::new().config(config).grants(GRANTS).run(decide, ticket)
}

/// The (kind, matched text) pairs `scan` finds in `text`.
fn found(text: &str) -> Vec<(Kind, &str)> {
    detect::scan(text, &Kind::ALL).into_iter().map(|h| (h.kind, &text[h.start..h.end])).collect()
}

// --- checksums -----------------------------------------------------------------------------

// Luhn accepts the published test card numbers and rejects any single-digit change.
#[test]
fn luhn_accepts_test_cards_and_rejects_a_changed_digit() {
    assert!(luhn(b"4111111111111111"));
    assert!(luhn(b"378282246310005"));
    assert!(luhn(b"6212345678901265"));
    assert!(!luhn(b"4111111111111112"));
    assert!(!luhn(b""));
}

// The GB 11643 check character is computed from the 17 digits, X standing for 10.
#[test]
fn gb11643_check_character_including_x() {
    assert_eq!(gb11643_check(b"11010519491231002"), b'X');
    assert_eq!(gb11643_check(b"44052418800101001"), b'4');
}

// A birth date must exist in the calendar: 29 February only in leap years, no month 13.
#[test]
fn birth_dates_must_be_real_days() {
    assert!(plausible_birth_date(b"20000229"));
    assert!(!plausible_birth_date(b"19000229"));
    assert!(!plausible_birth_date(b"19901301"));
    assert!(!plausible_birth_date(b"19900431"));
    assert!(!plausible_birth_date(b"18991231"));
}

// IBAN mod-97 holds for the registry's examples and fails when a digit changes.
#[test]
fn iban_mod97_on_registry_examples() {
    assert!(iban_mod97(b"DE89370400440532013000"));
    assert!(iban_mod97(b"GB29NWBK60161331926819"));
    assert!(iban_mod97(b"FR1420041010050500013M02606"));
    assert!(!iban_mod97(b"DE89370400440532013001"));
}

// SSNs in the never-issued ranges are invalid: area 000, 666, 9xx; group 00; serial 0000.
#[test]
fn ssn_invalid_ranges() {
    assert!(ssn_parts_valid(78, 5, 1120));
    for (a, g, s) in [(0, 12, 3456), (666, 12, 3456), (900, 12, 3456), (999, 1, 1), (123, 0, 4567), (123, 45, 0)] {
        assert!(!ssn_parts_valid(a, g, s), "{a}-{g}-{s}");
    }
}

// --- detectors ------------------------------------------------------------------------------

// A resident ID is found with its X; one with a wrong check character or date is not.
#[test]
fn cn_id_detector() {
    assert_eq!(found("身份证11010519491231002X。"), [(Kind::CnId, "11010519491231002X")]);
    assert_eq!(found("身份证 11010519491231002x"), [(Kind::CnId, "11010519491231002x")]);
    assert!(found("身份证 110105194912310021").is_empty(), "wrong check digit");
    assert!(found("ID 110105194913310029").is_empty(), "month 13");
    assert!(found("ID 11010519491231002Xyz").is_empty(), "glued to a word");
}

// Mobile numbers in every common shape, with and without the country prefix.
#[test]
fn cn_mobile_detector() {
    for text in [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 13812345678",
        "+86-138-1234-5678",
        "0086 13812345678",
        "+8613812345678",
    ] {
        assert_eq!(found(&format!("电话{text}，谢谢")), [(Kind::CnMobile, text)], "{text}");
    }
    assert!(found("12812345678").is_empty(), "no 12x prefix");
    assert!(found("ORD13812345678").is_empty(), "part of an order id");
    assert!(found("SN-13812345678").is_empty(), "joined to a word");
    assert!(found("138123456789").is_empty(), "12 digits");
    assert_eq!(found("13812345678 13912345678"), [(Kind::CnMobile, "13812345678"), (Kind::CnMobile, "13912345678")]);
}

// Cards are found whole, in fours and as Amex; a Luhn failure or an unknown issuer is not.
#[test]
fn bank_card_detector() {
    assert_eq!(found("card 4111 1111 1111 1111."), [(Kind::BankCard, "4111 1111 1111 1111")]);
    assert_eq!(found("card 4111-1111-1111-1111"), [(Kind::BankCard, "4111-1111-1111-1111")]);
    assert_eq!(found("卡号6212345678901265"), [(Kind::BankCard, "6212345678901265")]);
    assert_eq!(found("Amex 3782 822463 10005"), [(Kind::BankCard, "3782 822463 10005")]);
    assert!(found("card 4111 1111 1111 1112").is_empty(), "Luhn");
    assert!(found("ref 1111111111111117").is_empty(), "no issuer starts with 1");
    assert!(found("barcode 6901234567892").is_empty(), "EAN-13");
    assert!(found("card 4111 1111-1111 1111").is_empty(), "mixed separators");
}

#[test]
fn email_detector() {
    assert_eq!(found("mail zhang.wei+cs@mail.example.com.cn。"), [(Kind::Email, "zhang.wei+cs@mail.example.com.cn")]);
    assert_eq!(found("邮箱123456@qq.com谢谢"), [(Kind::Email, "123456@qq.com")]);
    for text in ["user@localhost", "a@b", "@weibo_user", "x@.com", "john(at)example.com", "a@b.c1"] {
        assert!(found(text).is_empty(), "{text}");
    }
}

// IBANs compact or in fours, any case; a wrong check, a wrong length or a country without IBANs is not one.
#[test]
fn iban_detector() {
    assert_eq!(found("IBAN DE89 3704 0044 0532 0130 00."), [(Kind::Iban, "DE89 3704 0044 0532 0130 00")]);
    assert_eq!(found("iban gb29nwbk60161331926819"), [(Kind::Iban, "gb29nwbk60161331926819")]);
    assert!(found("IBAN DE89 3704 0044 0532 0130 01").is_empty(), "mod 97");
    assert!(found("IBAN DE89370400440532013").is_empty(), "length");
    assert!(found("US89370400440532013000").is_empty(), "no US IBAN");
}

#[test]
fn us_ssn_detector() {
    assert_eq!(found("SSN 078-05-1120."), [(Kind::UsSsn, "078-05-1120")]);
    assert_eq!(found("SSN 078 05 1120"), [(Kind::UsSsn, "078 05 1120")]);
    for text in ["000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000", "078051120", "078-05 1120"]
    {
        assert!(found(text).is_empty(), "{text}");
    }
}

#[test]
fn intl_phone_detector() {
    for text in ["+44 20 7946 0958", "+1 (212) 555-0100", "+44 (0)20 7946 0958", "+852 2123 4567", "+49 30 1234567"] {
        assert_eq!(found(&format!("call {text} now")), [(Kind::IntlPhone, text)], "{text}");
    }
    for text in ["+86 95588", "+1234", "+0 123 456 789", "score +12 -3 +7"] {
        assert!(found(text).is_empty(), "{text}");
    }
}

// Previews keep the last four, the email's first letter and domain, the IBAN's country.
#[test]
fn previews_hide_all_but_a_hint() {
    assert_eq!(mask::preview(Kind::CnMobile, "138-1234-5678"), "***-****-5678");
    assert_eq!(mask::preview(Kind::CnId, "11010519491231002X"), "**************002X");
    assert_eq!(mask::preview(Kind::Email, "zhang.wei@163.com"), "z***@163.com");
    assert_eq!(mask::preview(Kind::Iban, "DE89 3704 0044 0532 0130 00"), "DE** **** **** **** **30 00");
    let text = "电话13812345678。";
    assert_eq!(mask::mask(text, &[Hit { kind: Kind::CnMobile, start: 6, end: 17 }]), "电话*******5678。");
}

// --- claims ---------------------------------------------------------------------------------

// Claims match on word boundaries in English and as phrases in Chinese; a negated phrase is not a claim.
#[test]
fn claims_rules() {
    let sets = [claims::RuleSet::Finance, claims::RuleSet::Health];
    let rules = |text: &str| claims::scan(text, &sets).into_iter().map(|c| c.rule).collect::<Vec<_>>();
    assert_eq!(
        rules("This fund offers Guaranteed Returns, totally risk-free!"),
        ["claims.finance.guaranteed-returns", "claims.finance.risk-free"]
    );
    assert_eq!(
        rules("本产品保本保收益，稳赚不赔"),
        ["claims.finance.guaranteed-returns", "claims.finance.guaranteed-returns"]
    );
    assert_eq!(rules("这个药能根治，100%有效"), ["claims.health.cure", "claims.health.efficacy"]);
    assert!(rules("This account is not risk-free and there is no cure-all.").is_empty());
    assert!(rules("We secure your data; the procurement team will reply.").is_empty());
    assert!(rules("理财有风险，本产品不保证收益").is_empty());
    assert!(claims::scan("risk-free", &[claims::RuleSet::Health]).is_empty(), "finance set off");
}

// --- the step -------------------------------------------------------------------------------

// PII in subject, body and conversation is masked per field, redacted by span and tagged.
#[test]
fn masks_pii_in_every_field() {
    let run = run(
        json!({}),
        ticket("T-1").subject("退款 13812345678").body("卡号 4111 1111 1111 1111，邮箱 zhang.wei@163.com").message(
            AuthorKind::Customer,
            "SSN 078-05-1120",
            1,
        ),
    );
    let decision = run.decision();
    assert_eq!(decision.outcome, Outcome::Proceed);
    assert_eq!(decision.get_output("verdict"), Some(json!("pass")));
    assert_eq!(
        decision.get_output("masked"),
        Some(json!({
            "subject": "退款 *******5678",
            "body": "卡号 **** **** **** 1111，邮箱 z***@163.com",
            "conversation.0": "SSN ***-**-1120",
        }))
    );
    let findings = decision.get_output("findings").unwrap_or_default();
    assert_eq!(
        findings[0],
        json!({"rule": "pii.cn_mobile", "field": "subject", "start": 7, "end": 18, "preview": "*******5678"})
    );
    assert_eq!(findings.as_array().map(Vec::len), Some(4));
    assert_eq!(
        decision.effects,
        [
            Effect::from(effect::redact("subject").span(7, 18)),
            effect::redact("body").span(7, 26).span(36, 53).into(),
            effect::redact("conversation.0").span(4, 15).into(),
            effect::tag().add("pii").into(),
        ]
    );
}

// Text without PII passes untouched: no effects, no masked fields.
#[test]
fn clean_and_empty_text_passes_without_effects() {
    for body in ["", "订单 202311150012345 价格 ¥1,299.00 2023-11-05 🙏"] {
        let run = run(json!({}), ticket("T-2").body(body));
        assert_eq!(run.decision().outcome, Outcome::Proceed);
        assert!(run.decision().effects.is_empty());
        assert_eq!(run.decision().get_output("masked"), Some(json!({})));
    }
}

// A step acting for a purpose the customer did not consent to is blocked, naming the purpose.
#[test]
fn blocks_without_consent_for_the_purpose() {
    let no_marketing = Consent { service: true, marketing: false, analytics: false };
    let run = run(json!({"purpose": "marketing"}), ticket("T-3").consent(no_marketing));
    assert_eq!(run.decision().outcome, Outcome::Block);
    assert_eq!(run.decision().reasons, ["consent.marketing: customer C-1 has not consented to marketing"]);
    let consented = Consent { service: true, marketing: true, analytics: false };
    let run = self::run(json!({"purpose": "marketing"}), ticket("T-3").consent(consented));
    assert_eq!(run.decision().outcome, Outcome::Proceed);
}

// Claims block only in outbound messages (agent, bot) unless configured; the reason names rule and span.
#[test]
fn regulated_claims_block_outbound_replies() {
    let t = ticket("T-4").message(AuthorKind::Customer, "Is it risk-free?", 1).message(
        AuthorKind::Agent,
        "Yes, 保本保收益 and risk-free.",
        2,
    );
    let run = run(json!({}), t);
    assert_eq!(run.decision().outcome, Outcome::Block);
    assert_eq!(run.decision().get_output("verdict"), Some(json!("block")));
    assert_eq!(
        run.decision().reasons,
        [
            "claims.finance.guaranteed-returns: \"保本保收益\" in conversation.1 at 5..20",
            "claims.finance.risk-free: \"risk-free\" in conversation.1 at 25..34",
        ]
    );
    let body_only = self::run(json!({"claim_fields": ["body"]}), ticket("T-5").body("包治百病"));
    assert_eq!(body_only.decision().outcome, Outcome::Block);
    let customer_text = self::run(json!({}), ticket("T-6").body("包治百病"));
    assert_eq!(customer_text.decision().outcome, Outcome::Proceed);
}

// Fields off the allow-list are listed; with clear_dropped_fields they are also cleared.
#[test]
fn data_minimisation_drops_fields_off_the_allow_list() {
    let t = || ticket("T-7").field("order_id", "A-1").field("home_address", "上海").field("salary", &9000);
    let run = run(json!({"allowed_fields": ["order_id"]}), t());
    assert_eq!(run.decision().get_output("dropped_fields"), Some(json!(["home_address", "salary"])));
    assert!(run.decision().effects.is_empty());
    let cleared = self::run(json!({"allowed_fields": ["order_id"], "clear_dropped_fields": true}), t());
    assert_eq!(
        cleared.decision().effects,
        [
            effect::set_field("home_address", &weft_plugin::JsonValue::Null),
            effect::set_field("salary", &weft_plugin::JsonValue::Null),
        ]
    );
    let all = self::run(json!({}), t());
    assert_eq!(all.decision().get_output("dropped_fields"), Some(json!([])));
}

// A config key the plugin does not know is an error, not a silently ignored setting.
#[test]
fn unknown_config_is_rejected() {
    let run = run(json!({"purpose": "sales"}), ticket("T-8"));
    assert_eq!(run.error().kind, StepErrorKind::InvalidConfig);
    let run = self::run(json!({"alowed_fields": []}), ticket("T-8"));
    assert_eq!(run.error().kind, StepErrorKind::InvalidConfig);
}

// Without the redact grant the host refuses the decision, as it would in production.
#[test]
fn redaction_needs_its_grant() {
    let run = TestHost::new().grants(["effect.tag"]).run(decide, ticket("T-9").body("13812345678"));
    assert_eq!(run.error().kind, StepErrorKind::CapabilityDenied);
}

// One megabyte of mixed text with PII every few hundred bytes: every value found, quickly.
#[test]
fn one_megabyte_of_text() {
    let chunk = "客户来信：订单 202311150012345 未发货 😡，电话 13812345678，卡 4111 1111 1111 1111。Regards, mail a.b@example.com. ";
    let body = chunk.repeat(1_048_576 / chunk.len() + 1);
    assert!(body.len() >= 1_048_576);
    let started = std::time::Instant::now();
    let run = run(json!({}), ticket("T-10").body(body.clone()));
    let findings = run.decision().get_output("findings").unwrap_or_default();
    assert_eq!(findings.as_array().map(Vec::len), Some(3 * (1_048_576 / chunk.len() + 1)));
    assert!(started.elapsed().as_secs() < 10, "took {:?}", started.elapsed());
    // Pathological input: a megabyte of digits and separators must not go quadratic.
    let digits = "1 2-3 ".repeat(200_000);
    let started = std::time::Instant::now();
    assert!(detect::scan(&digits, &Kind::ALL).is_empty());
    assert!(started.elapsed().as_secs() < 10, "took {:?}", started.elapsed());
}

// The JSON fixtures, natively; `weft plugin test` runs the same files in wasmtime.
#[test]
fn fixtures() {
    assert_fixtures(env!("CARGO_MANIFEST_DIR"), decide);
}

#[test]
fn input_builder_is_accepted() {
    let run = TestHost::new().grants(GRANTS).run(decide, input(ticket("T-11").body("a@b.co")).step("compliance"));
    assert_eq!(run.decision().effects.len(), 2);
}

// Random text over digits, separators, letters, `@`, `+`, CJK and emoji never panics, and every
// hit lies on character boundaries, in order, without overlaps.
#[test]
fn random_text_never_panics_and_spans_stay_on_char_boundaries() {
    const ALPHABET: [&str; 16] = ["1", "3", "8", "4", "0", "X", " ", "-", "+", "@", ".", "a", "DE", "中", "😀", "(0)"];
    let mut state = 0x1234_5678_u64;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = (state ^ (state >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        (z ^ (z >> 27)) as usize
    };
    for _ in 0..2_000 {
        let text: String = (0..next() % 80).map(|_| ALPHABET[next() % ALPHABET.len()]).collect();
        let hits = detect::scan(&text, &Kind::ALL);
        for pair in hits.windows(2) {
            assert!(pair[0].end <= pair[1].start, "{text:?}");
        }
        for hit in &hits {
            assert!(text.is_char_boundary(hit.start) && text.is_char_boundary(hit.end), "{text:?}");
        }
        let sets = [claims::RuleSet::Finance, claims::RuleSet::Health];
        for claim in claims::scan(&text, &sets) {
            assert!(text.is_char_boundary(claim.start) && text.is_char_boundary(claim.end));
        }
    }
}
