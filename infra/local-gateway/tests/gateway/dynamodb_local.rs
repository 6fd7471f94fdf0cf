//! DynamoDB Local for the tests that need a real DynamoDB (tables, stream event sources), as the
//! stack runs it: on a loopback port only (`infra/scripts/dynamodb-local.sh`).

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A DynamoDB Local (Java + the jar the project pins in infra/node_modules) on a free port,
/// stopped with its forwarders when dropped.
pub struct DynamoDbLocal {
    child: Child,
    pub endpoint: String,
}

impl Drop for DynamoDbLocal {
    fn drop(&mut self) {
        // The script's process group: its forwarders and the namespace's processes with it.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

pub async fn start_dynamodb_local() -> DynamoDbLocal {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let dir = std::env::temp_dir().join(format!("gateway-tests-dynamodb-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let child = Command::new(root.join("infra/scripts/dynamodb-local.sh"))
        .args([&port.to_string(), dir.to_str().unwrap(), "-inMemory"])
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    // The forwarder accepts at once; DynamoDB Local is up when an HTTP request gets an answer.
    for _ in 0..300 {
        if answers_http(port).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    DynamoDbLocal { child, endpoint }
}

async fn answers_http(port: u16) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    let request = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    if stream.write_all(request).await.is_err() {
        return false;
    }
    let mut first = [0u8; 4];
    stream.read_exact(&mut first).await.is_ok() && &first == b"HTTP"
}
