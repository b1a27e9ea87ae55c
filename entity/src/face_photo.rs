//! A normalised face photo of an employee. The bytes are in the object store under
//! `storage_key`; the HR profile picture is separate and never sent to the camera vendor.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "face_photos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub employee_id: Uuid,
    /// SHA-256 (hex) of the normalised JPEG.
    pub sha256: String,
    pub width: i32,
    pub height: i32,
    pub byte_size: i64,
    pub storage_key: String,
    pub original_file_name: Option<String>,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
