//! Command-line parsing: a subcommand followed by `--flag value` (or `--flag=value`) pairs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::gateway::GatewayConfig;
use crate::sources::streams::StreamSettings;

pub const USAGE: &str = "\
usage:
  local-gateway tables [--template template.yaml] [--endpoint http://127.0.0.1:8100]
      create the template's DynamoDB tables in DynamoDB Local (existing ones are left alone)
  local-gateway buckets [--template template.yaml]
      print the local names of the template's S3 buckets, one a line
  local-gateway env [--template template.yaml] [--set KEY=VALUE]...
      print the functions' environment as an env file for `cargo lambda watch --env-file`
  local-gateway serve [--template template.yaml] [--listen 127.0.0.1:8000]
                      [--lambda http://127.0.0.1:9000] [--stage local]
                      [--ws-max-message-bytes 131072] [--ws-max-frame-bytes 32768]
                      [--ws-idle-timeout-secs 600]
                      [--ws-max-connection-secs 7200] [--invoke-timeout-secs 900]
                      [--lambda-concurrency N] [--schedule-period-secs N]
                      [--dynamodb-endpoint http://127.0.0.1:8100] [--stream-poll-millis 50]
                      [--dead-letter-dir dead-letters]
                      [--dynamodb-proxy-listen ADDR] [--control-listen ADDR]
      serve the HTTP API, the WebSocket API at /ws and the Management API at
      /ws/@connections/{id}, invoke the template's Schedule events (every N seconds
      with --schedule-period-secs) and its DynamoDB stream events (streams read from
      --dynamodb-endpoint, idle shards polled every --stream-poll-millis, discarded
      batches written to <dead-letter-dir>/<destination>.jsonl); with
      --dynamodb-proxy-listen, a proxy to --dynamodb-endpoint for the functions, and with
      --control-listen, the fault switches at /_faults (see docs/local-stack.md)
      environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN,
      AWS_REGION if set), the keys the Management API and the Invoke API check SigV4
      signatures with (unset: both refuse every request); RATE_LIMIT_MULTIPLIER;
      LOCAL_FAULTS (the faults in force at start, as the JSON /_faults takes)";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CliError {
    #[error("missing command\n\n{USAGE}")]
    MissingCommand,
    #[error("unknown command {0:?}\n\n{USAGE}")]
    UnknownCommand(String),
    #[error("unknown option {flag} for `{command}`\n\n{USAGE}")]
    UnknownFlag { command: String, flag: String },
    #[error("{0} needs a value")]
    MissingValue(String),
    #[error("invalid value {value:?} for {flag}: {reason}")]
    InvalidValue {
        flag: String,
        value: String,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Tables {
        template: PathBuf,
        endpoint: String,
    },
    Buckets {
        template: PathBuf,
    },
    Env {
        template: PathBuf,
        overrides: Vec<(String, String)>,
    },
    Serve {
        template: PathBuf,
        listen: SocketAddr,
        config: Box<GatewayConfigArgs>,
    },
}

/// The gateway settings `serve` accepts, comparable in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfigArgs {
    pub stage: String,
    pub lambda_endpoint: String,
    pub invoke_timeout: Duration,
    pub lambda_concurrency: Option<usize>,
    pub ws_max_message_bytes: usize,
    pub ws_max_frame_bytes: usize,
    pub ws_idle_timeout: Duration,
    pub ws_max_connection_duration: Duration,
    pub schedule_period: Option<Duration>,
    pub streams: StreamSettings,
    pub dynamodb_proxy: Option<SocketAddr>,
    pub control: Option<SocketAddr>,
}

impl GatewayConfigArgs {
    pub fn into_config(self) -> GatewayConfig {
        GatewayConfig {
            stage: self.stage,
            lambda_endpoint: self.lambda_endpoint,
            invoke_timeout: self.invoke_timeout,
            lambda_concurrency: self.lambda_concurrency,
            ws_max_message_bytes: self.ws_max_message_bytes,
            ws_max_frame_bytes: self.ws_max_frame_bytes,
            ws_idle_timeout: self.ws_idle_timeout,
            ws_max_connection_duration: self.ws_max_connection_duration,
            schedule_period: self.schedule_period,
            streams: self.streams,
            dynamodb_proxy: self.dynamodb_proxy,
            control: self.control,
            ..GatewayConfig::default()
        }
    }
}

