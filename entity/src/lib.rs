//! sea-orm models for the timekeeping database. Models only: GraphQL types live in the server
//! crate and convert from these, so renaming a column never silently changes the API.

pub mod attendance_day;
pub mod audit_entry;
pub mod checkin;
pub mod company;
pub mod department;
pub mod employee;
pub mod employee_period;
pub mod face_photo;
pub mod hanet_connection;
pub mod hanet_oauth_state;
pub mod holiday;
pub mod leave;
pub mod schedule_assignment;
pub mod sync_job;
pub mod sync_job_item;
pub mod timesheet_export;
pub mod user;
pub mod work_schedule;

pub use sea_orm;
