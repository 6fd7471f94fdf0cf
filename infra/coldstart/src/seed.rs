//! What the events need to be served rather than refused, written before each run by the
//! service's own code (its store, its session rules, its REST handlers), so a change of the
//! stored format cannot leave the seed behind: accounts with a live session and a token for it,
//! open connections, and a large chat's message as its stream record.
//!
//! Every run gets fresh accounts: a run's request may spend what an account has (its write
//! count, its connections), and no run may find an earlier run's leftovers in its way.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_dynamodb::config::{Credentials, Region, SharedCredentialsProvider};
use aws_sdk_dynamodb::types::{AttributeValue, KeyType};
use chat_aws::store::connections::{NewConnection, Opened};
use chat_aws::store::messages::recorded_change;
use chat_core::users::Registration;
use chat_lambda::config::Secret;
use chat_lambda::http::{ApiRequest, ApiResponse};
use chat_lambda::{App, Config};
use serde_json::{Map, Value, json};

/// Members of the delivery function's chat besides its creator: more than the chats whose
/// sends are pushed inline (`INLINE_FANOUT_MAX_MEMBERS`), so that its messages go through the
/// stream to the delivery function, as on AWS.
const LARGE_CHAT_MEMBERS: usize = chat_core::conversation::INLINE_FANOUT_MAX_MEMBERS as usize + 1;
/// Members of that chat with an open socket: the delivery resolves and pushes to each.
const CONNECTED_MEMBERS: usize = 2;

/// An account with a live session.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    /// An access token of the session, as login issues it.
    pub token: String,
}

pub struct Seeder {
    app: Arc<App>,
    /// The SDK settings the store's client was built with, for the one read the store has no
    /// method for (a message's item as stored).
    sdk: aws_config::SdkConfig,
    /// The delivery function's stream record, made once on first use: delivering it changes
    /// nothing stored, so every run may deliver the same one.
    stream_record: Option<Value>,
}

const PASSWORD: &str = "cold-start-password";
/// The seed registers hundreds of accounts from one address in a minute: its own limits (not
/// the functions') are raised past that.
const SEED_RATE_LIMIT_MULTIPLIER: &str = "100000";

fn failed(what: &str, error: impl std::fmt::Display) -> String {
    format!("seeding {what}: {error}")
}

impl Seeder {
    /// The functions' own state from the env file's settings, talking to the DynamoDB the env
    /// file names (with its credentials and region, not this shell's).
    pub async fn new(env: &[(String, String)]) -> Result<Self, String> {
        let lookup = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let config = Config::from_lookup(|name| match name {
            "RATE_LIMIT_MULTIPLIER" => Some(SEED_RATE_LIMIT_MULTIPLIER.to_owned()),
            _ => lookup(name),
        })
        .map_err(|e| failed("the configuration", e))?;
        let secret = Secret::jwt_from_lookup(lookup).map_err(|e| failed("the secret", e))?;
        let mut sdk = chat_aws::sdk::sdk_config().await.to_builder();
        if let Some(endpoint) = lookup("AWS_ENDPOINT_URL_DYNAMODB") {
            sdk.set_endpoint_url(Some(endpoint));
        }
        if let Some(region) = lookup("AWS_REGION") {
            sdk.set_region(Some(Region::new(region)));
        }
        if let (Some(key), Some(secret)) =
            (lookup("AWS_ACCESS_KEY_ID"), lookup("AWS_SECRET_ACCESS_KEY"))
        {
            let credentials = Credentials::new(key, secret, None, None, "coldstart env file");
            sdk.set_credentials_provider(Some(SharedCredentialsProvider::new(credentials)));
        }
        let sdk = sdk.build();
        let app = App::with_sdk_config(config, &secret, &sdk);
        Ok(Seeder {
            app: Arc::new(app),
            sdk,
            stream_record: None,
        })
    }

    /// A new account, registered and logged in as the users function does it (one Argon2id
    /// hash each: a few tens of milliseconds, before the run).
    pub async fn account(&self) -> Result<Account, String> {
        let name = format!("cold{}", ulid::Ulid::generate().to_string().to_lowercase());
        let registration = Registration {
            email: format!("{name}@example.com"),
            username: name,
            password: PASSWORD.to_owned(),
            display_name: None,
        };
        let user = chat_lambda::domain::users::register(&self.app, registration, "127.0.0.1")
            .await
            .map_err(|e| failed("an account", e))?;
        let session = chat_lambda::domain::users::sessions::start(&self.app, &user)
            .await
            .map_err(|e| failed("a session", e))?;
        Ok(Account {
            id: user.id,
            token: session.tokens.access_token,
        })
    }

