//! The presigner's URLs as the service relies on them, and a round trip through the local S3
//! (s3s-fs, which verifies SigV4 and the SHA-256 of a PUT's body).

use super::*;
use aws_sdk_s3::config::{Credentials, SharedCredentialsProvider};

const CHECKSUM: &str = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=";

fn settings(endpoint: Option<&str>, bucket: &str) -> AttachmentSettings {
    let endpoint = endpoint.map(str::to_owned);
    let bucket = bucket.to_owned();
    AttachmentSettings::from_lookup(&|name: &str| match name {
        "ATTACHMENTS_BUCKET" => Some(bucket.clone()),
        "ATTACHMENTS_TABLE" => Some("table".into()),
        "AWS_ENDPOINT_URL_S3" => endpoint.clone(),
        _ => None,
    })
    .expect("valid")
    .expect("configured")
}

fn storage(endpoint: Option<&str>) -> Storage {
    let sdk_config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        )))
        .build();
    Storage::new(settings(endpoint, "bucket"), &sdk_config)
}

fn binding(checksum_sha256: &str) -> UploadBinding<'_> {
    UploadBinding {
        content_type: "image/png",
        size_bytes: 42,
        disposition: "attachment; filename=\"a.png\"",
        checksum_sha256,
    }
}

#[tokio::test]
async fn a_presigned_put_signs_the_headers_it_returns() {
    for endpoint in [None, Some("http://127.0.0.1:8200")] {
        let presigned = storage(endpoint)
            .presign_upload("attachments/u/a", binding(CHECKSUM), SystemTime::now())
            .await
            .expect("signs");
        let url = &presigned.url;
        // Exactly these: no flexible-checksum header of the SDK's own for a client to send.
        assert!(
            url.contains(
                "X-Amz-SignedHeaders=content-disposition%3Bcontent-length%3Bcontent-type%3Bhost%3Bx-amz-checksum-sha256&"
            ),
            "{url}"
        );
        assert!(url.contains("X-Amz-Expires=300"), "{url}");
        let mut headers = presigned.headers.clone();
        headers.sort();
        assert_eq!(
            headers,
            [
                ("content-disposition", "attachment; filename=\"a.png\""),
                ("content-length", "42"),
                ("content-type", "image/png"),
                ("x-amz-checksum-sha256", CHECKSUM),
            ]
            .map(|(name, value)| (name.to_owned(), value.to_owned())),
        );
        let expected = match endpoint {
            Some(endpoint) => format!("{endpoint}/bucket/attachments/u/a?"),
            None => "https://bucket.s3.us-east-1.amazonaws.com/attachments/u/a?".to_owned(),
        };
        assert!(url.starts_with(&expected), "{url}");
    }
}

#[tokio::test]
async fn a_presigned_get_signs_the_response_overrides() {
    let url = storage(Some("http://127.0.0.1:8200"))
        .presign_download(
            "attachments/u/a",
            "image/png",
            "attachment; filename=\"a.png\"",
        )
        .await
        .expect("signs");
    assert!(
        url.starts_with("http://127.0.0.1:8200/bucket/attachments/u/a?"),
        "{url}"
    );
    assert!(url.contains("response-content-type=image%2Fpng"), "{url}");
    assert!(
        url.contains("response-content-disposition=attachment"),
        "{url}"
    );
    assert!(url.contains("X-Amz-SignedHeaders=host&"), "{url}");
    assert!(url.contains("X-Amz-Expires=900"), "{url}");
}

/// Against the stack's s3s-fs, with its settings (`ATTACHMENTS_BUCKET`, `AWS_ENDPOINT_URL_S3`
/// and the keys, from the environment `infra/test.sh` exports): the presigned PUT stores the
/// declared bytes only, HEAD returns the SHA-256 S3 verified, the presigned GET serves them.
#[tokio::test]
#[ignore = "needs the local stack's S3 (infra/test.sh)"]
async fn round_trip_through_the_local_s3() {
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let storage = Storage::new(
        settings(
            Some(&env("AWS_ENDPOINT_URL_S3")),
            &env("ATTACHMENTS_BUCKET"),
        ),
        &crate::sdk::sdk_config().await,
    );
    let http = reqwest::Client::new();
    let key = object_key("s3-test", &ulid::Ulid::generate().to_string());
    assert_eq!(storage.head(&key).await.expect("head"), None);

    let body = b"hello, s3".to_vec();
    // SHA-256 of "hello, s3", base64.
    let checksum = "x7bcGCBRzT+sU+C8wV9PZlIffN8SDUoGYkUa7CHaQdk=";
    let upload = UploadBinding {
        content_type: "text/plain",
        size_bytes: body.len() as u64,
        disposition: &disposition("a b.txt"),
        checksum_sha256: checksum,
    };
    let put = storage
        .presign_upload(&key, upload, SystemTime::now())
        .await
        .expect("presign");
    let send = |body: Vec<u8>, change: Option<(&'static str, &'static str)>| {
        let mut request = http.put(&put.url).body(body);
        for (name, value) in &put.headers {
            let value = match change {
                Some((changed, to)) if changed == name => to,
                _ => value.as_str(),
            };
            request = request.header(name.as_str(), value);
        }
        async move {
            let response = request.send().await.expect("s3s-fs answers");
            let status = response.status().as_u16();
            (status, response.text().await.unwrap_or_default())
        }
    };

    // Other bytes of the declared length: S3 checks them against the signed checksum.
    let (status, text) = send(b"hello, S3".to_vec(), None).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("BadDigest"), "{text}");
    // Another checksum than the signed one: the signature no longer matches.
    let other = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=";
    let (status, text) = send(body.clone(), Some(("x-amz-checksum-sha256", other))).await;
    assert_eq!(status, 403, "{text}");
    assert_eq!(
        storage.head(&key).await.expect("head"),
        None,
        "nothing stored"
    );

    let (status, text) = send(body.clone(), None).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        storage.head(&key).await.expect("head"),
        Some(ObjectInfo {
            size_bytes: body.len() as u64,
            content_type: Some("text/plain".into()),
            checksum_sha256: Some(checksum.into()),
        })
    );

    let get = storage
        .presign_download(&key, "text/plain", &download_disposition("a b.txt"))
        .await
        .expect("presign");
    let response = http.get(&get).send().await.expect("s3s-fs answers");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"a b.txt\""
    );
    assert_eq!(response.bytes().await.expect("body").as_ref(), body);
    let as_html = get.replace("text%2Fplain", "text%2Fhtml");
    let response = http.get(&as_html).send().await.expect("s3s-fs answers");
    assert_eq!(response.status().as_u16(), 403);

    storage.delete(&key).await.expect("delete");
    assert_eq!(storage.head(&key).await.expect("head"), None);
    storage
        .delete(&key)
        .await
        .expect("deleting a missing object");
}

#[test]
fn dispositions_are_always_attachments_and_quote_safely() {
    assert_eq!(
        disposition("cat.png"),
        "attachment; filename=\"cat.png\"; filename*=UTF-8''cat.png"
    );
    assert_eq!(
        disposition("r\u{e9}sum\u{e9} \"1\".pdf"),
        "attachment; filename=\"r_sum_ _1_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.pdf"
    );
}
