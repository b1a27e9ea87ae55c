//! Several processes on one database (design §9): job items are claimed with a lease of their
//! own (so an item is never in flight on two processes), at most one attendance pull per company
//! is active, and named leases (`leases`) let one process at a time do a periodic task such as a
//! company's catch-up. `hanet_budget` holds each Hanet account's request schedule, shared by
//! the processes (PostgreSQL).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            text_null(SyncJobItems::ClaimedBy),
            timestamp_with_time_zone_null(SyncJobItems::LeaseExpiresAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SyncJobItems::Table)
                        .add_column(column.to_owned())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Leases::Table)
                    .col(string_len(Leases::Name, 200).primary_key())
                    .col(text(Leases::Owner))
                    .col(timestamp_with_time_zone(Leases::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HanetBudget::Table)
                    .col(uuid(HanetBudget::AccountId).primary_key())
                    .col(timestamp_with_time_zone(HanetBudget::Tat))
                    .to_owned(),
            )
            .await?;
        let connection = manager.get_connection();
        for sql in [
            // Before the index: of several active pulls of one company the oldest stays; the
            // others are cancelled (the catch-up queues any gap they were to fill again, since the
            // watermark only moves when a pull succeeds).
            "UPDATE sync_jobs SET status = 'CANCELLED', \
               error = 'superseded by another active pull when upgrading; run it again if needed' \
             WHERE kind = 'ATTENDANCE' AND status IN ('QUEUED', 'RUNNING') AND EXISTS (\
               SELECT 1 FROM sync_jobs o WHERE o.company_id = sync_jobs.company_id \
               AND o.kind = 'ATTENDANCE' AND o.status IN ('QUEUED', 'RUNNING') \
               AND (o.created_at < sync_jobs.created_at OR (o.created_at = sync_jobs.created_at \
               AND CAST(o.id AS TEXT) < CAST(sync_jobs.id AS TEXT))))",
            "CREATE UNIQUE INDEX ux_sync_jobs_one_active_pull ON sync_jobs (company_id) \
             WHERE kind = 'ATTENDANCE' AND status IN ('QUEUED', 'RUNNING')",
        ] {
            connection.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261129_000008_leases cannot be reverted".to_owned(),
        ))
    }
}

#[derive(DeriveIden)]
enum SyncJobItems {
    Table,
    ClaimedBy,
    LeaseExpiresAt,
}

#[derive(DeriveIden)]
enum Leases {
    Table,
    Name,
    Owner,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum HanetBudget {
    Table,
    AccountId,
    Tat,
}
