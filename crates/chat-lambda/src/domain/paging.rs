//! Pages of a list: what a client asks for, what it gets, and the signed cursor between them.

use chat_core::error::Result;
use chat_core::input::Limit;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::App;
use chat_aws::store::Key;

/// The query of every list: `limit` (checked while parsing) and `cursor` as the client sent it.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// Items per page.
    #[serde(default)]
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100, default = 50)]
    pub limit: Limit,
    /// `next_cursor` of the previous page; a forged or foreign cursor gives 422.
    pub cursor: Option<String>,
}

impl PageRequest {
    pub fn limit(&self) -> i32 {
        self.limit.0
    }

    /// Where the page starts: the key the client's cursor carries, if it was issued for `scope`
    /// (else 422).
    pub fn start(&self, app: &App, scope: &str) -> Result<Option<Key>> {
        self.cursor
            .as_deref()
            .map(|cursor| app.cursors.decode(scope, cursor))
            .transpose()
    }
}

/// A page of a list, as every list endpoint answers: `next_cursor` is `null` only when nothing
/// follows.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page of `scope`, with a cursor to resume after `next` when more follows.
    pub fn new(app: &App, scope: &str, items: Vec<T>, next: Option<Key>) -> Self {
        Page {
            items,
            next_cursor: next.map(|key| app.cursors.encode(scope, &key)),
        }
    }
}
