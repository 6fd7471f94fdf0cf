//! At most `per_function` invocations of one function in flight, as a function's reserved
//! concurrency would allow on AWS. `cargo lambda watch` runs a fixed number of instances per
//! function; handing it more concurrent invocations than that made it stop answering every
//! function (seen when 200 sockets dropped at once), so extra invocations wait here instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug)]
pub(super) struct ConcurrencyLimits {
    per_function: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl ConcurrencyLimits {
    pub(super) fn new(per_function: usize) -> Self {
        Self {
            per_function,
            semaphores: Mutex::default(),
        }
    }

    fn of(&self, function: &str) -> Arc<Semaphore> {
        // A poisoned lock only means another invocation panicked while inserting; the map
        // itself is still whole.
        let mut semaphores = self
            .semaphores
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            semaphores
                .entry(function.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_function))),
        )
    }

    /// A place for one invocation, waiting for one to free up.
    pub(super) async fn acquire(&self, function: &str) -> Option<OwnedSemaphorePermit> {
        // The semaphores are never closed, so this only ever waits.
        self.of(function).acquire_owned().await.ok()
    }

    /// A place for one invocation now, or `None` at the limit.
    pub(super) fn try_acquire(&self, function: &str) -> Option<OwnedSemaphorePermit> {
        self.of(function).try_acquire_owned().ok()
    }
}
