//! Regulated claims in finance and health replies: promises a regulator forbids (guaranteed
//! returns, cures). Rule sets ship with the plugin; a deployment picks which ones apply.

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSet {
    Finance,
    Health,
}

/// One phrase of a rule. English phrases are matched case-insensitively on word boundaries,
/// Chinese ones as substrings.
struct Phrase {
    rule: &'static str,
    set: RuleSet,
    text: &'static str,
}

const fn p(rule: &'static str, set: RuleSet, text: &'static str) -> Phrase {
    Phrase { rule, set, text }
}

use RuleSet::{Finance as F, Health as H};

#[rustfmt::skip]
const PHRASES: &[Phrase] = &[
    p("claims.finance.guaranteed-returns", F, "guaranteed return"),
    p("claims.finance.guaranteed-returns", F, "guaranteed returns"),
    p("claims.finance.guaranteed-returns", F, "guaranteed profit"),
    p("claims.finance.guaranteed-returns", F, "guaranteed profits"),
    p("claims.finance.guaranteed-returns", F, "guaranteed income"),
    p("claims.finance.guaranteed-returns", F, "guaranteed yield"),
    p("claims.finance.guaranteed-returns", F, "double your money"),
    p("claims.finance.guaranteed-returns", F, "保本保收益"),
    p("claims.finance.guaranteed-returns", F, "保本保息"),
    p("claims.finance.guaranteed-returns", F, "保证收益"),
    p("claims.finance.guaranteed-returns", F, "保证盈利"),
    p("claims.finance.guaranteed-returns", F, "承诺收益"),
    p("claims.finance.guaranteed-returns", F, "刚性兑付"),
    p("claims.finance.guaranteed-returns", F, "稳赚不赔"),
    p("claims.finance.guaranteed-returns", F, "只赚不赔"),
    p("claims.finance.guaranteed-returns", F, "包赚"),
    p("claims.finance.risk-free", F, "risk-free"),
    p("claims.finance.risk-free", F, "risk free"),
    p("claims.finance.risk-free", F, "zero risk"),
    p("claims.finance.risk-free", F, "no risk"),
    p("claims.finance.risk-free", F, "can't lose"),
    p("claims.finance.risk-free", F, "cannot lose"),
    p("claims.finance.risk-free", F, "零风险"),
    p("claims.finance.risk-free", F, "无风险"),
    p("claims.finance.risk-free", F, "没有任何风险"),
    p("claims.health.cure", H, "cure"),
    p("claims.health.cure", H, "cures"),
    p("claims.health.cure", H, "cured"),
    p("claims.health.cure", H, "permanently heal"),
    p("claims.health.cure", H, "根治"),
    p("claims.health.cure", H, "包治"),
    p("claims.health.cure", H, "治愈"),
    p("claims.health.cure", H, "药到病除"),
    p("claims.health.efficacy", H, "100% effective"),
    p("claims.health.efficacy", H, "100 percent effective"),
    p("claims.health.efficacy", H, "guaranteed to work"),
    p("claims.health.efficacy", H, "miracle cure"),
    p("claims.health.efficacy", H, "no side effects"),
    p("claims.health.efficacy", H, "100%有效"),
    p("claims.health.efficacy", H, "百分百有效"),
    p("claims.health.efficacy", H, "无副作用"),
    p("claims.health.efficacy", H, "神药"),
];

/// Words that, right before a phrase, deny it: "this fund is not risk-free", "不保证收益".
const NEGATIONS_EN: &[&str] = &["not ", "never ", "no ", "isn't ", "aren't ", "cannot ", "can't ", "without "];
const NEGATIONS_ZH: &[&str] = &["不", "非", "并非", "不是", "无法", "不能", "不会", "没有"];

/// A matched claim: `text[start..end]` breaks `rule`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
}

/// Every claim of the enabled rule sets in `text`, in order, overlaps resolved to the longest.
pub fn scan(text: &str, sets: &[RuleSet]) -> Vec<Claim> {
    if text.is_empty() || sets.is_empty() {
        return Vec::new();
    }
    // ASCII lowercasing keeps every byte offset, so spans found here are spans of `text`.
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut found: Vec<Claim> = Vec::new();
    for phrase in PHRASES.iter().filter(|p| sets.contains(&p.set)) {
        let english = phrase.text.is_ascii();
        for (start, _) in lower.match_indices(phrase.text) {
            let end = start + phrase.text.len();
            if english
                && (start > 0 && bytes[start - 1].is_ascii_alphanumeric()
                    || bytes.get(end).is_some_and(u8::is_ascii_alphanumeric))
            {
                continue;
            }
            let before = &lower[..start];
            let negated = if english {
                NEGATIONS_EN.iter().any(|n| before.ends_with(n))
            } else {
                NEGATIONS_ZH.iter().any(|n| before.ends_with(n))
            };
            if !negated {
                found.push(Claim { rule: phrase.rule, start, end });
            }
        }
    }
    found.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
    let mut kept: Vec<Claim> = Vec::with_capacity(found.len());
    for claim in found {
        if kept.last().is_none_or(|k| claim.start >= k.end) {
            kept.push(claim);
        }
    }
    kept
}
