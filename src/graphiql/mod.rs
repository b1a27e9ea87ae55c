//! GraphiQL without the internet: `GET /graphql` answers a small page of our own that loads
//! GraphiQL, React and React DOM from this server, never from a CDN, so the IDE works on a
//! network with no way out. The third-party files are pinned npm releases committed under
//! `assets/graphiql/` (its README says which, and how to refresh them) and compiled into the
//! binary. They are served at `/graphiql/{version}/{file}`, where the version is GraphiQL's
//! release plus a hash of every file, so they can be cached for a year and a new build still
//! reaches every browser. The page's Content-Security-Policy allows this origin only.

mod serve;

pub use serve::*;
