//! One unit of a job: an employee to push, or a time slice to pull.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_job_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub job_id: Uuid,
    /// Order within the job.
    pub seq: i32,
    pub employee_id: Option<Uuid>,
    /// What the item is about, for people: the employee code, or the time slice.
    pub label: String,
    /// Kind-specific parameters (JSON).
    pub params: Option<String>,
    pub status: ItemStatus,
    pub action: Option<String>,
    pub attempts: i32,
    pub hanet_code: Option<i64>,
    pub error_code: Option<String>,
    pub error: Option<String>,
    /// The job's done count when this item finished (orders progress events).
    pub finish_seq: Option<i32>,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// The worker (lease owner) that claimed the item last.
    pub claimed_by: Option<String>,
    /// Until when that claim holds; an item of a live claim is never run by another worker.
    pub lease_expires_at: Option<DateTimeUtc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ItemStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "RUNNING")]
    Running,
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
