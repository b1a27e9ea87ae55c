//! The names of the tables and columns the migration touches.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden, Clone, Copy)]
pub enum Companies {
    Table,
    Id,
    DefaultScheduleId,
    DaysMaterializedUntil,
}

#[derive(DeriveIden)]
pub enum Employees {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub enum Departments {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub enum Checkins {
    Table,
    VoidedAt,
    VoidedBy,
    VoidReason,
    CreatedBy,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum WorkSchedules {
    Table,
    Id,
    CompanyId,
    Name,
    StartMinute,
    EndMinute,
    BreakStartMinute,
    BreakEndMinute,
    LateGraceMinutes,
    EarlyLeaveGraceMinutes,
    WorkDays,
    CheckInOpensMinutesBefore,
    CheckOutClosesMinutesAfter,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum ScheduleAssignments {
    Table,
    Id,
    CompanyId,
    ScheduleId,
    EmployeeId,
    DepartmentId,
    FromDate,
    ToDate,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Holidays {
    Table,
    Id,
    CompanyId,
    Date,
    Name,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Leaves {
    Table,
    Id,
    CompanyId,
    EmployeeId,
    FromDate,
    ToDate,
    Kind,
    Note,
    CreatedBy,
    CreatedAt,
    CancelledAt,
    CancelledBy,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum AuditLog {
    Table,
    Id,
    CompanyId,
    ActorId,
    Action,
    TargetType,
    TargetId,
    Changes,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum TimesheetExports {
    Table,
    Id,
    CompanyId,
    CreatedBy,
    Month,
    Format,
    Filter,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum AttendanceDays {
    Table,
    EmployeeId,
    Date,
    CompanyId,
    EmployeeCodeKey,
    FirstCheckIn,
    LastCheckIn,
    CheckinCount,
    WorkedMinutes,
    LateMinutes,
    EarlyLeaveMinutes,
    OvertimeMinutes,
    Status,
    Kind,
    ScheduleId,
    ShiftStart,
    ShiftEnd,
    BreakStart,
    BreakEnd,
    LateGraceMinutes,
    EarlyLeaveGraceMinutes,
    WindowEnd,
    UpdatedAt,
}
