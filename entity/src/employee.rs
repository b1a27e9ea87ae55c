//! An employee of a company. `employee_code` is unique per company and is the `aliasID`
//! the camera vendor knows the person by.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub department_id: Option<Uuid>,
    pub employee_code: String,
    /// Lower-cased `employee_code`: codes are unique and matched case-insensitively (photo file
    /// names arrive in any case).
    pub employee_code_key: String,
    pub full_name: String,
    /// Lower-cased copy of `full_name` for case-insensitive search on every backend.
    pub full_name_search: String,
    pub email: Option<String>,
    pub title: Option<String>,
    pub work_status: WorkStatus,
    /// The HR profile picture; never sent to the camera vendor.
    pub profile_picture_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The current face photo (`face_photos.id`).
    pub face_photo_id: Option<Uuid>,
    pub face_sync_status: FaceSyncStatus,
    /// The person the camera vendor knows this employee as.
    pub hanet_person_id: Option<String>,
    /// What was last pushed to the vendor, to tell what changed since.
    pub synced_photo_sha256: Option<String>,
    pub synced_name: Option<String>,
    pub synced_title: Option<String>,
    pub last_synced_at: Option<DateTimeUtc>,
    pub last_sync_error: Option<String>,
    pub last_sync_error_code: Option<i64>,
    /// When the person was removed from Hanet (a leaver); face photos are deleted a retention
    /// period later.
    pub removed_from_hanet_at: Option<DateTimeUtc>,
    /// The last change that an automatic sync has still to carry to Hanet.
    pub auto_sync_changed_at: Option<DateTimeUtc>,
    /// The first day the employee is expected at work (employment start); none: the company's
    /// first day of attendance.
    pub start_date: Option<Date>,
}

/// Where the employee's face stands with the camera vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum FaceSyncStatus {
    #[sea_orm(string_value = "NO_PHOTO")]
    NoPhoto,
    #[sea_orm(string_value = "NOT_SYNCED")]
    NotSynced,
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "SYNCED")]
    Synced,
    #[sea_orm(string_value = "OUTDATED")]
    Outdated,
    #[sea_orm(string_value = "REMOVED")]
    Removed,
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum WorkStatus {
    #[sea_orm(string_value = "WORKING")]
    Working,
    #[sea_orm(string_value = "UNPAID_LEAVE")]
    UnpaidLeave,
    #[sea_orm(string_value = "MATERNITY_LEAVE")]
    MaternityLeave,
    #[sea_orm(string_value = "RESIGNED")]
    Resigned,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
