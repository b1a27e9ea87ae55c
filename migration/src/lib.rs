//! Append-only schema migrations. Never edit one that has shipped; add a new one.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_foundation;
mod m20261125_000002_hanet;
mod m20261125_000003_face_photos;
mod m20261125_000004_sync_jobs;
mod m20261125_000005_checkins;
mod m20261129_000006_attendance_days;
mod m20261129_000007_security;
mod m20261129_000008_leases;
mod m20261129_000009_auto_sync;
mod m20261129_000010_schedules;
mod m20261129_000011_attendance_lock;
mod m20261129_000012_employee_periods;
mod m20261207_000013_start_dates;
mod m20261207_000014_export_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_foundation::Migration),
            Box::new(m20261125_000002_hanet::Migration),
            Box::new(m20261125_000003_face_photos::Migration),
            Box::new(m20261125_000004_sync_jobs::Migration),
            Box::new(m20261125_000005_checkins::Migration),
            Box::new(m20261129_000006_attendance_days::Migration),
            Box::new(m20261129_000007_security::Migration),
            Box::new(m20261129_000008_leases::Migration),
            Box::new(m20261129_000009_auto_sync::Migration),
            Box::new(m20261129_000010_schedules::Migration),
            Box::new(m20261129_000011_attendance_lock::Migration),
            Box::new(m20261129_000012_employee_periods::Migration),
            Box::new(m20261207_000013_start_dates::Migration),
            Box::new(m20261207_000014_export_indexes::Migration),
        ]
    }
}
