//! Raw check-ins from the cameras (webhook and pulled), de-duplicated by a natural key, and the
//! company settings attendance needs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Checkins::Table)
                    .col(pk_uuid(Checkins::Id))
                    .col(uuid(Checkins::CompanyId))
                    .col(string_len(Checkins::DedupeKey, 255))
                    .col(string_len(Checkins::Source, 16))
                    .col(string_len_null(Checkins::EventId, 64))
                    .col(string_len(Checkins::PlaceId, 64))
                    .col(string_null(Checkins::PlaceName))
                    .col(string_len(Checkins::DeviceId, 64))
                    .col(string_null(Checkins::DeviceName))
                    .col(integer(Checkins::PersonType))
                    .col(string_len_null(Checkins::HanetPersonId, 64))
                    .col(string_len_null(Checkins::AliasId, 64))
                    .col(string_null(Checkins::PersonName))
                    .col(string_null(Checkins::PersonTitle))
                    .col(text_null(Checkins::SnapshotUrl))
                    .col(timestamp_with_time_zone(Checkins::CapturedAt))
                    .col(uuid_null(Checkins::EmployeeId))
                    .col(timestamp_with_time_zone(Checkins::ReceivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Checkins::Table, Checkins::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let connection = manager.get_connection();
        for sql in [
            "CREATE UNIQUE INDEX ux_checkins_company_key ON checkins (company_id, dedupe_key)",
            "CREATE UNIQUE INDEX ux_checkins_company_event ON checkins (company_id, event_id) WHERE event_id IS NOT NULL",
            "CREATE INDEX ix_checkins_company_captured ON checkins (company_id, captured_at)",
            "CREATE INDEX ix_checkins_company_employee_captured ON checkins (company_id, employee_id, captured_at)",
        ] {
            connection.execute_unprepared(sql).await?;
        }
        for column in [
            integer(Companies::WorkdayStartHour).default(0).to_owned(),
            timestamp_with_time_zone_null(Companies::AttendanceCompleteUntil),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Companies::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Companies::WorkdayStartHour,
            Companies::AttendanceCompleteUntil,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Companies::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Checkins::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
    WorkdayStartHour,
    AttendanceCompleteUntil,
}

#[derive(DeriveIden)]
enum Checkins {
    Table,
    Id,
    CompanyId,
    DedupeKey,
    Source,
    EventId,
    PlaceId,
    PlaceName,
    DeviceId,
    DeviceName,
    PersonType,
    HanetPersonId,
    AliasId,
    PersonName,
    PersonTitle,
    SnapshotUrl,
    CapturedAt,
    EmployeeId,
    ReceivedAt,
}
