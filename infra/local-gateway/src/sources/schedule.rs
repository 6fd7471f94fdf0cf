//! The template's `Schedule` events (EventBridge rules on AWS): each enabled rule invokes its
//! function with a scheduled-event JSON every period, for as long as the gateway serves.
//!
//! `rate(...)` expressions run at their rate; `--schedule-period-secs` overrides every period
//! (tests need seconds where production runs every minute), and is required for `cron(...)`,
//! which the gateway does not interpret.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior, interval_at};

use crate::runtime::clock::Timestamp;
use crate::runtime::ids;
use crate::runtime::lambda::LambdaClient;
use crate::template::{ScheduleEventDef, Template, TemplateError};

/// The account and region local events claim to come from.
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(
        "schedule {rule}: {expression:?} is not a rate expression the local gateway runs (rate(N minute[s]|hour[s]|day[s])); pass --schedule-period-secs to run it at a fixed period"
    )]
    Unsupported { rule: String, expression: String },
    #[error("schedule {rule}: Input is not JSON: {reason}")]
    Input { rule: String, reason: String },
}

/// One enabled rule, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub rule: String,
    pub function: String,
    pub period: Duration,
    /// What to send instead of the scheduled event (the rule's `Input`).
    pub input: Option<Value>,
}

/// The template's enabled schedules; `period_override` replaces every rule's period.
pub fn from_template(
    template: &Template,
    period_override: Option<Duration>,
) -> Result<Vec<Schedule>, ScheduleError> {
    template
        .schedule_events()?
        .into_iter()
        .filter(|event| event.enabled)
        .map(|event| schedule(event, period_override))
        .collect()
}

fn schedule(
    event: ScheduleEventDef,
    period_override: Option<Duration>,
) -> Result<Schedule, ScheduleError> {
    let period = match period_override.or_else(|| rate(&event.expression)) {
        Some(period) => period,
        None => {
            return Err(ScheduleError::Unsupported {
                rule: event.rule,
                expression: event.expression,
            });
        }
    };
    let input = match &event.input {
        None => None,
        Some(text) => Some(
            serde_json::from_str(text).map_err(|e| ScheduleError::Input {
                rule: event.rule.clone(),
                reason: e.to_string(),
            })?,
        ),
    };
    Ok(Schedule {
        rule: event.rule,
        function: event.function,
        period,
        input,
    })
}

/// The period of `rate(N unit)`; EventBridge wants the singular unit for 1, the plural above.
pub fn rate(expression: &str) -> Option<Duration> {
    let inner = expression.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let (count, unit) = inner.trim().split_once(' ')?;
    let count: u64 = count.parse().ok().filter(|n| *n > 0)?;
    let unit_secs = match (unit.trim(), count) {
        ("minute", 1) | ("minutes", 2..) => 60,
        ("hour", 1) | ("hours", 2..) => 3600,
        ("day", 1) | ("days", 2..) => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(count.checked_mul(unit_secs)?))
}

/// The event EventBridge sends a scheduled rule's target.
pub fn scheduled_event(rule: &str, at: Timestamp) -> Value {
    let iso = at.iso8601();
    // EventBridge writes whole seconds: `2026-11-24T01:02:03Z`.
    let time = format!("{}Z", iso.get(..19).unwrap_or(&iso));
    json!({
        "version": "0",
        "id": ids::api_gateway_id(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": time,
        "region": REGION,
        "resources": [format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}")],
        "detail": {},
    })
}

/// Starts one task per schedule; each invokes its function one period after the start and
/// every period after that. Invocations of one rule never overlap: a run that outlasts the
/// period delays the next one instead of piling up.
pub fn spawn_all(schedules: &[Schedule], lambda: &LambdaClient) -> Vec<JoinHandle<()>> {
    schedules
        .iter()
        .cloned()
        .map(|schedule| {
            let lambda = lambda.clone();
            tokio::spawn(async move { run(&lambda, &schedule).await })
        })
        .collect()
}

async fn run(lambda: &LambdaClient, schedule: &Schedule) {
    tracing::info!(
        rule = schedule.rule,
        function = schedule.function,
        period_secs = schedule.period.as_secs_f64(),
        "schedule running"
    );
    let mut ticks = interval_at(Instant::now() + schedule.period, schedule.period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let event = schedule
            .input
            .clone()
            .unwrap_or_else(|| scheduled_event(&schedule.rule, Timestamp::now()));
        if let Err(error) = lambda.invoke(&schedule.function, &event).await {
            tracing::warn!(rule = schedule.rule, %error, "scheduled invocation failed");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_rate_expressions() {
        assert_eq!(rate("rate(1 minute)"), Some(Duration::from_secs(60)));
        assert_eq!(rate("rate(5 minutes)"), Some(Duration::from_secs(300)));
        assert_eq!(rate("rate(2 hours)"), Some(Duration::from_secs(7200)));
        assert_eq!(rate("rate(1 day)"), Some(Duration::from_secs(86_400)));
        for bad in [
            "rate(1 minutes)",
            "rate(2 minute)",
            "rate(0 minutes)",
            "rate(1 second)",
            "cron(0 12 * * ? *)",
            "rate(x minutes)",
        ] {
            assert_eq!(rate(bad), None, "{bad}");
        }
    }

    const TEMPLATE: &str = r#"
Resources:
  Sweeper:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: sweep } }
    Properties:
      Events:
        Every:
          Type: Schedule
          Properties: { Schedule: rate(2 minutes) }
        Off:
          Type: Schedule
          Properties: { Schedule: rate(1 minute), Enabled: false }
        Daily:
          Type: Schedule
          Properties: { Schedule: "cron(0 3 * * ? *)", Input: '{"k": 1}' }
"#;

    #[test]
    fn reads_the_templates_schedules() {
        let template = Template::parse(TEMPLATE).unwrap();
        // cron needs an override.
        assert!(matches!(
            from_template(&template, None),
            Err(ScheduleError::Unsupported { .. })
        ));
        let fast = from_template(&template, Some(Duration::from_secs(1))).unwrap();
        assert_eq!(
            fast,
            vec![
                Schedule {
                    rule: "SweeperEvery".into(),
                    function: "sweep".into(),
                    period: Duration::from_secs(1),
                    input: None,
                },
                Schedule {
                    rule: "SweeperDaily".into(),
                    function: "sweep".into(),
                    period: Duration::from_secs(1),
                    input: Some(json!({"k": 1})),
                },
            ]
        );
        let rated = TEMPLATE.replace("cron(0 3 * * ? *)", "rate(1 day)");
        let template = Template::parse(&rated).unwrap();
        let periods: Vec<_> = from_template(&template, None)
            .unwrap()
            .into_iter()
            .map(|s| s.period.as_secs())
            .collect();
        assert_eq!(periods, [120, 86_400]);
    }

    #[test]
    fn events_look_like_eventbridge() {
        let event = scheduled_event("R", Timestamp::from_epoch_millis(1_795_482_123_456));
        assert_eq!(event["detail-type"], "Scheduled Event");
        assert_eq!(event["source"], "aws.events");
        assert_eq!(event["time"], "2026-11-24T01:02:03Z");
        assert_eq!(
            event["resources"][0],
            "arn:aws:events:us-east-1:123456789012:rule/R"
        );
        assert_eq!(event["detail"], json!({}));
    }
}
