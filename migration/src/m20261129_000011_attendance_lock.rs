//! Locked attendance (a closed payroll period): days up to `companies.attendance_locked_through`
//! keep what they were when the period was locked.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .add_column(date_null(Companies::AttendanceLockedThrough))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261129_000011_attendance_lock cannot be reverted".to_owned(),
        ))
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    AttendanceLockedThrough,
}
