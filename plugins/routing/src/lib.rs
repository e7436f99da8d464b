//! Routing: skills-based assignment over the agent directory.
//!
//! Picks the queue for the ticket's intent (from the triage step), asks the host for that queue's
//! agents on the ticket's channel (capability `agents.read`), keeps those who are online, have
//! room on the channel, speak the language, have the skills (and seniority, for an upset
//! customer), and assigns the best by least load, then longest idle. Optional skills are required
//! until the ticket has waited `relax_optional_after_ms`; until then a ticket only they could
//! serve waits in the queue. Nobody fits: the ticket goes to the overflow queue with the reason.
//! See README.md for the rules and config.

mod config;
mod fit;

use std::collections::BTreeMap;

use weft_plugin::prelude::*;

use crate::config::{Config, ResolvedRoute};
use crate::fit::{Misfit, Needs, misfit, rank, speaks, summarize};

fn decide(input: StepInput) -> Result<Decision, StepError> {
    let config: Config = host::config()?;
    config.validate()?;
    let ticket = &input.ticket;
    let intent = intent_of(&input, &config);
    let sentiment = input.output_of(&config.triage_step, "sentiment").and_then(|v| v.as_f64()).unwrap_or(0.0);
    let route = config.route_for(&intent);
    let high_value = ticket.customer.tier.is_high_value()
        || config.high_value_lifetime_cents.is_some_and(|floor| ticket.customer.lifetime_value_cents >= floor);
    let senior = sentiment <= config.senior_at_or_below_sentiment;
    let waited = host::now().saturating_sub(ticket.created_at).max(0);
    let relaxed = waited >= config.relax_optional_after_ms;
    let language =
        ticket.primary_language().or_else(|| ticket.customer.language.as_deref().and_then(weft_plugin::primary_subtag));

    let directory = host::agent_directory(AgentQuery::new().queue(&route.queue).channel(ticket.channel))?;
    let facts = Facts { intent: &intent, high_value, senior, relaxed, language: language.as_deref() };
    let routed = route_ticket(&directory, &route, ticket.channel, &facts);
    weft_plugin::info!(
        "ticket {}: intent {intent} → queue {}, agent {}, overflow {}",
        ticket.id,
        routed.queue,
        routed.agent.as_deref().unwrap_or("-"),
        routed.overflow
    );
    Ok(decision(routed, &facts, sentiment))
}

/// What routing decided from, besides the directory.
struct Facts<'a> {
    intent: &'a str,
    high_value: bool,
    senior: bool,
    relaxed: bool,
    language: Option<&'a str>,
}

struct Routed {
    queue: String,
    agent: Option<String>,
    overflow: bool,
    reason: String,
    candidates: usize,
    optional_relaxed: bool,
}

/// The intent from the triage step's output, else an `intent:<x>` tag, else `other`.
fn intent_of(input: &StepInput, config: &Config) -> String {
    input
        .output_of(&config.triage_step, "intent")
        .and_then(|value| value.as_str().map(str::to_owned))
        .or_else(|| input.ticket.tags.iter().find_map(|tag| tag.strip_prefix("intent:").map(str::to_owned)))
        .filter(|intent| !intent.is_empty())
        .unwrap_or_else(|| "other".to_owned())
}

