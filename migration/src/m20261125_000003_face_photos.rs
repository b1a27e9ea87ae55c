//! Face photos (metadata; bytes live in the object store) and each employee's face-sync state.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FacePhotos::Table)
                    .col(pk_uuid(FacePhotos::Id))
                    .col(uuid(FacePhotos::CompanyId))
                    .col(uuid(FacePhotos::EmployeeId))
                    .col(string_len(FacePhotos::Sha256, 64))
                    .col(integer(FacePhotos::Width))
                    .col(integer(FacePhotos::Height))
                    .col(big_integer(FacePhotos::ByteSize))
                    .col(string(FacePhotos::StorageKey))
                    .col(string_null(FacePhotos::OriginalFileName))
                    .col(uuid_null(FacePhotos::UploadedBy))
                    .col(timestamp_with_time_zone(FacePhotos::UploadedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FacePhotos::Table, FacePhotos::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FacePhotos::Table, FacePhotos::EmployeeId)
                            .to(Employees::Table, Employees::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_face_photos_employee")
                    .table(FacePhotos::Table)
                    .col(FacePhotos::EmployeeId)
                    .to_owned(),
            )
            .await?;
        // SQLite alters one column per statement.
        let columns = [
            uuid_null(Employees::FacePhotoId),
            string_len(Employees::FaceSyncStatus, 32)
                .default("NO_PHOTO")
                .to_owned(),
            string_len_null(Employees::HanetPersonId, 64),
            string_len_null(Employees::SyncedPhotoSha256, 64),
            string_null(Employees::SyncedName),
            string_null(Employees::SyncedTitle),
            timestamp_with_time_zone_null(Employees::LastSyncedAt),
            string_null(Employees::LastSyncError),
            big_integer_null(Employees::LastSyncErrorCode),
        ];
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Employees::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_employees_company_face_sync")
                    .table(Employees::Table)
                    .col(Employees::CompanyId)
                    .col(Employees::FaceSyncStatus)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_employees_company_face_sync")
                    .table(Employees::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Employees::FacePhotoId,
            Employees::FaceSyncStatus,
            Employees::HanetPersonId,
            Employees::SyncedPhotoSha256,
            Employees::SyncedName,
            Employees::SyncedTitle,
            Employees::LastSyncedAt,
            Employees::LastSyncError,
            Employees::LastSyncErrorCode,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Employees::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(FacePhotos::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    Id,
    CompanyId,
    FacePhotoId,
    FaceSyncStatus,
    HanetPersonId,
    SyncedPhotoSha256,
    SyncedName,
    SyncedTitle,
    LastSyncedAt,
    LastSyncError,
    LastSyncErrorCode,
}

#[derive(DeriveIden)]
enum FacePhotos {
    Table,
    Id,
    CompanyId,
    EmployeeId,
    Sha256,
    Width,
    Height,
    ByteSize,
    StorageKey,
    OriginalFileName,
    UploadedBy,
    UploadedAt,
}
