//! Limits around passwords and tokens (issue 26), at the template's default limits: a revoked
//! token spends nothing of its owner's write limit.
//!
//! Ignored in the main run, as `limits.rs` is: `infra/test.sh` runs them with `--ignored`
//! against a stack with the defaults. Each test acts from loopback addresses of its own
//! (127.0.0.31 and up; `limits.rs` uses 127.0.0.11 to .17), so that the per-address limits of
//! one never meet another's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::Api;
use futures::future::join_all;
use serde_json::json;

fn assert_defaults() {
    let multiplier = std::env::var("RATE_LIMIT_MULTIPLIER").unwrap_or_default();
    assert!(
        multiplier.is_empty() || multiplier == "1",
        "the stack raises its limits (RATE_LIMIT_MULTIPLIER={multiplier}); \
         needs a stack with the default limits: infra/test.sh runs it"
    );
}

fn now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
}

/// Waits, if need be, until at least `needed` is left of the current `window` (aligned to the
/// epoch, as the functions count them), so that a run gets one window's allowance only.
async fn with_room_in_the_window(window: Duration, needed: Duration) {
    let into = Duration::from_secs(now().as_secs() % window.as_secs());
    if window - into < needed {
        tokio::time::sleep(window - into + Duration::from_secs(1)).await;
    }
}

/// Every test's name starts with `default_limits::`, which the main run skips by name.
mod default_limits {
    use super::*;

    /// The write limit's count is taken concurrently with the token's session check;
    /// a token whose session ended gives its count back, so a thief holding a logged-out token
    /// cannot spend the owner's writes.
    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn a_logged_out_token_spends_nothing_of_its_owners_write_limit() {
        assert_defaults();
        let api = Api::from_address("127.0.0.38");
        let owner = api.user("revoked").await;
        let peer = api.user("revokedP").await;
        let live = api.login(&owner).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        api.post("/users/logout", Some(&owner.token), json!({}))
            .await
            .expect(204);
        let send = |token: String, n: usize| {
            let (api, peer) = (api.clone(), peer.id.clone());
            async move {
                api.post(
                    "/messages",
                    Some(&token),
                    json!({"recipient_id": peer, "content": format!("message {n}")}),
                )
                .await
            }
        };
        // Writes count in windows of 10 s: the 30 sends go at once, in one window.
        with_room_in_the_window(Duration::from_secs(10), Duration::from_secs(8)).await;
        let revoked = join_all((0..30).map(|n| send(owner.token.clone(), n))).await;
        let statuses: Vec<u16> = revoked.iter().map(|r| r.status.as_u16()).collect();
        assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
        let reply = send(live, 30).await;
        assert_eq!(
            reply.status.as_u16(),
            201,
            "a send with a live token after 30 with a logged-out one: {:#}",
            reply.body
        );
    }
}
