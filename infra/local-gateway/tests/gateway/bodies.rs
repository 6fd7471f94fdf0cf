//! Request bodies read as API Gateway reads them: whatever the answer, the body is read (or
//! discarded) first, so the client's keep-alive connection stays usable for its next request.
//!
//! reqwest's pool would hide a dropped connection behind a fresh one, so these tests speak
//! HTTP/1.1 over one TCP stream of their own.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::harness::{Harness, Signing, WAIT, signature_headers};

/// One keep-alive connection to the gateway.
struct KeepAlive {
    stream: BufReader<TcpStream>,
}

/// Status and body of one response.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: String,
}

impl KeepAlive {
    async fn open(addr: SocketAddr) -> Self {
        Self {
            stream: BufReader::new(TcpStream::connect(addr).await.unwrap()),
        }
    }

    /// Sends one request and reads its response; `Err` when the connection failed.
    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, String> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: gateway\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        tokio::time::timeout(WAIT, self.send_and_read(head.as_bytes(), body))
            .await
            .map_err(|_| "no answer in time".to_owned())?
    }

    /// The body follows the head in two parts with a pause between them, as it arrives over a
    /// real network, so the gateway may decide on the request before the body is all there.
    async fn send_and_read(&mut self, head: &[u8], body: &[u8]) -> Result<Answer, String> {
        let failed = |error: std::io::Error| error.to_string();
        let (first, rest) = body.split_at(body.len().min(1024));
        let stream = self.stream.get_mut();
        stream.write_all(head).await.map_err(failed)?;
        stream.write_all(first).await.map_err(failed)?;
        stream.flush().await.map_err(failed)?;
        if !rest.is_empty() {
            tokio::time::sleep(PAUSE).await;
            stream.write_all(rest).await.map_err(failed)?;
            stream.flush().await.map_err(failed)?;
        }
        let mut status_line = String::new();
        if self
            .stream
            .read_line(&mut status_line)
            .await
            .map_err(failed)?
            == 0
        {
            return Err("the gateway closed the connection".to_owned());
        }
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("not a status line: {status_line:?}"))?;
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).await.map_err(failed)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad length {value}"))?;
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.map_err(failed)?;
        Ok(Answer {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// Between the two parts of a body.
const PAUSE: Duration = Duration::from_millis(100);

/// Method, path, headers and the status expected.
type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], u16);

const ORIGIN: &str = "https://app.example.com";

fn as_pairs(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

/// A 20 KB body answered without the function (404, 429, a preflight, ...) is still read, so
/// the next request on the same connection gets its answer. (A body over the limit is
/// `http_api::bodies_over_ten_megabytes_are_refused`.)
#[tokio::test]
async fn answers_without_the_function_keep_the_connection_usable() {
    let harness = Harness::start("bodies.yaml").await;
    let body = vec![b'x'; 20 * 1024];
    let preflight = [
        ("origin", ORIGIN),
        ("access-control-request-method", "POST"),
    ];
    const INVOKE: &str = "/2015-03-31/functions/echo/invocations";
    const MANAGE: &str = "/ws/@connections/gone%3D";
    // Signed as the SDKs sign, for the `host: gateway` these requests carry.
    let signed = |method: &str, path: &str| {
        let url = format!("http://gateway{path}");
        signature_headers(method, &url, &[], &body, &Signing::default())
    };
    let (signed_get, signed_delete) = (signed("GET", INVOKE), signed("DELETE", MANAGE));
    let (get_invoke, delete_connection) = (as_pairs(&signed_get), as_pairs(&signed_delete));
    let cases: [Case<'_>; 7] = [
        ("POST", "/nowhere", &[], 404),
        ("POST", "/closed", &[], 429),
        ("OPTIONS", "/open", &preflight, 204),
        // The gateway's other APIs answer early too: an unsigned request, a wrong method, an
        // unknown connection.
        ("GET", INVOKE, &[], 403),
        ("GET", INVOKE, &get_invoke, 405),
        ("DELETE", MANAGE, &[], 403),
        ("DELETE", MANAGE, &delete_connection, 410),
    ];
    let mut connection = KeepAlive::open(harness.addr).await;
    for (method, path, headers, status) in cases {
        let answer = connection
            .exchange(method, path, headers, &body)
            .await
            .unwrap_or_else(|error| panic!("{method} {path} with a body: {error}"));
        assert_eq!(answer.status, status, "{method} {path}: {answer:?}");
        let next = connection
            .exchange("GET", "/open", &[], b"")
            .await
            .unwrap_or_else(|error| panic!("GET /open after {method} {path}: {error}"));
        assert_eq!(
            next.status, 200,
            "GET /open after {method} {path}: {next:?}"
        );
        assert!(next.body.contains("\"function\":\"echo\""), "{next:?}");
    }
    assert_eq!(harness.lambda.events("echo").len(), cases.len());
}
