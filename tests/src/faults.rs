//! The local stack's fault switches (`/_faults` on the gateway's control port, which
//! `infra/test.sh` exports as `CHAT_FAULTS_URL`), for the fault tests: one test at a time holds
//! them, and they are off again when it ends, a failed test included.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Mutex, MutexGuard};

pub fn faults_url() -> String {
    std::env::var("CHAT_FAULTS_URL").expect(
        "CHAT_FAULTS_URL is not set: run the tests with infra/test.sh, which starts the stack",
    )
}

/// The fault tests of one file run one at a time: the switches are the stack's, not a test's.
static HELD: Mutex<()> = Mutex::const_new(());

/// The switches, held by one test; every fault is off when it is dropped.
pub struct Faults {
    http: reqwest::Client,
    url: String,
    _held: MutexGuard<'static, ()>,
}

impl Faults {
    /// Waits for the other tests of the file to let go, then starts from no faults.
    pub async fn hold() -> Faults {
        let held = HELD.lock().await;
        let faults = Faults {
            http: reqwest::Client::new(),
            url: faults_url(),
            _held: held,
        };
        faults.clear().await;
        faults
    }

    /// Replaces the settings (counters and windows start again); the report.
    pub async fn set(&self, settings: Value) -> Value {
        let reply = self
            .http
            .put(&self.url)
            .json(&settings)
            .send()
            .await
            .expect("the control port answers");
        assert_eq!(reply.status().as_u16(), 200, "fault settings refused");
        reply.json().await.expect("the report is JSON")
    }

    /// The settings and the counts of faults fired since they were set.
    pub async fn report(&self) -> Value {
        self.http
            .get(&self.url)
            .send()
            .await
            .expect("the control port answers")
            .json()
            .await
            .expect("the report is JSON")
    }

    /// How many times the fault `name` (`dynamodb_throttle`, `push`, ...) fired.
    pub async fn fired(&self, name: &str) -> u64 {
        self.report().await["counts"][name]["fired"]
            .as_u64()
            .unwrap_or(0)
    }

    pub async fn clear(&self) {
        let reply = self.http.delete(&self.url).send().await;
        assert_eq!(
            reply.expect("the control port answers").status().as_u16(),
            200
        );
    }

    /// Waits until the report's flag `name` (`outage_active`, `stream_failing`) is false.
    pub async fn until_over(&self, name: &str, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.report().await[name] == true {
            assert!(tokio::time::Instant::now() < deadline, "{name} still on");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Faults {
    /// A test that panicked never reached its own clean-up: the switches go off here, with a
    /// plain blocking request (no runtime may be left to run an async one).
    fn drop(&mut self) {
        let Some(rest) = self.url.strip_prefix("http://") else {
            return;
        };
        let Some((address, path)) = rest.split_once('/') else {
            return;
        };
        let Ok(mut stream) = std::net::TcpStream::connect(address) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let request = format!(
            "DELETE /{path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
        }
    }
}
