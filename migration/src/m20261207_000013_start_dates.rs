//! When expected days start: an employee's employment start date (`employees.start_date`,
//! optional) and the company's first moment of attendance (`companies.attendance_started_at`:
//! its earliest check-in, first employee, or the first moment a finished pull covered). Days
//! without check-ins (absences, leave, holidays) are stored from the later of the two. Also
//! indexes schedule assignments by the employee and department they cover, so the day rules
//! read only the assignments that can apply.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Companies::AttendanceStartedAt,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Employees::Table)
                    .add_column(date_null(Employees::StartDate))
                    .to_owned(),
            )
            .await?;
        // What was known before: the company's first check-in or first employee.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE companies SET attendance_started_at = (
                   SELECT min(first) FROM (
                     SELECT min(captured_at) AS first FROM checkins WHERE checkins.company_id = companies.id
                     UNION ALL
                     SELECT min(created_at) AS first FROM employees WHERE employees.company_id = companies.id
                   ) AS firsts
                 )",
            )
            .await?;
        for (name, column) in [
            (
                "idx_schedule_assignments_employee",
                ScheduleAssignments::EmployeeId,
            ),
            (
                "idx_schedule_assignments_department",
                ScheduleAssignments::DepartmentId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ScheduleAssignments::Table)
                        .col(ScheduleAssignments::CompanyId)
                        .col(column)
                        .col(ScheduleAssignments::FromDate)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261207_000013_start_dates cannot be reverted".to_owned(),
        ))
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    AttendanceStartedAt,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    StartDate,
}

#[derive(DeriveIden)]
enum ScheduleAssignments {
    Table,
    CompanyId,
    EmployeeId,
    DepartmentId,
    FromDate,
}
