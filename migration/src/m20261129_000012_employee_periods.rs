//! What department and work status an employee had from which day (`employee_periods`), so a
//! recompute of past days uses what applied then, not what applies now. The first period of an
//! employee starts on 1970-01-01 ("since always"); existing employees get one with their
//! current values.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmployeePeriods::Table)
                    .col(uuid(EmployeePeriods::EmployeeId))
                    .col(date(EmployeePeriods::FromDate))
                    .col(uuid(EmployeePeriods::CompanyId))
                    .col(uuid_null(EmployeePeriods::DepartmentId))
                    .col(string_len(EmployeePeriods::WorkStatus, 32))
                    .primary_key(
                        Index::create()
                            .col(EmployeePeriods::EmployeeId)
                            .col(EmployeePeriods::FromDate),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EmployeePeriods::Table, EmployeePeriods::EmployeeId)
                            .to(Employees::Table, Employees::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_employee_periods_company")
                    .table(EmployeePeriods::Table)
                    .col(EmployeePeriods::CompanyId)
                    .to_owned(),
            )
            .await?;
        let since_always = match manager.get_database_backend() {
            DbBackend::Postgres => "DATE '1970-01-01'",
            _ => "'1970-01-01'",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO employee_periods \
                   (employee_id, from_date, company_id, department_id, work_status) \
                 SELECT id, {since_always}, company_id, department_id, work_status FROM employees"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261129_000012_employee_periods cannot be reverted".to_owned(),
        ))
    }
}

#[derive(DeriveIden)]
enum EmployeePeriods {
    Table,
    EmployeeId,
    FromDate,
    CompanyId,
    DepartmentId,
    WorkStatus,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    Id,
}