impl Default for GatewayConfigArgs {
    fn default() -> Self {
        let defaults = GatewayConfig::default();
        Self {
            stage: defaults.stage,
            lambda_endpoint: defaults.lambda_endpoint,
            invoke_timeout: defaults.invoke_timeout,
            lambda_concurrency: defaults.lambda_concurrency,
            ws_max_message_bytes: defaults.ws_max_message_bytes,
            ws_max_frame_bytes: defaults.ws_max_frame_bytes,
            ws_idle_timeout: defaults.ws_idle_timeout,
            ws_max_connection_duration: defaults.ws_max_connection_duration,
            schedule_period: defaults.schedule_period,
            streams: defaults.streams,
            dynamodb_proxy: defaults.dynamodb_proxy,
            control: defaults.control,
        }
    }
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, CliError> {
    let mut args = args.into_iter();
    let command = args.next().ok_or(CliError::MissingCommand)?;
    let pairs = flag_pairs(&command, args)?;
    let mut template = PathBuf::from("template.yaml");
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "tables" => {
            let mut endpoint = "http://127.0.0.1:8100".to_owned();
            for (flag, value) in pairs {
                match flag.as_str() {
                    "--template" => template = PathBuf::from(value),
                    "--endpoint" => endpoint = value,
                    _ => return Err(unknown(&command, flag)),
                }
            }
            Ok(Command::Tables { template, endpoint })
        }
        "buckets" => {
            for (flag, value) in pairs {
                match flag.as_str() {
                    "--template" => template = PathBuf::from(value),
                    _ => return Err(unknown(&command, flag)),
                }
            }
            Ok(Command::Buckets { template })
        }
        "env" => {
            let mut overrides = Vec::new();
            for (flag, value) in pairs {
                match flag.as_str() {
                    "--template" => template = PathBuf::from(value),
                    "--set" => overrides.push(assignment(&flag, value)?),
                    _ => return Err(unknown(&command, flag)),
                }
            }
            Ok(Command::Env {
                template,
                overrides,
            })
        }
        "serve" => {
            let mut listen = SocketAddr::from(([127, 0, 0, 1], 8000));
            let mut config = GatewayConfigArgs::default();
            for (flag, value) in pairs {
                match flag.as_str() {
                    "--template" => template = PathBuf::from(value),
                    "--listen" => listen = number(&flag, value)?,
                    "--lambda" => config.lambda_endpoint = value,
                    "--stage" => config.stage = value,
                    "--ws-max-message-bytes" => {
                        config.ws_max_message_bytes = positive(&flag, value)?
                    }
                    "--ws-max-frame-bytes" => config.ws_max_frame_bytes = positive(&flag, value)?,
                    "--ws-idle-timeout-secs" => config.ws_idle_timeout = seconds(&flag, value)?,
                    "--ws-max-connection-secs" => {
                        config.ws_max_connection_duration = seconds(&flag, value)?;
                    }
                    "--invoke-timeout-secs" => config.invoke_timeout = seconds(&flag, value)?,
                    "--lambda-concurrency" => {
                        config.lambda_concurrency = Some(positive(&flag, value)?);
                    }
                    "--schedule-period-secs" => {
                        config.schedule_period = Some(seconds(&flag, value)?);
                    }
                    "--dynamodb-endpoint" => config.streams.endpoint = value,
                    "--stream-poll-millis" => {
                        let millis = positive(&flag, value)?;
                        config.streams.poll = Duration::from_millis(millis as u64);
                    }
                    "--dead-letter-dir" => config.streams.dead_letter_dir = PathBuf::from(value),
                    "--dynamodb-proxy-listen" => {
                        config.dynamodb_proxy = Some(number(&flag, value)?);
                    }
                    "--control-listen" => config.control = Some(number(&flag, value)?),
                    _ => return Err(unknown(&command, flag)),
                }
            }
            Ok(Command::Serve {
                template,
                listen,
                config: Box::new(config),
            })
        }
        other => Err(CliError::UnknownCommand(other.to_owned())),
    }
}

/// The environment variable that raises every rate limit, the functions' per-caller limits
/// and the gateway's edge limits alike: one knob for test suites and benches.
pub const RATE_LIMIT_MULTIPLIER: &str = "RATE_LIMIT_MULTIPLIER";

/// `RATE_LIMIT_MULTIPLIER`'s value: unset or empty is 1; otherwise a positive number.
pub fn rate_limit_multiplier(value: Option<&str>) -> Result<f64, CliError> {
    let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(1.0);
    };
    text.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n > 0.0)
        .ok_or_else(|| {
            invalid(
                RATE_LIMIT_MULTIPLIER,
                text.to_owned(),
                "must be a positive number",
            )
        })
}

fn flag_pairs(
    command: &str,
    mut args: impl Iterator<Item = String>,
) -> Result<Vec<(String, String)>, CliError> {
    let mut pairs = Vec::new();
    while let Some(arg) = args.next() {
        if !arg.starts_with("--") {
            return Err(unknown(command, arg));
        }
        match arg.split_once('=') {
            Some((flag, value)) => pairs.push((flag.to_owned(), value.to_owned())),
            None => {
                let value = args
                    .next()
                    .ok_or_else(|| CliError::MissingValue(arg.clone()))?;
                pairs.push((arg, value));
            }
        }
    }
    Ok(pairs)
}

