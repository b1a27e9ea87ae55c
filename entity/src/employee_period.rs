//! An employee's department and work status from a day on, until their next period. The first
//! period starts on 1970-01-01: what an employee was when created applies to every earlier day.

use sea_orm::entity::prelude::*;

use crate::employee::WorkStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employee_periods")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub employee_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub from_date: Date,
    pub company_id: Uuid,
    pub department_id: Option<Uuid>,
    pub work_status: WorkStatus,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
