//! What a run asks to break, as JSON: the body of `PUT /_faults` on the control port and the
//! value of `LOCAL_FAULTS` at start. Every section is optional and off by default; shares are
//! "every Nth" (1: all, 0: none) so that a test knows which call a fault hits.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSettings {
    pub dynamodb: DynamoDbFaults,
    pub functions: FunctionFaults,
    pub push: PushFaults,
    pub stream: StreamFaults,
    pub sockets: SocketFaults,
}

/// Faults of the proxy between the functions and DynamoDB Local.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DynamoDbFaults {
    /// Added before each matching request is forwarded.
    pub latency_ms: u64,
    /// Every Nth matching request is forwarded, then its connection is cut before the answer:
    /// DynamoDB did the work, the caller never hears of it.
    pub drop_every: u64,
    /// Every Nth matching request is answered with [`Self::throttle`] and not forwarded.
    pub throttle_every: u64,
    pub throttle: Throttle,
    /// From the moment the settings are applied, every request (any operation) has its
    /// connection cut unanswered, and nothing reaches DynamoDB Local, for this many seconds.
    pub outage_secs: u64,
    /// Operations (`PutItem`, `TransactWriteItems`, ...) latency, drops and throttling apply
    /// to; empty: all.
    pub operations: Vec<String>,
}

/// DynamoDB's three throttling errors, each HTTP 400 with its `__type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Throttle {
    /// A provisioned table's capacity is used up.
    #[default]
    ProvisionedThroughputExceededException,
    /// An on-demand table (or the control plane) is asked faster than it scales.
    ThrottlingException,
    /// The account's throughput limit.
    RequestLimitExceeded,
}

impl Throttle {
    pub fn code(self) -> &'static str {
        match self {
            Self::ProvisionedThroughputExceededException => {
                "ProvisionedThroughputExceededException"
            }
            Self::ThrottlingException => "ThrottlingException",
            Self::RequestLimitExceeded => "RequestLimitExceeded",
        }
    }

    /// The `__type` DynamoDB writes: its own namespace, but the shared throttle's for
    /// `ThrottlingException`.
    pub fn type_name(self) -> String {
        match self {
            Self::ThrottlingException => {
                "com.amazon.coral.availability#ThrottlingException".to_owned()
            }
            other => format!("com.amazonaws.dynamodb.v20120810#{}", other.code()),
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::ProvisionedThroughputExceededException => {
                "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."
            }
            Self::ThrottlingException => {
                "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly."
            }
            Self::RequestLimitExceeded => {
                "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase"
            }
        }
    }
}

/// Invocations that fail as a crashed function looks to API Gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FunctionFaults {
    /// `None`: off.
    pub crash: Option<CrashPoint>,
    /// Every Nth matching invocation crashes.
    pub every: u64,
    /// Binary names (`messages`, `ws-send`, ...) the crashes apply to; empty: all.
    pub functions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrashPoint {
    /// The function never runs.
    Before,
    /// The function runs to its end (its writes are done); its answer is lost.
    After,
}

/// Posts of the Management API refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushFaults {
    /// 429 (`LimitExceededException`), 500 (`InternalServerErrorException`) or 410
    /// (`GoneException`, and the connection is dropped); `None`: off.
    pub status: Option<u16>,
    /// Every Nth post (to a matching connection) is refused.
    pub every: u64,
    /// Connection ids the refusals apply to; empty: all.
    pub connections: Vec<String>,
}

/// Batches of the DynamoDB stream event sources failing for a window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StreamFaults {
    /// `None`: off.
    pub failure: Option<StreamFailure>,
    /// How long, from the moment the settings are applied.
    pub secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamFailure {
    /// The function runs, then its invocation reports an unhandled error.
    Error,
    /// The function runs, then its invocation reports Lambda's `Sandbox.Timedout`.
    Timeout,
}

/// WebSocket connections cut without a close frame and without `$disconnect`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SocketFaults {
    /// Every Nth connection accepted is cut.
    pub drop_every: u64,
    /// How long after its `$connect` succeeded.
    pub after_ms: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("invalid fault settings: {0}")]
    Json(String),
    #[error("push.status must be 429, 500 or 410, not {0}")]
    PushStatus(u16),
}

impl FaultSettings {
    /// Parses and checks settings; an empty text is "no faults".
    pub fn parse(text: &[u8]) -> Result<Self, SettingsError> {
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let settings: Self =
            serde_json::from_slice(text).map_err(|error| SettingsError::Json(error.to_string()))?;
        match settings.push.status {
            None | Some(429 | 500 | 410) => Ok(settings),
            Some(other) => Err(SettingsError::PushStatus(other)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section() {
        let settings = FaultSettings::parse(
            br#"{"dynamodb": {"latency_ms": 5, "throttle_every": 2, "throttle": "ThrottlingException", "operations": ["PutItem"]},
                 "functions": {"crash": "after", "every": 3, "functions": ["messages"]},
                 "push": {"status": 410, "every": 1},
                 "stream": {"failure": "timeout", "secs": 4},
                 "sockets": {"drop_every": 2, "after_ms": 10}}"#,
        )
        .unwrap();
        assert_eq!(settings.dynamodb.throttle, Throttle::ThrottlingException);
        assert_eq!(settings.functions.crash, Some(CrashPoint::After));
        assert_eq!(settings.stream.failure, Some(StreamFailure::Timeout));
        assert_eq!(settings.sockets.drop_every, 2);
        assert_eq!(
            FaultSettings::parse(b" ").unwrap(),
            FaultSettings::default()
        );
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        assert!(FaultSettings::parse(br#"{"database": {}}"#).is_err());
        assert_eq!(
            FaultSettings::parse(br#"{"push": {"status": 503, "every": 1}}"#),
            Err(SettingsError::PushStatus(503))
        );
    }

    #[test]
    fn throttles_carry_the_shapes_dynamodb_sends() {
        assert_eq!(
            Throttle::ProvisionedThroughputExceededException.type_name(),
            "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
        );
        assert_eq!(
            Throttle::RequestLimitExceeded.type_name(),
            "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded"
        );
    }
}
