//! Automatic follow-up (issue 14): a company may have changed employees synced by themselves
//! (`companies.auto_sync`; `employees.auto_sync_changed_at` marks a change waiting for it), and
//! the nightly reconcile's findings are kept with the link (`hanet_connections.drift`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            (
                Companies::Table.into_iden(),
                boolean(Companies::AutoSync).default(false).to_owned(),
            ),
            (
                Employees::Table.into_iden(),
                timestamp_with_time_zone_null(Employees::AutoSyncChangedAt),
            ),
            (
                HanetConnections::Table.into_iden(),
                text_null(HanetConnections::Drift),
            ),
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
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_employees_auto_sync ON employees (auto_sync_changed_at) \
                 WHERE auto_sync_changed_at IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261129_000009_auto_sync cannot be reverted".to_owned(),
        ))
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    AutoSync,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    AutoSyncChangedAt,
}

#[derive(DeriveIden)]
enum HanetConnections {
    Table,
    Drift,
}
