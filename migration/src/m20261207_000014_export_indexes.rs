//! Indexes for timesheet exports: by creator and time (the per-user throttle counts a user's
//! exports of the last minute) and by expiry (the sweep deletes expired ones).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum TimesheetExports {
    Table,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
}

const BY_CREATOR: &str = "idx_timesheet_exports_created_by";
const BY_EXPIRY: &str = "idx_timesheet_exports_expires_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(BY_CREATOR)
                    .table(TimesheetExports::Table)
                    .col(TimesheetExports::CreatedBy)
                    .col(TimesheetExports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_EXPIRY)
                    .table(TimesheetExports::Table)
                    .col(TimesheetExports::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [BY_CREATOR, BY_EXPIRY] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(TimesheetExports::Table)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
