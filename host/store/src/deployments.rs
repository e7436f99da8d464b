//! Deployments: a named, operator-configured use of one published plugin version. Changes are
//! guarded by a revision number so two operators editing at once cannot silently overwrite each
//! other.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::entity::deployment;
use crate::error::is_unique_violation;
use crate::{Store, StoreError, validate};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeploymentRecord {
    pub name: String,
    pub plugin: String,
    pub version: String,
    /// Capabilities the operator granted; the host enforces these and the manifest's together.
    pub grants: Vec<String>,
    pub config: serde_json::Value,
    pub limits: serde_json::Value,
    /// 1 on creation, +1 on every change. Pass it back as `if_revision` to update safely.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// The desired state of a deployment.
#[derive(Clone, Debug, PartialEq)]
pub struct DeploymentSpec {
    pub name: String,
    pub plugin: String,
    pub version: String,
    pub grants: Vec<String>,
    /// A JSON object; `null` means `{}`.
    pub config: serde_json::Value,
    /// A JSON object; `null` means `{}`.
    pub limits: serde_json::Value,
    pub updated_by: String,
}

impl Store {
    /// Creates the deployment at revision 1 or replaces it with revision + 1.
    ///
    /// `if_revision` makes the write conditional: `Some(n)` succeeds only if the deployment is at
    /// revision `n` now, `Some(0)` only if it does not exist yet; a mismatch is
    /// [`StoreError::RevisionConflict`] carrying the current revision (0 when absent). `None`
    /// writes unconditionally.
    pub async fn put_deployment(
        &self,
        spec: DeploymentSpec,
        if_revision: Option<i64>,
    ) -> Result<DeploymentRecord, StoreError> {
        validate::slug("deployment name", &spec.name)?;
        for grant in &spec.grants {
            validate::token("grant", grant)?;
        }
        validate::label("updated_by", &spec.updated_by, 128)?;
        let config = object_or_empty("config", spec.config)?;
        let limits = object_or_empty("limits", spec.limits)?;
        // Published versions are never deleted, so checking outside the transaction is safe.
        if self.plugin_row(&spec.plugin, &spec.version).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "plugin {}@{} is not in the registry; publish it first (`weft plugin publish`) \
                 or pick a published version (`weft plugin list`)",
                spec.plugin, spec.version
            )));
        }
        let grants = serde_json::Value::from(spec.grants);
        let now = crate::now();

        let txn = self.db.begin().await?;
        // Update first: the write takes the database's write lock at once (on SQLite, a
        // read-then-write transaction could fail to upgrade its lock under contention), and a
        // conditional UPDATE is a compare-and-swap on both backends.
        let mut update = deployment::Entity::update_many()
            .col_expr(deployment::Column::Plugin, Expr::value(spec.plugin.clone()))
            .col_expr(deployment::Column::Version, Expr::value(spec.version.clone()))
            .col_expr(deployment::Column::Grants, Expr::value(grants.clone()))
            .col_expr(deployment::Column::Config, Expr::value(config.clone()))
            .col_expr(deployment::Column::Limits, Expr::value(limits.clone()))
            .col_expr(deployment::Column::Revision, Expr::col(deployment::Column::Revision).add(1))
            .col_expr(deployment::Column::UpdatedAt, Expr::value(now))
            .col_expr(deployment::Column::UpdatedBy, Expr::value(spec.updated_by.clone()))
            .filter(deployment::Column::Name.eq(&spec.name));
        if let Some(expected) = if_revision {
            update = update.filter(deployment::Column::Revision.eq(expected));
        }
        let updated = update.exec(&txn).await?.rows_affected;

        let row = if updated == 1 {
            deployment::Entity::find_by_id(spec.name.clone()).one(&txn).await?.ok_or_else(|| {
                StoreError::Internal(format!("deployment {} was updated but cannot be read back", spec.name))
            })?
        } else {
            let current = deployment::Entity::find_by_id(spec.name.clone()).one(&txn).await?;
            if let Some(current) = current {
                // It exists, so the update missed only because the revision did not match.
                return Err(conflict(&spec.name, current.revision));
            }
            if let Some(expected) = if_revision.filter(|r| *r != 0) {
                tracing::debug!(deployment = %spec.name, expected, "deployment does not exist");
                return Err(conflict(&spec.name, 0));
            }
            let inserted = deployment::ActiveModel {
                name: Set(spec.name.clone()),
                plugin: Set(spec.plugin.clone()),
                version: Set(spec.version.clone()),
                grants: Set(grants),
                config: Set(config),
                limits: Set(limits),
                revision: Set(1),
                updated_at: Set(now),
                updated_by: Set(spec.updated_by.clone()),
            }
            .insert(&txn)
            .await;
            match inserted {
                Ok(row) => row,
                // Created concurrently by someone else: the caller's view is stale either way.
                Err(err) if is_unique_violation(&err) => {
                    txn.rollback().await?;
                    let current = self.get_deployment(&spec.name).await?.map_or(1, |d| d.revision);
                    return Err(conflict(&spec.name, current));
                }
                Err(err) => return Err(err.into()),
            }
        };
        txn.commit().await?;

        tracing::info!(
            deployment = %row.name, plugin = %row.plugin, version = %row.version,
            revision = row.revision, updated_by = %row.updated_by, "deployment saved"
        );
        to_record(row)
    }

    pub async fn get_deployment(&self, name: &str) -> Result<Option<DeploymentRecord>, StoreError> {
        deployment::Entity::find_by_id(name.to_owned()).one(&self.db).await?.map(to_record).transpose()
    }

    /// All deployments, by name.
    pub async fn list_deployments(&self) -> Result<Vec<DeploymentRecord>, StoreError> {
        deployment::Entity::find()
            .order_by_asc(deployment::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_record)
            .collect()
    }
}

fn conflict(name: &str, current: i64) -> StoreError {
    tracing::info!(
        deployment = %name, current, error.type = "deployment_revision_conflict",
        "refused a deployment change made against a stale revision"
    );
    StoreError::RevisionConflict { current }
}

fn object_or_empty(field: &str, value: serde_json::Value) -> Result<serde_json::Value, StoreError> {
    match value {
        serde_json::Value::Null => Ok(serde_json::Value::Object(Default::default())),
        serde_json::Value::Object(_) => Ok(value),
        other => Err(StoreError::Invalid(format!(
            "deployment {field} must be a JSON object (use {{}} for none), not {other}"
        ))),
    }
}

fn to_record(row: deployment::Model) -> Result<DeploymentRecord, StoreError> {
    let grants = serde_json::from_value(row.grants).map_err(|err| {
        StoreError::Corrupt(format!("deployment {}: grants are not a list of strings ({err})", row.name))
    })?;
    Ok(DeploymentRecord {
        name: row.name,
        plugin: row.plugin,
        version: row.version,
        grants,
        config: row.config,
        limits: row.limits,
        revision: row.revision,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    })
}
