//! A queue in the agent directory: the skills and languages it needs, and where it overflows.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_queues")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    /// JSON array of `{name, level}` every agent of the queue needs.
    pub skills: Json,
    /// JSON array of BCP 47 tags the queue serves; empty for any.
    pub languages: Json,
    /// The queue that takes this one's tickets when nobody here fits.
    pub overflow_queue: Option<String>,
    pub updated_at: DateTimeUtc,
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
