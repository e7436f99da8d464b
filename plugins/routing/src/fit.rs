//! Which agents fit a ticket, why the others do not, and who goes first among those that fit.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use weft_plugin::prelude::*;

/// What a ticket needs from an agent.
pub struct Needs<'a> {
    pub channel: Channel,
    /// Primary language subtag (`zh`), lower-cased; None when the ticket's language is unknown.
    pub language: Option<&'a str>,
    /// Skill → minimum level, the queue's own skills merged with the route's.
    pub required: &'a BTreeMap<String, u8>,
    /// Skill → minimum level, required too until they relax.
    pub optional: &'a BTreeMap<String, u8>,
    pub optional_required: bool,
    pub senior: bool,
}

/// Why an agent does not fit, in the order checked (the first reason counts).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Misfit {
    NotOnline,
    NoChannel,
    AtCapacity,
    Language,
    NotSenior,
    Skill(String, u8),
    OptionalSkill(String, u8),
}

impl Misfit {
    fn describe(&self, needs: &Needs) -> String {
        match self {
            Misfit::NotOnline => "not online".into(),
            Misfit::NoChannel => format!("not serving {}", needs.channel.as_str()),
            Misfit::AtCapacity => format!("at capacity on {}", needs.channel.as_str()),
            Misfit::Language => format!("not speaking {}", needs.language.unwrap_or("the ticket's language")),
            Misfit::NotSenior => "not senior".into(),
            Misfit::Skill(skill, level) | Misfit::OptionalSkill(skill, level) => format!("below {skill} {level}"),
        }
    }
}

/// The first reason `agent` does not fit, or None when it does.
pub fn misfit(agent: &Agent, needs: &Needs) -> Option<Misfit> {
    // `busy` and `away` agents keep their conversations but take no new ones.
    if agent.presence != Presence::Online {
        return Some(Misfit::NotOnline);
    }
    let Some(load) = channel_load(agent, needs.channel) else {
        return Some(Misfit::NoChannel);
    };
    if load.active >= load.capacity {
        return Some(Misfit::AtCapacity);
    }
    if let Some(language) = needs.language
        && !speaks(&agent.languages, language)
    {
        return Some(Misfit::Language);
    }
    if needs.senior && !agent.senior {
        return Some(Misfit::NotSenior);
    }
    if let Some((skill, level)) = needs.required.iter().find(|(skill, level)| skill_level(agent, skill) < **level) {
        return Some(Misfit::Skill(skill.clone(), *level));
    }
    if needs.optional_required
        && let Some((skill, level)) = needs.optional.iter().find(|(skill, level)| skill_level(agent, skill) < **level)
    {
        return Some(Misfit::OptionalSkill(skill.clone(), *level));
    }
    None
}

/// "2 not online, 1 at capacity on chat, 1 below billing 5": why nobody fit, most common first.
pub fn summarize(misfits: &[Misfit], needs: &Needs) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for misfit in misfits {
        *counts.entry(misfit.describe(needs)).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.iter().map(|(what, n)| format!("{n} {what}")).collect::<Vec<_>>().join(", ")
}

/// Best first: more optional skills met, then least loaded on the channel (as a share of
/// capacity, so a 2-of-4 agent is as loaded as a 1-of-2 one), then idle longest (round-robin
/// fairness; an agent never assigned counts as idle longest), then id so the order is total.
pub fn rank(candidates: &mut [&Agent], needs: &Needs) {
    candidates.sort_by(|a, b| {
        optional_met(b, needs)
            .cmp(&optional_met(a, needs))
            .then_with(|| compare_load(a, b, needs.channel))
            .then_with(|| a.idle_since.unwrap_or(i64::MIN).cmp(&b.idle_since.unwrap_or(i64::MIN)))
            .then_with(|| a.id.cmp(&b.id))
    });
}

fn optional_met(agent: &Agent, needs: &Needs) -> usize {
    needs.optional.iter().filter(|(skill, level)| skill_level(agent, skill) >= **level).count()
}

fn compare_load(a: &Agent, b: &Agent, channel: Channel) -> Ordering {
    // active/capacity compared by cross-multiplication: exact, no floats. Capacity is non-zero
    // here because an agent at capacity (including 0 of 0) never fits.
    let ratio =
        |agent: &Agent| channel_load(agent, channel).map_or((1, 1), |l| (u64::from(l.active), u64::from(l.capacity)));
    let (a_active, a_capacity) = ratio(a);
    let (b_active, b_capacity) = ratio(b);
    (a_active * b_capacity).cmp(&(b_active * a_capacity))
}

pub fn channel_load(agent: &Agent, channel: Channel) -> Option<&ChannelLoad> {
    agent.load.iter().find(|load| load.channel == channel)
}

/// The agent's level in `skill`, 0 when absent. A directory entry above 10 counts as 10, so a
/// typo in the directory cannot outrank a real expert by more than the scale allows.
pub fn skill_level(agent: &Agent, skill: &str) -> u8 {
    agent
        .skills
        .iter()
        .filter(|s| s.name == skill)
        .map(|s| s.level.min(crate::config::MAX_SKILL_LEVEL))
        .max()
        .unwrap_or(0)
}

/// Whether any of `languages` (BCP 47 tags) has the primary subtag `language` (`zh` matches
/// `zh-CN`).
pub fn speaks(languages: &[String], language: &str) -> bool {
    languages.iter().any(|tag| weft_plugin::primary_subtag(tag).as_deref() == Some(language))
}
