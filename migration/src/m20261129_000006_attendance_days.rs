//! Stored attendance days (one row per employee per working day, kept current as check-ins
//! arrive), and what the check-in store needs for them: which rows count as attendance (the
//! selected place only), a lower-cased alias for check-ins that find their employee later, and
//! indexes in the orders the API reads (capture time, receive time).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AttendanceDays::Table)
                    .col(uuid(AttendanceDays::EmployeeId))
                    .col(date(AttendanceDays::Date))
                    .col(uuid(AttendanceDays::CompanyId))
                    .col(string_len(AttendanceDays::EmployeeCodeKey, 64))
                    .col(timestamp_with_time_zone(AttendanceDays::FirstCheckIn))
                    .col(timestamp_with_time_zone(AttendanceDays::LastCheckIn))
                    .col(integer(AttendanceDays::CheckinCount))
                    .col(integer(AttendanceDays::WorkedMinutes))
                    .col(timestamp_with_time_zone(AttendanceDays::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(AttendanceDays::EmployeeId)
                            .col(AttendanceDays::Date),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttendanceDays::Table, AttendanceDays::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttendanceDays::Table, AttendanceDays::EmployeeId)
                            .to(Employees::Table, Employees::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for column in [
            string_len_null(Checkins::AliasKey, 64),
            boolean(Checkins::CountsForAttendance)
                .default(true)
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Checkins::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .add_column(integer(Companies::AttendanceDaysVersion).default(0))
                    .to_owned(),
            )
            .await?;
        let connection = manager.get_connection();
        for sql in [
            // Pages in (employee ID, date) order; `totalCount` and recomputes by date.
            "CREATE INDEX ix_attendance_days_page ON attendance_days (company_id, employee_code_key, date, employee_id)",
            "CREATE INDEX ix_attendance_days_company_date ON attendance_days (company_id, date)",
            "UPDATE checkins SET alias_key = lower(alias_id) WHERE alias_id IS NOT NULL AND employee_id IS NULL",
            "CREATE INDEX ix_checkins_unmatched_alias ON checkins (company_id, alias_key) WHERE employee_id IS NULL",
            // `checkins` pages by capture time then id; the live feed reads by receive time then id.
            "CREATE INDEX ix_checkins_company_captured_id ON checkins (company_id, captured_at, id)",
            "CREATE INDEX ix_checkins_company_received_id ON checkins (company_id, received_at, id)",
            "DROP INDEX ix_checkins_company_captured",
        ] {
            connection.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        for sql in [
            "CREATE INDEX ix_checkins_company_captured ON checkins (company_id, captured_at)",
            "DROP INDEX ix_checkins_company_received_id",
            "DROP INDEX ix_checkins_company_captured_id",
            "DROP INDEX ix_checkins_unmatched_alias",
        ] {
            connection.execute_unprepared(sql).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .drop_column(Companies::AttendanceDaysVersion)
                    .to_owned(),
            )
            .await?;
        for column in [Checkins::AliasKey, Checkins::CountsForAttendance] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Checkins::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(AttendanceDays::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AttendanceDays {
    Table,
    EmployeeId,
    Date,
    CompanyId,
    EmployeeCodeKey,
    FirstCheckIn,
    LastCheckIn,
    CheckinCount,
    WorkedMinutes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
    AttendanceDaysVersion,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Checkins {
    Table,
    AliasKey,
    CountsForAttendance,
}
