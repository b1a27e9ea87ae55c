//! The automatic sync's marks: a change the cameras must follow (photo, name, title,
//! department, work status) marks the employee, when the company has `autoSync` on; the sync's
//! rounds (`sync::auto`) queue the marked employees and clear the marks.

use chrono::Utc;
use entity::{company, employee};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::error::ApiResult;

/// Marks employees changed, when their company has `autoSync` on (one statement: the company's
/// setting is read by the update itself).
pub async fn touch(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    employee_ids: &[Uuid],
) -> ApiResult<()> {
    if employee_ids.is_empty() {
        return Ok(());
    }
    employee::Entity::update_many()
        .col_expr(
            employee::Column::AutoSyncChangedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(employee::Column::Id.is_in(employee_ids.iter().copied()))
        .filter(
            employee::Column::CompanyId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(company::Column::Id)
                    .from(company::Entity)
                    .and_where(company::Column::Id.eq(company_id))
                    .and_where(company::Column::AutoSync.eq(true))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    Ok(())
}
