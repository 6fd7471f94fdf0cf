//! Pages of a list: what a client asks for, what it gets, and the signed cursor between them.

use crate::app::App;
use crate::cursor::Key;
use crate::error::Result;

/// A page request: `limit` already checked, `cursor` as the client sent it.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<'a> {
    pub limit: i32,
    pub cursor: Option<&'a str>,
}

impl PageRequest<'_> {
    /// Where the page starts: the key the client's cursor carries, if it was issued for `scope`
    /// (else 422).
    pub fn start(&self, app: &App, scope: &str) -> Result<Option<Key>> {
        self.cursor
            .map(|cursor| app.cursors.decode(scope, cursor))
            .transpose()
    }
}

#[derive(Debug)]
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
