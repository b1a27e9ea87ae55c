//! One raw check-in: a camera saw a person (or a stranger) at a moment.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checkins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// `capture-ms|place|device|person`: the same sighting from the webhook and from a pull.
    pub dedupe_key: String,
    /// `WEBHOOK`, `PULL` or `MANUAL`.
    pub source: String,
    pub event_id: Option<String>,
    pub place_id: String,
    pub place_name: Option<String>,
    pub device_id: String,
    pub device_name: Option<String>,
    /// 0 employee, 1 customer, 2–5 stranger, 6 snapshot, 28 alarm (Hanet's codes).
    pub person_type: i32,
    pub hanet_person_id: Option<String>,
    pub alias_id: Option<String>,
    pub person_name: Option<String>,
    pub person_title: Option<String>,
    pub snapshot_url: Option<String>,
    pub captured_at: DateTimeUtc,
    /// The employee the alias matched, if any.
    pub employee_id: Option<Uuid>,
    pub received_at: DateTimeUtc,
    /// Lower-cased alias, to map check-ins to an employee created (or renamed) later.
    pub alias_key: Option<String>,
    /// Whether the check-in counts as attendance: taken at the company's selected place when it
    /// was stored. Others are kept and listed but belong to no day.
    pub counts_for_attendance: bool,
    /// A voided check-in is kept but belongs to no day.
    pub voided_at: Option<DateTimeUtc>,
    pub voided_by: Option<Uuid>,
    pub void_reason: Option<String>,
    /// Who added a `MANUAL` check-in.
    pub created_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