fn unknown(command: &str, flag: String) -> CliError {
    CliError::UnknownFlag {
        command: command.to_owned(),
        flag,
    }
}

fn invalid(flag: &str, value: String, reason: impl ToString) -> CliError {
    CliError::InvalidValue {
        flag: flag.to_owned(),
        value,
        reason: reason.to_string(),
    }
}

fn assignment(flag: &str, value: String) -> Result<(String, String), CliError> {
    match value.split_once('=') {
        Some((key, val)) if !key.is_empty() => Ok((key.to_owned(), val.to_owned())),
        _ => Err(invalid(flag, value, "expected KEY=VALUE")),
    }
}

fn number<T: std::str::FromStr>(flag: &str, value: String) -> Result<T, CliError>
where
    T::Err: ToString,
{
    value
        .parse()
        .map_err(|error: T::Err| invalid(flag, value.clone(), error))
}

fn positive(flag: &str, value: String) -> Result<usize, CliError> {
    match number::<usize>(flag, value.clone())? {
        0 => Err(invalid(flag, value, "must be positive")),
        n => Ok(n),
    }
}

fn seconds(flag: &str, value: String) -> Result<Duration, CliError> {
    positive(flag, value).map(|n| Duration::from_secs(n as u64))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_every_command() {
        assert_eq!(
            parse(args("tables --template t.yaml --endpoint http://x:1")).unwrap(),
            Command::Tables {
                template: "t.yaml".into(),
                endpoint: "http://x:1".into()
            }
        );
        assert_eq!(
            parse(args("buckets --template t.yaml")).unwrap(),
            Command::Buckets {
                template: "t.yaml".into()
            }
        );
        assert_eq!(
            parse(args("env --set A=1 --set=B=x=y")).unwrap(),
            Command::Env {
                template: "template.yaml".into(),
                overrides: vec![("A".into(), "1".into()), ("B".into(), "x=y".into())]
            }
        );
        let Command::Serve {
            listen, config, ..
        } = parse(args(
            "serve --listen 0.0.0.0:9 --lambda http://l:1 --stage dev --ws-max-message-bytes 10 --ws-max-frame-bytes 8 --ws-idle-timeout-secs 5 --ws-max-connection-secs 6 --lambda-concurrency 4 --schedule-period-secs 2 --dynamodb-endpoint http://d:1 --stream-poll-millis 7 --dead-letter-dir /tmp/dl --dynamodb-proxy-listen 127.0.0.1:3 --control-listen 127.0.0.1:4",
        ))
        .unwrap()
        else {
            panic!("not serve");
        };
        assert_eq!(listen, "0.0.0.0:9".parse().unwrap());
        assert_eq!(config.stage, "dev");
        assert_eq!(config.ws_max_message_bytes, 10);
        assert_eq!(config.ws_max_frame_bytes, 8);
        assert_eq!(config.ws_idle_timeout, Duration::from_secs(5));
        assert_eq!(config.ws_max_connection_duration, Duration::from_secs(6));
        assert_eq!(config.lambda_concurrency, Some(4));
        assert_eq!(config.schedule_period, Some(Duration::from_secs(2)));
        assert_eq!(config.dynamodb_proxy, Some("127.0.0.1:3".parse().unwrap()));
        assert_eq!(config.control, Some("127.0.0.1:4".parse().unwrap()));
        assert_eq!(
            config.streams,
            StreamSettings {
                enabled: true,
                endpoint: "http://d:1".into(),
                poll: Duration::from_millis(7),
                dead_letter_dir: "/tmp/dl".into(),
            }
        );
    }

    #[test]
    fn reads_the_rate_limit_multiplier() {
        assert_eq!(rate_limit_multiplier(None), Ok(1.0));
        assert_eq!(rate_limit_multiplier(Some(" ")), Ok(1.0));
        assert_eq!(rate_limit_multiplier(Some("1000")), Ok(1000.0));
        assert_eq!(rate_limit_multiplier(Some("2.5")), Ok(2.5));
        for bad in ["0", "-3", "lots", "inf", "NaN"] {
            assert!(rate_limit_multiplier(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(parse(args("")), Err(CliError::MissingCommand));
        assert!(matches!(
            parse(args("nope")),
            Err(CliError::UnknownCommand(_))
        ));
        assert!(matches!(
            parse(args("env --bogus 1")),
            Err(CliError::UnknownFlag { .. })
        ));
        assert!(matches!(
            parse(args("env --set")),
            Err(CliError::MissingValue(_))
        ));
        assert!(matches!(
            parse(args("env --set NOEQUALS")),
            Err(CliError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse(args("serve --listen nope")),
            Err(CliError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse(args("serve --ws-idle-timeout-secs 0")),
            Err(CliError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse(args("serve --stream-poll-millis 0")),
            Err(CliError::InvalidValue { .. })
        ));
    }
}
