//! Work schedules and timesheets (design §8): schedules, who works which (effective-dated),
//! holidays, leave, manual and voided check-ins, the audit log, timesheet exports, and stored
//! days that carry what their schedule said (shift, break, grace, window) beside the check-ins
//! and the status the day rules derive.
//!
//! `attendance_days` is derived data: it is dropped and created again with the new columns, and
//! the server's day-rules version (2) makes startup recompute every company's days.

use sea_orm_migration::{prelude::*, schema::*};

mod idens;

use idens::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend: on SQLite the default runs each statement on any
    /// pooled connection, and under load the new table's indexes collided with the old ones.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkSchedules::Table)
                    .col(uuid(WorkSchedules::Id).primary_key())
                    .col(uuid(WorkSchedules::CompanyId))
                    .col(string_len(WorkSchedules::Name, 100))
                    .col(integer(WorkSchedules::StartMinute))
                    .col(integer(WorkSchedules::EndMinute))
                    .col(integer_null(WorkSchedules::BreakStartMinute))
                    .col(integer_null(WorkSchedules::BreakEndMinute))
                    .col(integer(WorkSchedules::LateGraceMinutes))
                    .col(integer(WorkSchedules::EarlyLeaveGraceMinutes))
                    .col(integer(WorkSchedules::WorkDays))
                    .col(integer(WorkSchedules::CheckInOpensMinutesBefore))
                    .col(integer(WorkSchedules::CheckOutClosesMinutesAfter))
                    .col(timestamp_with_time_zone(WorkSchedules::CreatedAt))
                    .col(timestamp_with_time_zone(WorkSchedules::UpdatedAt))
                    .foreign_key(&mut company_fk(
                        WorkSchedules::Table,
                        WorkSchedules::CompanyId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ScheduleAssignments::Table)
                    .col(uuid(ScheduleAssignments::Id).primary_key())
                    .col(uuid(ScheduleAssignments::CompanyId))
                    .col(uuid(ScheduleAssignments::ScheduleId))
                    .col(uuid_null(ScheduleAssignments::EmployeeId))
                    .col(uuid_null(ScheduleAssignments::DepartmentId))
                    .col(date(ScheduleAssignments::FromDate))
                    .col(date_null(ScheduleAssignments::ToDate))
                    .col(uuid_null(ScheduleAssignments::CreatedBy))
                    .col(timestamp_with_time_zone(ScheduleAssignments::CreatedAt))
                    .foreign_key(&mut company_fk(
                        ScheduleAssignments::Table,
                        ScheduleAssignments::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ScheduleAssignments::Table, ScheduleAssignments::ScheduleId)
                            .to(WorkSchedules::Table, WorkSchedules::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ScheduleAssignments::Table, ScheduleAssignments::EmployeeId)
                            .to(Employees::Table, Employees::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ScheduleAssignments::Table,
                                ScheduleAssignments::DepartmentId,
                            )
                            .to(Departments::Table, Departments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Holidays::Table)
                    .col(uuid(Holidays::Id).primary_key())
                    .col(uuid(Holidays::CompanyId))
                    .col(date(Holidays::Date))
                    .col(string_len(Holidays::Name, 100))
                    .col(timestamp_with_time_zone(Holidays::CreatedAt))
                    .foreign_key(&mut company_fk(Holidays::Table, Holidays::CompanyId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Leaves::Table)
                    .col(uuid(Leaves::Id).primary_key())
                    .col(uuid(Leaves::CompanyId))
                    .col(uuid(Leaves::EmployeeId))
                    .col(date(Leaves::FromDate))
                    .col(date(Leaves::ToDate))
                    .col(string_len(Leaves::Kind, 16))
                    .col(text_null(Leaves::Note))
                    .col(uuid_null(Leaves::CreatedBy))
                    .col(timestamp_with_time_zone(Leaves::CreatedAt))
                    .col(timestamp_with_time_zone_null(Leaves::CancelledAt))
                    .col(uuid_null(Leaves::CancelledBy))
                    .foreign_key(&mut company_fk(Leaves::Table, Leaves::CompanyId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Leaves::Table, Leaves::EmployeeId)
                            .to(Employees::Table, Employees::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(uuid(AuditLog::Id).primary_key())
                    .col(uuid(AuditLog::CompanyId))
                    .col(uuid_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::Action, 48))
                    .col(string_len(AuditLog::TargetType, 32))
                    .col(string_len_null(AuditLog::TargetId, 64))
                    .col(text(AuditLog::Changes))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .foreign_key(&mut company_fk(AuditLog::Table, AuditLog::CompanyId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TimesheetExports::Table)
                    .col(uuid(TimesheetExports::Id).primary_key())
                    .col(uuid(TimesheetExports::CompanyId))
                    .col(uuid(TimesheetExports::CreatedBy))
                    .col(string_len(TimesheetExports::Month, 7))
                    .col(string_len(TimesheetExports::Format, 8))
                    .col(text_null(TimesheetExports::Filter))
                    .col(timestamp_with_time_zone(TimesheetExports::ExpiresAt))
                    .col(timestamp_with_time_zone(TimesheetExports::CreatedAt))
                    .foreign_key(&mut company_fk(
                        TimesheetExports::Table,
                        TimesheetExports::CompanyId,
                    ))
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            (
                Companies::Table.into_iden(),
                uuid_null(Companies::DefaultScheduleId),
            ),
            (
                Companies::Table.into_iden(),
                date_null(Companies::DaysMaterializedUntil),
            ),
            (
                Checkins::Table.into_iden(),
                timestamp_with_time_zone_null(Checkins::VoidedAt),
            ),
            (Checkins::Table.into_iden(), uuid_null(Checkins::VoidedBy)),
            (Checkins::Table.into_iden(), text_null(Checkins::VoidReason)),
            (Checkins::Table.into_iden(), uuid_null(Checkins::CreatedBy)),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(column.to_owned())
                        .to_owned(),
                )
                .await?;
        }
        for sql in [
            "DROP INDEX IF EXISTS ix_attendance_days_page",
            "DROP INDEX IF EXISTS ix_attendance_days_company_date",
        ] {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        manager
            .drop_table(Table::drop().table(AttendanceDays::Table).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AttendanceDays::Table)
                    .col(uuid(AttendanceDays::EmployeeId))
                    .col(date(AttendanceDays::Date))
                    .col(uuid(AttendanceDays::CompanyId))
                    .col(string_len(AttendanceDays::EmployeeCodeKey, 64))
                    .col(timestamp_with_time_zone_null(AttendanceDays::FirstCheckIn))
                    .col(timestamp_with_time_zone_null(AttendanceDays::LastCheckIn))
                    .col(integer(AttendanceDays::CheckinCount))
                    .col(integer(AttendanceDays::WorkedMinutes))
                    .col(integer(AttendanceDays::LateMinutes))
                    .col(integer(AttendanceDays::EarlyLeaveMinutes))
                    .col(integer(AttendanceDays::OvertimeMinutes))
                    .col(string_len(AttendanceDays::Status, 24))
                    .col(string_len(AttendanceDays::Kind, 16))
                    .col(uuid_null(AttendanceDays::ScheduleId))
                    .col(timestamp_with_time_zone_null(AttendanceDays::ShiftStart))
                    .col(timestamp_with_time_zone_null(AttendanceDays::ShiftEnd))
                    .col(timestamp_with_time_zone_null(AttendanceDays::BreakStart))
                    .col(timestamp_with_time_zone_null(AttendanceDays::BreakEnd))
                    .col(integer(AttendanceDays::LateGraceMinutes))
                    .col(integer(AttendanceDays::EarlyLeaveGraceMinutes))
                    .col(timestamp_with_time_zone(AttendanceDays::WindowEnd))
                    .col(timestamp_with_time_zone(AttendanceDays::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(AttendanceDays::EmployeeId)
                            .col(AttendanceDays::Date),
                    )
                    .foreign_key(&mut company_fk(
                        AttendanceDays::Table,
                        AttendanceDays::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttendanceDays::Table, AttendanceDays::EmployeeId)
                            .to(Employees::Table, Employees::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let connection = manager.get_connection();
        for sql in [
            "CREATE INDEX ix_attendance_days_page ON attendance_days (company_id, employee_code_key, date, employee_id)",
            "CREATE INDEX ix_attendance_days_company_date ON attendance_days (company_id, date)",
            // Every company's days are computed again by the new rules (version 2) at start.
            "UPDATE companies SET attendance_days_version = 0",
            "CREATE UNIQUE INDEX ux_work_schedules_name ON work_schedules (company_id, name)",
            "CREATE INDEX ix_schedule_assignments_company ON schedule_assignments (company_id, schedule_id)",
            "CREATE UNIQUE INDEX ux_holidays_date ON holidays (company_id, date)",
            "CREATE INDEX ix_leaves_employee ON leaves (company_id, employee_id, from_date)",
            "CREATE INDEX ix_audit_log_page ON audit_log (company_id, at, id)",
        ] {
            connection.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261129_000010_schedules cannot be reverted".to_owned(),
        ))
    }
}

fn company_fk<T: IntoIden + Copy + 'static, C: IntoIden + 'static>(
    table: T,
    column: C,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Companies::Table, Companies::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
