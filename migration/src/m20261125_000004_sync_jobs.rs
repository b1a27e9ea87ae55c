//! Background sync jobs (employee pushes, attendance pulls) and their per-item outcomes, with
//! the lease that lets exactly one worker of any process run a job.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SyncJobs::Table)
                    .col(pk_uuid(SyncJobs::Id))
                    .col(uuid(SyncJobs::CompanyId))
                    .col(string_len(SyncJobs::Kind, 32))
                    .col(string_len(SyncJobs::Status, 32))
                    .col(integer(SyncJobs::Total).default(0))
                    .col(integer(SyncJobs::Succeeded).default(0))
                    .col(integer(SyncJobs::Failed).default(0))
                    .col(boolean(SyncJobs::CancelRequested).default(false))
                    .col(text_null(SyncJobs::Params))
                    .col(uuid_null(SyncJobs::RetryOf))
                    .col(uuid_null(SyncJobs::CreatedBy))
                    .col(timestamp_with_time_zone(SyncJobs::CreatedAt))
                    .col(timestamp_with_time_zone_null(SyncJobs::StartedAt))
                    .col(timestamp_with_time_zone_null(SyncJobs::FinishedAt))
                    .col(string_len_null(SyncJobs::LeaseOwner, 64))
                    .col(timestamp_with_time_zone_null(SyncJobs::LeaseExpiresAt))
                    .col(string_null(SyncJobs::Error))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SyncJobs::Table, SyncJobs::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sync_jobs_company_created")
                    .table(SyncJobs::Table)
                    .col(SyncJobs::CompanyId)
                    .col(SyncJobs::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sync_jobs_status")
                    .table(SyncJobs::Table)
                    .col(SyncJobs::Status)
                    .to_owned(),
            )
            .await?;
        // At most one active employee sync per company, even when two starts race. Partial
        // unique indexes read the same on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_sync_jobs_one_active_employee_sync ON sync_jobs (company_id) \
                 WHERE kind = 'EMPLOYEES' AND status IN ('QUEUED', 'RUNNING')",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SyncJobItems::Table)
                    .col(pk_uuid(SyncJobItems::Id))
                    .col(uuid(SyncJobItems::JobId))
                    .col(integer(SyncJobItems::Seq))
                    .col(uuid_null(SyncJobItems::EmployeeId))
                    .col(string(SyncJobItems::Label))
                    .col(text_null(SyncJobItems::Params))
                    .col(string_len(SyncJobItems::Status, 32))
                    .col(string_len_null(SyncJobItems::Action, 32))
                    .col(integer(SyncJobItems::Attempts).default(0))
                    .col(big_integer_null(SyncJobItems::HanetCode))
                    .col(string_len_null(SyncJobItems::ErrorCode, 64))
                    .col(string_null(SyncJobItems::Error))
                    .col(integer_null(SyncJobItems::FinishSeq))
                    .col(timestamp_with_time_zone_null(SyncJobItems::StartedAt))
                    .col(timestamp_with_time_zone_null(SyncJobItems::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SyncJobItems::Table, SyncJobItems::JobId)
                            .to(SyncJobs::Table, SyncJobs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sync_job_items_job_seq")
                    .table(SyncJobItems::Table)
                    .col(SyncJobItems::JobId)
                    .col(SyncJobItems::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sync_job_items_job_status")
                    .table(SyncJobItems::Table)
                    .col(SyncJobItems::JobId)
                    .col(SyncJobItems::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SyncJobItems::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SyncJobs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SyncJobs {
    Table,
    Id,
    CompanyId,
    Kind,
    Status,
    Total,
    Succeeded,
    Failed,
    CancelRequested,
    Params,
    RetryOf,
    CreatedBy,
    CreatedAt,
    StartedAt,
    FinishedAt,
    LeaseOwner,
    LeaseExpiresAt,
    Error,
}

#[derive(DeriveIden)]
enum SyncJobItems {
    Table,
    Id,
    JobId,
    Seq,
    EmployeeId,
    Label,
    Params,
    Status,
    Action,
    Attempts,
    HanetCode,
    ErrorCode,
    Error,
    FinishSeq,
    StartedAt,
    FinishedAt,
}
