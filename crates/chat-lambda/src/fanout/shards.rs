//! Large audiences split across concurrent invocations of the delivery function.
//!
//! The invocation that reads a stream record (the coordinator) resolves the audience, pushes
//! the first [`Shards::users_per_shard`] users itself and hands each further share to an
//! invocation of the same function, all at once, synchronously: the record is done when every
//! share is, so each conversation's events still leave in order, and a 1,000-member chat's
//! pushes run on four instances instead of one. A share whose invocation fails (refused,
//! throttled, timing out) is pushed by the coordinator itself: at worst a socket gets an event
//! twice, which clients drop by its `updated_seq`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use chat_aws::invoke::Invoker;
use chat_aws::push::{Delivery, Report};

/// Users per share unless `DELIVERY_SHARD_USERS` says otherwise: at 64 pushes in flight, a
/// share of 250 users' sockets is a few hundred milliseconds of pushing.
pub const DEFAULT_USERS_PER_SHARD: usize = 250;

/// Longest a coordinator waits for a share's invocation before pushing the share itself.
const SHARD_TIMEOUT: Duration = Duration::from_secs(15);

/// One share of an audience: the frame and the users it goes to. `about` names the change in
/// logs (`<message id>@<updated_seq>`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Shard {
    pub about: String,
    pub frame: String,
    pub user_ids: Vec<String>,
}

#[derive(Debug)]
pub struct Shards {
    pub users_per_shard: usize,
    /// This function's name (`AWS_LAMBDA_FUNCTION_NAME`); without it every share is pushed
    /// here.
    function: Option<String>,
    invoker: Invoker,
}

impl Shards {
    /// Read once per cold start: `DELIVERY_SHARD_USERS`, `AWS_LAMBDA_FUNCTION_NAME` (set by
    /// Lambda, and by `cargo lambda watch` locally) and `AWS_ENDPOINT_URL_LAMBDA`.
    pub fn from_env(sdk_config: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let users_per_shard = match env("DELIVERY_SHARD_USERS") {
            None => DEFAULT_USERS_PER_SHARD,
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "DELIVERY_SHARD_USERS",
                    reason: "must be a positive number of users".into(),
                })?,
        };
        Ok(Shards {
            users_per_shard,
            function: env("AWS_LAMBDA_FUNCTION_NAME"),
            invoker: Invoker::new(sdk_config, env("AWS_ENDPOINT_URL_LAMBDA")),
        })
    }

    /// Pushes `frame` to every socket of `users`: the first share here, the others through
    /// concurrent invocations. The report counts this invocation's pushes; each share's
    /// invocation logs its own.
    pub async fn deliver(
        &self,
        delivery: &Delivery,
        users: &[String],
        frame: &str,
        about: &str,
    ) -> Report {
        let mut shares = users.chunks(self.users_per_shard);
        let Some(own) = shares.next() else {
            return Report::default();
        };
        let handed = shares.map(|share| self.hand_over(delivery, share, frame, about));
        let (mut report, handed) = tokio::join!(
            delivery.to_users(own, frame.as_bytes()),
            futures::future::join_all(handed)
        );
        for share in handed {
            report.add(share);
        }
        report
    }

    /// One share through an invocation of this function, or here if that fails.
    async fn hand_over(
        &self,
        delivery: &Delivery,
        user_ids: &[String],
        frame: &str,
        about: &str,
    ) -> Report {
        let Some(function) = &self.function else {
            return delivery.to_users(user_ids, frame.as_bytes()).await;
        };
        let shard = Shard {
            about: about.to_owned(),
            frame: frame.to_owned(),
            user_ids: user_ids.to_vec(),
        };
        let payload = match serde_json::to_vec(&shard) {
            Ok(payload) => payload,
            Err(err) => {
                tracing::error!(error = %err, "a share could not be serialised");
                return delivery.to_users(user_ids, frame.as_bytes()).await;
            }
        };
        match self.invoker.invoke(function, payload, SHARD_TIMEOUT).await {
            Ok(()) => Report {
                handed_over: user_ids.len(),
                ..Report::default()
            },
            Err(err) => {
                tracing::warn!(error = %err, about, users = user_ids.len(),
                    "a share's invocation failed; pushing it here");
                delivery.to_users(user_ids, frame.as_bytes()).await
            }
        }
    }
}

/// What the delivery function is invoked with: a share handed over by a coordinator, or a
/// batch of the stream's records.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Invocation {
    Shard(Shard),
    Stream(super::StreamEvent),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_share_and_a_stream_batch_are_told_apart() {
        let shard = json!({"about": "m@7", "frame": "{}", "user_ids": ["a", "b"]});
        assert!(matches!(
            serde_json::from_value(shard),
            Ok(Invocation::Shard(s)) if s.user_ids == ["a", "b"]
        ));
        let batch = json!({"Records": [{"dynamodb": {"SequenceNumber": "1"}}]});
        assert!(matches!(
            serde_json::from_value(batch),
            Ok(Invocation::Stream(e)) if e.records.len() == 1
        ));
    }
}
