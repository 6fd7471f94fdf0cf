//! The template's function `Timeout`, applied once a function has started.
//!
//! Under `cargo lambda watch` the first invocation of a function may build it (minutes), which
//! Lambda never counts against a timeout. A function counts as started once the watch has
//! delivered one answer of it (a result or the function's own error): from then on every
//! invocation is bounded. Before that only the long `--invoke-timeout-secs` applies.

use std::collections::{BTreeMap, HashSet};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

/// What ends an invocation that runs too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cutoff {
    /// The function's `Timeout`: Lambda stops the function and reports a function error.
    Function(Duration),
    /// The API's integration timeout: API Gateway stops waiting (the function runs on).
    Integration(Duration),
}

impl Cutoff {
    pub fn after(self) -> Duration {
        match self {
            Self::Function(after) | Self::Integration(after) => after,
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct FunctionTimeouts {
    /// By binary; a function the template does not name has no bound of its own.
    timeouts: BTreeMap<String, Duration>,
    started: RwLock<HashSet<String>>,
}

impl FunctionTimeouts {
    pub(super) fn new(timeouts: BTreeMap<String, Duration>) -> Self {
        Self {
            timeouts,
            started: RwLock::default(),
        }
    }

    /// The template's `Timeout` of `function`, if it names one.
    pub(super) fn own(&self, function: &str) -> Option<Duration> {
        self.timeouts.get(function).copied()
    }

    /// What bounds the next invocation of `function` (`integration`: the calling API's own
    /// timeout); `None` until the function has started.
    pub(super) fn cutoff(&self, function: &str, integration: Option<Duration>) -> Option<Cutoff> {
        // A poisoned lock only means a thread panicked inserting a name; the set is whole.
        let started = self.started.read().unwrap_or_else(PoisonError::into_inner);
        if !started.contains(function) {
            return None;
        }
        let own = self.timeouts.get(function).copied().map(Cutoff::Function);
        let api = integration.map(Cutoff::Integration);
        match (own, api) {
            // At a tie Lambda's own timeout is the one that reports.
            (Some(own), Some(api)) if api.after() < own.after() => Some(api),
            (own, api) => own.or(api),
        }
    }

    pub(super) fn mark_started(&self, function: &str) {
        let known = self
            .started
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(function);
        if !known {
            self.started
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(function.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_start_with_the_first_answer_and_the_shorter_limit_wins() {
        let secs = Duration::from_secs;
        let timeouts = FunctionTimeouts::new(BTreeMap::from([
            ("quick".to_owned(), secs(1)),
            ("slow".to_owned(), secs(60)),
        ]));
        assert_eq!(timeouts.cutoff("quick", Some(secs(30))), None);
        timeouts.mark_started("quick");
        timeouts.mark_started("slow");
        timeouts.mark_started("other");
        assert_eq!(
            timeouts.cutoff("quick", Some(secs(30))),
            Some(Cutoff::Function(secs(1)))
        );
        assert_eq!(
            timeouts.cutoff("slow", Some(secs(30))),
            Some(Cutoff::Integration(secs(30)))
        );
        assert_eq!(
            timeouts.cutoff("slow", None),
            Some(Cutoff::Function(secs(60)))
        );
        assert_eq!(timeouts.cutoff("other", None), None);
    }
}
