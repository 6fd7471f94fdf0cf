//! `Schedule` events: the gateway invokes their function with EventBridge's scheduled event.

use std::time::Duration;

use crate::harness::Harness;

#[tokio::test]
async fn schedules_run_at_the_override_period_with_scheduled_events() {
    let harness = Harness::start_with("template.yaml", |config| {
        config.schedule_period = Some(Duration::from_millis(200));
    })
    .await;
    let events = harness.lambda.wait_for("ws-sweep", 3).await;
    for event in &events {
        assert_eq!(event["detail-type"], "Scheduled Event");
        assert_eq!(event["source"], "aws.events");
        assert_eq!(
            event["resources"][0],
            "arn:aws:events:us-east-1:123456789012:rule/SweepFunctionEveryMinute"
        );
        assert!(event["time"].as_str().unwrap().ends_with('Z'));
    }
    assert_ne!(events[0]["id"], events[1]["id"]);
}

#[tokio::test]
async fn schedules_keep_the_templates_rate_by_default() {
    let harness = Harness::start("template.yaml").await;
    // rate(1 minute): nothing in the first second, which shows no immediate run either.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(harness.lambda.events("ws-sweep").is_empty());
}
