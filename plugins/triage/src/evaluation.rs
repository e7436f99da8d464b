//! Precision, recall and F1 per intent, and sentiment-polarity accuracy, on the labelled set in
//! `testdata/labelled.jsonl` (written by hand, see README.md). Run with `--nocapture` to see the
//! table; the floors make a lexicon change that hurts quality fail the build.

use std::collections::BTreeMap;

use serde::Deserialize;
use weft_plugin::testing::TestHost;
use weft_plugin::testing::ticket;

use super::decide;

/// Polarity bands on the sentiment score: a single mild word (±0.29) stays neutral.
const POLARITY_BAND: f64 = 0.3;
const MACRO_F1_FLOOR: f64 = 0.7;
const POLARITY_ACCURACY_FLOOR: f64 = 0.7;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    text: String,
    intent: String,
    sentiment: String,
}

const INTENTS: [&str; 7] = ["billing", "refund", "delivery", "account", "technical", "complaint", "other"];

#[test]
fn labelled_set_quality() {
    let data = include_str!("../testdata/labelled.jsonl");
    let examples: Vec<Example> = data
        .lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(n, line)| serde_json::from_str(line).unwrap_or_else(|e| panic!("labelled.jsonl line {}: {e}", n + 1)))
        .collect();
    assert!(examples.len() >= 300, "the labelled set needs at least 300 examples");

    // (expected, predicted) → count
    let mut confusion: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut polarity_right = 0;
    let mut misses = Vec::new();
    for example in &examples {
        let run = TestHost::new().grant("effect.tag").run(decide, ticket("T").body(&example.text));
        let decision = run.decision();
        let intent = decision.get_output("intent").and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let sentiment = decision.get_output("sentiment").and_then(|v| v.as_f64()).unwrap_or(0.0);
        let polarity = if sentiment <= -POLARITY_BAND {
            "negative"
        } else if sentiment >= POLARITY_BAND {
            "positive"
        } else {
            "neutral"
        };
        polarity_right += u32::from(polarity == example.sentiment);
        if intent != example.intent {
            misses.push(format!("  {} → {intent}: {}", example.intent, example.text));
        }
        *confusion.entry((example.intent.clone(), intent)).or_default() += 1;
    }

    let count = |expected: Option<&str>, predicted: Option<&str>| -> u32 {
        confusion
            .iter()
            .filter(|((e, p), _)| expected.is_none_or(|x| x == e) && predicted.is_none_or(|x| x == p))
            .map(|(_, n)| n)
            .sum()
    };
    println!("| intent | support | precision | recall | F1 |");
    println!("|---|---:|---:|---:|---:|");
    let mut f1_sum = 0.0;
    for intent in INTENTS {
        let tp = f64::from(count(Some(intent), Some(intent)));
        let predicted = f64::from(count(None, Some(intent)));
        let support = count(Some(intent), None);
        let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
        let recall = if support > 0 { tp / f64::from(support) } else { 0.0 };
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        f1_sum += f1;
        println!("| {intent} | {support} | {precision:.3} | {recall:.3} | {f1:.3} |");
    }
    let macro_f1 = f1_sum / INTENTS.len() as f64;
    let correct: u32 = INTENTS.iter().map(|intent| count(Some(intent), Some(intent))).sum();
    let accuracy = f64::from(correct) / examples.len() as f64;
    let polarity_accuracy = f64::from(polarity_right) / examples.len() as f64;
    println!("| **macro** | {} | | | **{macro_f1:.3}** |", examples.len());
    println!();
    println!(
        "intent accuracy {accuracy:.3}; sentiment polarity accuracy {polarity_accuracy:.3} ({polarity_right}/{})",
        examples.len()
    );
    println!("misclassified:\n{}", misses.join("\n"));

    assert!(macro_f1 >= MACRO_F1_FLOOR, "macro-F1 {macro_f1:.3} fell below {MACRO_F1_FLOOR}");
    assert!(
        polarity_accuracy >= POLARITY_ACCURACY_FLOOR,
        "sentiment polarity accuracy {polarity_accuracy:.3} fell below {POLARITY_ACCURACY_FLOOR}"
    );
}
