//! A human agent in the directory routing reads: skills, languages, queues, per-channel load.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub team: String,
    pub senior: bool,
    /// JSON array of `{name, level}` with levels 0–10.
    pub skills: Json,
    /// JSON array of BCP 47 tags.
    pub languages: Json,
    /// JSON array of queue ids the agent serves.
    pub queues: Json,
    /// online | busy | away | offline.
    pub presence: String,
    /// JSON array of `{channel, capacity, active}`.
    pub load: Json,
    pub last_assigned_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