    /// An open connection of `account`, recorded as `$connect` records one; its id.
    pub async fn connection(&self, account: &Account) -> Result<String, String> {
        let (user, token) = chat_core::users::sessions::authenticate(
            &self.app.store,
            &self.app.tokens,
            &account.token,
        )
        .await
        .map_err(|e| failed("a connection", e))?;
        let id = connection_id();
        chat_lambda::domain::presence::connected(&self.app, &user, &token, &id)
            .await
            .map_err(|e| failed("a connection", e))?;
        Ok(id)
    }

    /// A connection of `account` whose lease ended a minute ago (its client went silent and
    /// API Gateway's `$disconnect` was lost): what the sweeper is there to close.
    pub async fn expired_connection(&self, account: &Account) -> Result<String, String> {
        let token = self
            .app
            .tokens
            .verify(&account.token)
            .map_err(|e| failed("an expired connection", e))?;
        let id = connection_id();
        let now = SystemTime::now();
        let opened = self
            .app
            .store
            .open_connection(NewConnection {
                connection_id: &id,
                user_id: &account.id,
                connected_at: &chat_core::time::format_rfc3339(now - Duration::from_secs(600)),
                lease_expires_at: chat_core::time::unix_millis(now - Duration::from_secs(60)),
                expires_at: chat_core::time::unix_seconds(now + Duration::from_secs(3600)),
                token_expires_at: token.expires_at,
                session_id: &token.session_id,
                max_connections: self.app.config.max_connections_per_user,
            })
            .await
            .map_err(|e| failed("an expired connection", e))?;
        if opened != Opened::Counted {
            return Err(failed("an expired connection", format!("{opened:?}")));
        }
        Ok(id)
    }

    /// A REST request served in this process by the functions' own handlers, which must
    /// succeed; its answer's body.
    async fn call(
        &self,
        what: &str,
        account: &Account,
        method: &str,
        path: &str,
        body: Value,
    ) -> Result<Value, String> {
        let request = ApiRequest {
            method: method.parse().map_err(|e| failed(what, e))?,
            segments: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            query: Default::default(),
            body: body.to_string().into_bytes(),
            authorization: Some(format!("Bearer {}", account.token)),
            idempotency_key: None,
            request_id: ulid::Ulid::generate().to_string(),
            source_ip: Some("127.0.0.1".to_owned()),
        };
        let app = Arc::clone(&self.app);
        let answer = match path.split('/').nth(1) {
            Some("chats") => chat_lambda::api::chats::route(app, request).await,
            Some("messages") => chat_lambda::api::messages::route(app, request).await,
            _ => return Err(failed(what, format!("no handler for {path}"))),
        };
        match answer.map_err(ApiResponse::from) {
            Ok(ApiResponse {
                status: 200..=299,
                body: Some(body),
                ..
            }) => Ok(body),
            Ok(response) | Err(response) => Err(failed(
                what,
                format!(
                    "{method} {path} answered {}: {:?}",
                    response.status, response.body
                ),
            )),
        }
    }

    /// A message in a chat larger than inline fan-out allows, as the messages table's stream
    /// hands it to the delivery function: an `INSERT` record with the item as stored. Made on
    /// first use; the chat's members have sockets to push to.
    pub async fn stream_record(&mut self) -> Result<Value, String> {
        if let Some(record) = &self.stream_record {
            return Ok(record.clone());
        }
        let owner = self.account().await?;
        let mut members = Vec::new();
        for _ in 0..LARGE_CHAT_MEMBERS {
            members.push(self.account().await?);
        }
        for member in members.iter().take(CONNECTED_MEMBERS) {
            self.connection(member).await?;
        }
        let member_ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
        let chat = self
            .call(
                "a large chat",
                &owner,
                "POST",
                "/chats",
                json!({"name": "cold starts", "member_ids": member_ids}),
            )
            .await?;
        let chat_id = chat["id"]
            .as_str()
            .ok_or_else(|| failed("a large chat", format!("no id in {chat}")))?;
        let message = self
            .call(
                "a large chat's message",
                &owner,
                "POST",
                "/messages",
                json!({"chat_id": chat_id, "content": "measured as a user meets it"}),
            )
            .await?;
        let image = self.stored_message(&message).await?;
        let record = stream_record(image);
        self.stream_record = Some(record.clone());
        Ok(record)
    }

