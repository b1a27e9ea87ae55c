//! Companies, users, departments and employees.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Companies::Table)
                    .col(pk_uuid(Companies::Id))
                    .col(string(Companies::Name))
                    .col(string_len(Companies::TimeZone, 64))
                    .col(boolean(Companies::CameraTimekeepingEnabled).default(false))
                    .col(timestamp_with_time_zone(Companies::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Departments::Table)
                    .col(pk_uuid(Departments::Id))
                    .col(uuid(Departments::CompanyId))
                    .col(string(Departments::Name))
                    .col(timestamp_with_time_zone(Departments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Departments::Table, Departments::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_departments_company_name")
                    .table(Departments::Table)
                    .col(Departments::CompanyId)
                    .col(Departments::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Employees::Table)
                    .col(pk_uuid(Employees::Id))
                    .col(uuid(Employees::CompanyId))
                    .col(uuid_null(Employees::DepartmentId))
                    .col(string_len(Employees::EmployeeCode, 64))
                    .col(string_len(Employees::EmployeeCodeKey, 64))
                    .col(string(Employees::FullName))
                    .col(string(Employees::FullNameSearch))
                    .col(string_null(Employees::Email))
                    .col(string_null(Employees::Title))
                    .col(string_len(Employees::WorkStatus, 32))
                    .col(string_null(Employees::ProfilePictureUrl))
                    .col(timestamp_with_time_zone(Employees::CreatedAt))
                    .col(timestamp_with_time_zone(Employees::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Employees::Table, Employees::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Employees::Table, Employees::DepartmentId)
                            .to(Departments::Table, Departments::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_employees_company_code")
                    .table(Employees::Table)
                    .col(Employees::CompanyId)
                    .col(Employees::EmployeeCodeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_employees_company_department")
                    .table(Employees::Table)
                    .col(Employees::CompanyId)
                    .col(Employees::DepartmentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(uuid_null(Users::CompanyId))
                    .col(string(Users::Email))
                    .col(string(Users::PasswordHash))
                    .col(string_len(Users::Role, 32))
                    .col(uuid_null(Users::EmployeeId))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::EmployeeId)
                            .to(Employees::Table, Employees::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_email")
                    .table(Users::Table)
                    .col(Users::Email)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Users::Table.into_iden(),
            Employees::Table.into_iden(),
            Departments::Table.into_iden(),
            Companies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
    Name,
    TimeZone,
    CameraTimekeepingEnabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    CompanyId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    Id,
    CompanyId,
    DepartmentId,
    EmployeeCode,
    EmployeeCodeKey,
    FullName,
    FullNameSearch,
    Email,
    Title,
    WorkStatus,
    ProfilePictureUrl,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    CompanyId,
    Email,
    PasswordHash,
    Role,
    EmployeeId,
    CreatedAt,
}
