//! The intents triage distinguishes.

/// A customer's reason for writing. `Other` is what remains when no intent has enough evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Intent {
    Refund,
    Billing,
    Delivery,
    Account,
    Technical,
    Complaint,
    Other,
}

impl Intent {
    /// The intents that lexicon terms vote for, in tie-break order: on equal evidence the more
    /// actionable intent wins, and `complaint` only wins outright.
    pub const SCORED: [Intent; 6] =
        [Intent::Refund, Intent::Billing, Intent::Delivery, Intent::Account, Intent::Technical, Intent::Complaint];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Refund => "refund",
            Intent::Billing => "billing",
            Intent::Delivery => "delivery",
            Intent::Account => "account",
            Intent::Technical => "technical",
            Intent::Complaint => "complaint",
            Intent::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<Intent> {
        Intent::SCORED.into_iter().chain([Intent::Other]).find(|intent| intent.as_str() == name)
    }

    /// Position in [`Intent::SCORED`]; `None` for `Other`.
    pub fn index(self) -> Option<usize> {
        Intent::SCORED.iter().position(|&intent| intent == self)
    }
}