    /// The messages table's item of `message` (an API answer), in DynamoDB JSON, read by its
    /// conversation with the key the table declares.
    async fn stored_message(&self, message: &Value) -> Result<Map<String, Value>, String> {
        let what = "a large chat's message";
        let (Some(id), Some(conversation)) =
            (message["id"].as_str(), message["conversation_id"].as_str())
        else {
            return Err(failed(what, format!("no id or conversation in {message}")));
        };
        let client = aws_sdk_dynamodb::Client::new(&self.sdk);
        let table = &self.app.config.tables.messages;
        let described = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| failed(what, aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        let hash_key = described
            .table()
            .into_iter()
            .flat_map(|t| t.key_schema())
            .find(|k| *k.key_type() == KeyType::Hash)
            .map(|k| k.attribute_name().to_owned())
            .ok_or_else(|| failed(what, format!("{table} declares no partition key")))?;
        let items = client
            .query()
            .table_name(table)
            .key_condition_expression("#k = :v")
            .expression_attribute_names("#k", hash_key)
            .expression_attribute_values(":v", AttributeValue::S(conversation.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| failed(what, aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        items
            .items()
            .iter()
            .map(item_json)
            .filter_map(Result::ok)
            .find(|image| recorded_change(image).is_ok_and(|(stored, _)| stored.id == id))
            .ok_or_else(|| failed(what, format!("no item of message {id} in {table}")))
    }
}

fn connection_id() -> String {
    // API Gateway's ids are base64 with padding; the functions take any string.
    format!("{}=", ulid::Ulid::generate())
}

/// A stream record as Lambda receives it from a DynamoDB event source mapping.
fn stream_record(image: Map<String, Value>) -> Value {
    let created_at = chat_core::time::unix_seconds(SystemTime::now());
    json!({"Records": [{
        "eventID": ulid::Ulid::generate().to_string(),
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": created_at,
            "NewImage": image,
            "SequenceNumber": "100000000000000000001",
            "SizeBytes": 512,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/messages/stream/coldstart",
    }]})
}

/// An item in DynamoDB JSON (`{"name": {"S": "..."}}`), the form of a stream record's images.
fn item_json(
    item: &std::collections::HashMap<String, AttributeValue>,
) -> Result<Map<String, Value>, String> {
    item.iter()
        .map(|(name, value)| Ok((name.clone(), attribute_json(value)?)))
        .collect()
}

fn attribute_json(value: &AttributeValue) -> Result<Value, String> {
    Ok(match value {
        AttributeValue::S(s) => json!({"S": s}),
        AttributeValue::N(n) => json!({"N": n}),
        AttributeValue::Bool(b) => json!({"BOOL": b}),
        AttributeValue::Null(_) => json!({"NULL": true}),
        AttributeValue::Ss(values) => json!({"SS": values}),
        AttributeValue::Ns(values) => json!({"NS": values}),
        AttributeValue::M(map) => json!({"M": item_json(map)?}),
        AttributeValue::L(list) => {
            json!({"L": list.iter().map(attribute_json).collect::<Result<Vec<_>, _>>()?})
        }
        other => {
            return Err(format!(
                "an attribute this tool cannot write as JSON: {other:?}"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_items_as_dynamodb_json() {
        let item = std::collections::HashMap::from([
            ("a".to_owned(), AttributeValue::S("x".into())),
            ("n".to_owned(), AttributeValue::N("1".into())),
            (
                "m".to_owned(),
                AttributeValue::M(
                    [(
                        "l".to_owned(),
                        AttributeValue::L(vec![AttributeValue::Bool(true)]),
                    )]
                    .into(),
                ),
            ),
        ]);
        let json = item_json(&item).map(Value::Object);
        assert_eq!(
            json,
            Ok(
                json!({"a": {"S": "x"}, "n": {"N": "1"}, "m": {"M": {"l": {"L": [{"BOOL": true}]}}}})
            )
        );
        assert!(attribute_json(&AttributeValue::B(vec![1].into())).is_err());
    }
}
