//! Turns the evidence into the step's figures.

use crate::intent::Intent;
use crate::lexicon::Lexicon;
use crate::scan::Evidence;

/// A text is Chinese (or English) when at least this share of it is; otherwise it is mixed.
/// An English word counts as two Chinese characters, about the same amount of meaning.
const LANGUAGE_SHARE: f64 = 0.85;
const CJK_CHARS_PER_WORD: f64 = 2.0;

/// Evidence that makes the intent confidence reach 1 − 1/e ≈ 0.63 on its own.
const EVIDENCE_SCALE: f64 = 1.5;

pub struct Triage {
    pub intent: Intent,
    /// Each scored intent's share of all intent evidence, in [`Intent::SCORED`] order.
    pub intent_scores: [f64; 6],
    pub sentiment: f64,
    pub negative_share: f64,
    pub urgency: bool,
    pub urgency_terms: Vec<String>,
    pub confidence: f64,
    pub language: &'static str,
    /// The terms behind the chosen intent, for the reasons.
    pub intent_terms: Vec<String>,
    /// Whether the text was longer than the plugin reads (set by the caller).
    pub truncated: bool,
}

pub fn score(lexicon: &Lexicon, evidence: &Evidence) -> Triage {
    let total: f64 = evidence.intent_weight.iter().sum();
    // The first maximum in tie-break order.
    let (best, top) = evidence
        .intent_weight
        .iter()
        .copied()
        .enumerate()
        .fold((0, 0.0), |(best, top), (index, weight)| if weight > top { (index, weight) } else { (best, top) });
    let has_text = evidence.cjk_chars + evidence.latin_words > 0 || evidence.sentences > 0;

    let (intent, confidence) = if top >= lexicon.min_intent_score {
        // Confident when there is much evidence and little of it points elsewhere.
        (Intent::SCORED[best], (top / total) * (1.0 - (-top / EVIDENCE_SCALE).exp()))
    } else if has_text {
        // "Other" is surer the further the best intent falls short of the threshold.
        (Intent::Other, 0.5 * (1.0 - top / lexicon.min_intent_score))
    } else {
        (Intent::Other, 0.0)
    };

    let intent_scores = evidence.intent_weight.map(|weight| if total > 0.0 { round3(weight / total) } else { 0.0 });
    let intent_terms = match intent.index() {
        Some(index) => {
            evidence.intent_terms[index].iter().map(|&id| lexicon.terms[id as usize].text.to_string()).collect()
        }
        None => Vec::new(),
    };

    // +1 in the denominator: one mild word should not read as an extreme.
    let sentiment = (evidence.positive - evidence.negative) / (evidence.positive + evidence.negative + 1.0);
    let negative_share =
        if evidence.sentences > 0 { evidence.negative_sentences as f64 / evidence.sentences as f64 } else { 0.0 };

    Triage {
        intent,
        intent_scores,
        sentiment: round3(sentiment.clamp(-1.0, 1.0)),
        negative_share: round3(negative_share),
        urgency: evidence.urgency_hits >= lexicon.urgency_min_terms,
        urgency_terms: evidence.urgency_terms.iter().map(|&id| lexicon.terms[id as usize].text.to_string()).collect(),
        confidence: round3(confidence.clamp(0.0, 1.0)),
        language: language(evidence),
        intent_terms,
        truncated: false,
    }
}

fn language(evidence: &Evidence) -> &'static str {
    let zh = evidence.cjk_chars as f64;
    let en = evidence.latin_words as f64 * CJK_CHARS_PER_WORD;
    if zh + en == 0.0 {
        return "unknown";
    }
    let share = zh / (zh + en);
    if share >= LANGUAGE_SHARE {
        "zh"
    } else if share <= 1.0 - LANGUAGE_SHARE {
        "en"
    } else {
        "mixed"
    }
}

/// Three decimals: enough for thresholds, and stable in stored runs and fixtures.
fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
