//! A requested timesheet export: what to write and until when its download URL works. The file
//! is written while it downloads, so any process can serve it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "timesheet_exports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub created_by: Uuid,
    /// `YYYY-MM`.
    pub month: String,
    /// `CSV` or `XLSX`.
    pub format: String,
    /// The employee filter, as JSON.
    pub filter: Option<String>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
