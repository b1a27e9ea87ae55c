//! Hanet account links (tokens encrypted at rest) and single-use OAuth `state` values.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HanetConnections::Table)
                    .col(uuid(HanetConnections::CompanyId).primary_key())
                    .col(string_len(HanetConnections::HanetUserId, 64))
                    .col(string(HanetConnections::AccountEmail))
                    .col(string(HanetConnections::AccountName))
                    .col(text(HanetConnections::AccessTokenEnc))
                    .col(text(HanetConnections::RefreshTokenEnc))
                    .col(timestamp_with_time_zone(HanetConnections::AccessExpiresAt))
                    .col(integer(HanetConnections::TokenVersion).default(0))
                    .col(string_len(HanetConnections::Status, 32))
                    .col(string_null(HanetConnections::LastError))
                    .col(string_len(HanetConnections::PartnerToken, 64))
                    .col(string_len_null(HanetConnections::PlaceId, 64))
                    .col(string_null(HanetConnections::PlaceName))
                    .col(uuid_null(HanetConnections::LinkedBy))
                    .col(timestamp_with_time_zone(HanetConnections::LinkedAt))
                    .col(timestamp_with_time_zone_null(
                        HanetConnections::LastRefreshedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(HanetConnections::Table, HanetConnections::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_hanet_connections_partner_token")
                    .table(HanetConnections::Table)
                    .col(HanetConnections::PartnerToken)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HanetOauthStates::Table)
                    .col(string_len(HanetOauthStates::StateHash, 64).primary_key())
                    .col(uuid(HanetOauthStates::CompanyId))
                    .col(uuid(HanetOauthStates::UserId))
                    .col(timestamp_with_time_zone(HanetOauthStates::ExpiresAt))
                    .col(timestamp_with_time_zone_null(HanetOauthStates::UsedAt))
                    .col(timestamp_with_time_zone(HanetOauthStates::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(HanetOauthStates::Table, HanetOauthStates::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HanetOauthStates::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(HanetConnections::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum HanetConnections {
    Table,
    CompanyId,
    HanetUserId,
    AccountEmail,
    AccountName,
    AccessTokenEnc,
    RefreshTokenEnc,
    AccessExpiresAt,
    TokenVersion,
    Status,
    LastError,
    PartnerToken,
    PlaceId,
    PlaceName,
    LinkedBy,
    LinkedAt,
    LastRefreshedAt,
}

#[derive(DeriveIden)]
enum HanetOauthStates {
    Table,
    StateHash,
    CompanyId,
    UserId,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}