fn route_ticket(directory: &Directory, route: &ResolvedRoute, channel: Channel, facts: &Facts) -> Routed {
    let overflow = |reason: String| Routed {
        queue: route.overflow_queue.clone(),
        agent: None,
        overflow: true,
        reason,
        candidates: 0,
        optional_relaxed: facts.relaxed,
    };
    let Some(queue) = directory.queues.iter().find(|queue| queue.id == route.queue) else {
        return overflow(format!(
            "queue {} is not in the agent directory; create it with `weft agent queue add {}` or fix the route",
            route.queue, route.queue
        ));
    };
    if let Some(language) = facts.language
        && !queue.languages.is_empty()
        && !speaks(&queue.languages, language)
    {
        return overflow(format!(
            "queue {} serves {}; the ticket is in {language}",
            queue.id,
            queue.languages.join(", ")
        ));
    }

    let mut required: BTreeMap<String, u8> = route.required.clone();
    for skill in &queue.skills {
        let level = required.entry(skill.name.clone()).or_default();
        *level = (*level).max(skill.level.min(config::MAX_SKILL_LEVEL));
    }
    let strict = Needs {
        channel,
        language: facts.language,
        required: &required,
        optional: &route.optional,
        optional_required: !facts.relaxed && !route.optional.is_empty(),
        senior: facts.senior,
    };
    let (mut fitting, misfits) = partition(&directory.agents, &strict);
    if fitting.is_empty() && strict.optional_required {
        // Someone could serve the ticket without the optional skills: let it wait in the queue
        // for a better-skilled agent until the skills relax, rather than overflow.
        let relaxed = Needs { optional_required: false, ..strict };
        let (could, _) = partition(&directory.agents, &relaxed);
        if !could.is_empty() {
            return Routed {
                queue: queue.id.clone(),
                agent: None,
                overflow: false,
                reason: format!(
                    "waiting in {} for an agent with {}; {} other agent(s) fit once optional skills relax",
                    queue.id,
                    skills_text(&route.optional),
                    could.len()
                ),
                candidates: 0,
                optional_relaxed: false,
            };
        }
    }
    if fitting.is_empty() {
        let who = if directory.agents.is_empty() {
            format!("queue {} has no agents on {}", queue.id, channel.as_str())
        } else {
            format!("no agent of {} fits: {}", queue.id, summarize(&misfits, &strict))
        };
        return overflow(who);
    }
    rank(&mut fitting, &strict);
    let best = fitting[0];
    let mut why = vec![format!("{} of {} agent(s) fit", fitting.len(), directory.agents.len())];
    if !required.is_empty() {
        why.push(format!("skills {}", skills_text(&required)));
    }
    if facts.senior {
        why.push("senior for a strongly negative mood".into());
    }
    if fitting.len() > 1 {
        why.push("least loaded, then longest idle".into());
    }
    Routed {
        queue: queue.id.clone(),
        agent: Some(best.id.clone()),
        overflow: false,
        reason: format!("{} → {} in {}", why.join("; "), best.id, queue.id),
        candidates: fitting.len(),
        optional_relaxed: facts.relaxed && !route.optional.is_empty(),
    }
}

fn partition<'a>(agents: &'a [Agent], needs: &Needs) -> (Vec<&'a Agent>, Vec<Misfit>) {
    let mut fitting = Vec::new();
    let mut misfits = Vec::new();
    for agent in agents {
        match misfit(agent, needs) {
            None => fitting.push(agent),
            Some(why) => misfits.push(why),
        }
    }
    (fitting, misfits)
}

fn skills_text(skills: &BTreeMap<String, u8>) -> String {
    skills.iter().map(|(skill, level)| format!("{skill} ≥ {level}")).collect::<Vec<_>>().join(", ")
}

fn decision(routed: Routed, facts: &Facts, sentiment: f64) -> Decision {
    let mut assign = effect::assign(&routed.queue).reason(&routed.reason);
    if let Some(agent) = &routed.agent {
        assign = assign.agent(agent);
    }
    let priority = if facts.high_value { "high" } else { "normal" };
    let mut decision = Decision::proceed().reason(format!("intent {} → queue {}", facts.intent, routed.queue));
    if facts.high_value {
        decision = decision.reason("high-value customer: ahead in the queue");
    }
    decision = decision
        .reason(if routed.overflow { format!("overflow: {}", routed.reason) } else { routed.reason.clone() })
        .output("queue", &routed.queue)
        .output("agent", &routed.agent)
        .output("overflow", &routed.overflow)
        .output("overflow_reason", &routed.overflow.then_some(&routed.reason))
        .output("priority", priority)
        .output("senior_required", &facts.senior)
        .output("optional_relaxed", &routed.optional_relaxed)
        .output("candidates", &routed.candidates)
        .output("intent", facts.intent)
        .output("sentiment", &sentiment)
        .effect(assign);
    if facts.high_value {
        decision = decision.effect(effect::tag().add("priority:high"));
    }
    decision
}

weft_plugin::export_step!(decide);

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
