//! Design §10 in the schema: a webhook event id is stored once across all companies, one Hanet
//! account is linked to at most one company, an OAuth state carries its PKCE verifier, and a leaver's removal from Hanet is dated
//! so their face photos can be deleted after the retention period.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        for sql in [
            "DROP INDEX IF EXISTS ux_checkins_company_event",
            // A replay of one event into a second company kept both rows; the later one loses
            // its event id (the row stays, for review).
            "UPDATE checkins SET event_id = NULL WHERE event_id IS NOT NULL AND EXISTS (\
               SELECT 1 FROM checkins o WHERE o.event_id = checkins.event_id \
               AND (o.received_at < checkins.received_at OR (o.received_at = checkins.received_at \
               AND CAST(o.id AS TEXT) < CAST(checkins.id AS TEXT))))",
            "CREATE UNIQUE INDEX ux_checkins_event ON checkins (event_id) WHERE event_id IS NOT NULL",
            // Two companies holding one Hanet account: the earlier link is the doubtful one; it
            // must be linked again (and then meets the unique index).
            "UPDATE hanet_connections SET hanet_user_id = 'conflict:' || CAST(company_id AS TEXT), \
               status = 'NEEDS_RELINK', \
               last_error = 'this Hanet account is linked to another company; link again' \
             WHERE EXISTS (SELECT 1 FROM hanet_connections o \
               WHERE o.hanet_user_id = hanet_connections.hanet_user_id \
               AND (o.linked_at > hanet_connections.linked_at OR (o.linked_at = hanet_connections.linked_at \
               AND CAST(o.company_id AS TEXT) > CAST(hanet_connections.company_id AS TEXT))))",
            "CREATE UNIQUE INDEX ux_hanet_connections_user ON hanet_connections (hanet_user_id)",
        ] {
            connection.execute_unprepared(sql).await?;
        }
        for (table, column) in [
            (
                HanetOauthStates::Table.into_iden(),
                text_null(HanetOauthStates::CodeVerifier),
            ),
            (
                Employees::Table.into_iden(),
                timestamp_with_time_zone_null(Employees::RemovedFromHanetAt),
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
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261129_000007_security cannot be reverted".to_owned(),
        ))
    }
}

#[derive(DeriveIden)]
enum HanetOauthStates {
    Table,
    CodeVerifier,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    RemovedFromHanetAt,
}
