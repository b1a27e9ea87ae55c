//! Employees: the list admins filter and page through, creating and editing, and CSV import.

mod graphql;
mod import;
pub mod list;
pub mod marks;
pub mod periods;
pub mod service;
mod text;
mod types;

pub use graphql::{EmployeesMutation, EmployeesQuery};
pub use types::{Employee, EmployeeFilter, FaceSyncStatus, WorkStatus};
