//! The sync in the schema: `startEmployeeSync` (its preview is in `preview`).

use async_graphql::{Context, Object};

use super::selection::{self, StartEmployeeSyncInput};
use crate::{
    auth::{ContextExt, Permission},
    state::AppContext,
    sync::jobs::SyncJob,
};

/// Employee sync mutations.
#[derive(Default)]
pub struct SyncMutation;

/// Employee sync mutations.
#[Object]
impl SyncMutation {
    /// Starts pushing employees to Hanet in the background and returns the job at once.
    /// `CONFLICT` while another employee sync of the company is queued or running.
    async fn start_employee_sync(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which employees; omitted: all.")] input: Option<StartEmployeeSyncInput>,
    ) -> async_graphql::Result<SyncJob> {
        let scope = ctx.scope(Permission::ManageEmployees)?;
        let selection = selection::selection(scope.company_id, input.unwrap_or_default())?;
        Ok(SyncJob(
            selection::start_employee_sync(ctx.app()?, scope, selection).await?,
        ))
    }
}
