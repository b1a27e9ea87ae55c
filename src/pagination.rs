//! Relay cursor pagination: page-size rules and opaque cursors shared by every connection.

use async_graphql::connection::{CursorType, OpaqueCursor};

use crate::error::{ApiError, ApiResult};

/// Page size when `first` is omitted.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// Largest accepted `first`.
pub const MAX_PAGE_SIZE: i32 = 200;

/// Validates `first`.
pub fn page_size(first: Option<i32>) -> ApiResult<u64> {
    match first.unwrap_or(DEFAULT_PAGE_SIZE) {
        n @ 0..=MAX_PAGE_SIZE => Ok(n as u64),
        _ => Err(ApiError::bad_input(
            "first",
            format!("must be between 0 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// Decodes an `after` cursor into the sort key it carries.
pub fn decode_after(after: Option<&str>) -> ApiResult<Option<String>> {
    after
        .map(|cursor| {
            OpaqueCursor::<String>::decode_cursor(cursor)
                .map(|c| c.0)
                .map_err(|_| ApiError::bad_input("after", "not a cursor this list handed out"))
        })
        .transpose()
}

/// Decodes an `after` cursor that carries a row id.
pub fn decode_after_id(after: Option<&str>) -> ApiResult<Option<uuid::Uuid>> {
    decode_after(after)?
        .map(|key| {
            uuid::Uuid::parse_str(&key)
                .map_err(|_| ApiError::bad_input("after", "not a cursor this list handed out"))
        })
        .transpose()
}

/// One keyset page: the first `first` rows of `select` (filtered past the cursor and ordered
/// by the caller), and whether more follow — read as `first + 1` rows in one statement.
pub async fn keyset_page<E: sea_orm::EntityTrait>(
    db: &impl sea_orm::ConnectionTrait,
    select: sea_orm::Select<E>,
    first: u64,
) -> ApiResult<(Vec<E::Model>, bool)> {
    use sea_orm::QuerySelect;
    let mut rows = select.limit(first + 1).all(db).await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((rows, more))
}

/// The opaque cursor for a row with this sort key.
pub fn cursor(key: &str) -> String {
    OpaqueCursor(key.to_owned()).encode_cursor()
}

/// What one database query costs in complexity points, whatever it returns: aliasing a list
/// field hundreds of times is priced as the hundreds of queries it is.
pub const QUERY_COST: usize = 50;

/// What one call to Hanet costs: it spends the company's shared vendor budget, so an operation
/// can make only a handful (`TIMEKEEPING_QUERY_COMPLEXITY_LIMIT` / this).
pub const VENDOR_CALL_COST: usize = 1000;

/// Complexity of a connection field: a query, plus its page size times the cost of one node.
pub fn connection_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE) as usize;
    first
        .saturating_mul(child_complexity)
        .saturating_add(QUERY_COST)
}

/// Complexity of a list of at most `rows` rows read with one query.
pub fn list_complexity(rows: usize, child_complexity: usize) -> usize {
    rows.saturating_mul(child_complexity)
        .saturating_add(QUERY_COST)
}

/// Complexity of a field that calls Hanet and returns a list.
pub fn vendor_list_complexity(child_complexity: usize) -> usize {
    VENDOR_CALL_COST.saturating_add(child_complexity.saturating_mul(10))
}

/// Counts the whole list behind a connection, only when `totalCount` is asked for.
#[async_trait::async_trait]
pub trait Countable: Send + Sync {
    async fn count(&self, db: &sea_orm::DatabaseConnection) -> ApiResult<u64>;
}

/// Page info: `after` tells whether rows precede this page, `has_next` whether rows follow.
pub fn page_info(
    after: bool,
    has_next: bool,
    first_cursor: Option<String>,
    last_cursor: Option<String>,
) -> async_graphql::connection::PageInfo {
    async_graphql::connection::PageInfo {
        has_previous_page: after,
        has_next_page: has_next,
        start_cursor: first_cursor,
        end_cursor: last_cursor,
    }
}

/// Declares a Relay connection type and its edge type for a node type, with descriptions.
/// `connection!(EmployeeConnection, EmployeeEdge, Employee, "One page of employees.", "An employee in a page, with its cursor.")`
#[macro_export]
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $conn_doc:literal, $edge_doc:literal) => {
        #[doc = $conn_doc]
        pub struct $conn {
            pub edges: Vec<$edge>,
            pub page_info: async_graphql::connection::PageInfo,
            pub total: Box<dyn $crate::pagination::Countable>,
        }

        #[doc = $conn_doc]
        #[async_graphql::Object]
        impl $conn {
            /// The items of this page, in order, each with its cursor.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }
            /// Whether more items follow, and the cursors at both ends of the page.
            async fn page_info(&self) -> &async_graphql::connection::PageInfo {
                &self.page_info
            }
            /// How many items match, across all pages (counted only when asked for).
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<u64> {
                use $crate::state::AppContext;
                let db = &ctx.app()?.db;
                Ok(self.total.count(db).await?)
            }
        }

        #[doc = $edge_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Pass as `after` to get the items that follow this one.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl $conn {
            /// Builds a page from `(cursor, node)` rows.
            pub fn new(
                rows: Vec<(String, $node)>,
                after: bool,
                has_next: bool,
                total: Box<dyn $crate::pagination::Countable>,
            ) -> Self {
                let first = rows.first().map(|(c, _)| c.clone());
                let last = rows.last().map(|(c, _)| c.clone());
                Self {
                    edges: rows
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    page_info: $crate::pagination::page_info(after, has_next, first, last),
                    total,
                }
            }
        }
    };
}
