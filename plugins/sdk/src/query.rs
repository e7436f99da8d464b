//! Constructors for the queries of capability-gated reads.

use crate::{AgentQuery, Channel, KbQuery, Skill};

/// How many knowledge-base hits a query asks for unless told otherwise.
pub const DEFAULT_KB_LIMIT: u32 = 5;

impl KbQuery {
    /// A search for `text` over every space, returning up to [`DEFAULT_KB_LIMIT`] hits.
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), space: None, tags: Vec::new(), limit: DEFAULT_KB_LIMIT }
    }

    /// Search only this knowledge space.
    pub fn space(mut self, space: impl Into<String>) -> Self {
        self.space = Some(space.into());
        self
    }

    /// Only articles carrying this tag (every tag added must match).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// At most this many hits; the host rejects zero and caps large values.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }
}

impl AgentQuery {
    /// Every online, busy or away agent and every queue; narrow it with the methods below.
    pub fn new() -> Self {
        Self { queue: None, language: None, channel: None, required_skills: Vec::new(), include_offline: false }
    }

    /// Only agents of this queue.
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = Some(queue.into());
        self
    }

    /// Only agents speaking this language (BCP 47, such as `zh` or `zh-CN`).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Only agents serving this channel.
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = Some(channel);
        self
    }

    /// Only agents with `skill` at `level` (0–10) or above; every skill added must match.
    pub fn skill(mut self, skill: impl Into<String>, level: u8) -> Self {
        self.required_skills.push(Skill { name: skill.into(), level });
        self
    }

    /// Include offline agents too (for planning rather than live assignment).
    pub fn include_offline(mut self) -> Self {
        self.include_offline = true;
        self
    }
}

impl Default for AgentQuery {
    fn default() -> Self {
        Self::new()
    }
}
