//! One way to mirror an entity enum as a GraphQL enum: the entity crate has no GraphQL derives
//! (a column rename must not change the schema), so each API enum converts both ways with the
//! entity's by variant name.

/// `mirror_enum!(Entity => Api { A, B })`: `From` both ways between two enums with the same
/// variants.
#[macro_export]
macro_rules! mirror_enum {
    ($from:ty => $to:ty { $($variant:ident),* }) => {
        impl From<$from> for $to {
            fn from(v: $from) -> Self {
                match v { $(<$from>::$variant => Self::$variant),* }
            }
        }
        impl From<$to> for $from {
            fn from(v: $to) -> Self {
                match v { $(<$to>::$variant => Self::$variant),* }
            }
        }
    };
}
