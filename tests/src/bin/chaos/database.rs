//! The database as it is, read from DynamoDB Local directly (not through the functions'
//! proxy, where the faults were), page by page.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;

type Item = HashMap<String, AttributeValue>;

pub struct Database {
    client: Client,
    messages: String,
    conversations: String,
    connections: String,
    users: String,
    chats: String,
}

fn table(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (run through infra/chaos.sh)"))
}

/// A stored message, as the checks compare it.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub seq: u64,
    pub updated_seq: u64,
    pub content: String,
    pub read_by: Vec<String>,
    /// Reaction attribute name to the users who reacted.
    pub reactions: HashMap<String, Vec<String>>,
}

impl Database {
    pub async fn connect() -> Result<Database, String> {
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Ok(Database {
            client: Client::new(&sdk),
            messages: table("MESSAGES_TABLE")?,
            conversations: table("CONVERSATIONS_TABLE")?,
            connections: table("CONNECTIONS_TABLE")?,
            users: table("USERS_TABLE")?,
            chats: table("CHATS_TABLE")?,
        })
    }

    /// Every message of the conversation (a Query by its partition key).
    pub async fn messages(&self, conversation_id: &str) -> Result<Vec<StoredMessage>, String> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.messages)
                .key_condition_expression("conversation_id = :c")
                .expression_attribute_values(":c", AttributeValue::S(conversation_id.to_owned()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| format!("query {conversation_id}: {e:?}"))?;
            for item in page.items() {
                out.push(StoredMessage {
                    seq: number(item, "seq"),
                    updated_seq: number(item, "updated_seq"),
                    content: string(item, "content"),
                    read_by: set(item, "read_by"),
                    reactions: item
                        .iter()
                        .filter(|(name, _)| name.starts_with("r_"))
                        .map(|(name, value)| {
                            (name.clone(), value.as_ss().cloned().unwrap_or_default())
                        })
                        .collect(),
                });
            }
            match page.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => return Ok(out),
            }
        }
    }

    /// The conversation's last number.
    pub async fn last_seq(&self, conversation_id: &str) -> Result<u64, String> {
        let item = self
            .client
            .get_item()
            .table_name(&self.conversations)
            .key(
                "conversation_id",
                AttributeValue::S(conversation_id.to_owned()),
            )
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| format!("get {conversation_id}: {e:?}"))?;
        Ok(item.item().map_or(0, |item| number(item, "seq")))
    }

    /// Every item of a table (the run's tables are small).
    async fn scan(&self, table: &str) -> Result<Vec<Item>, String> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(table)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| format!("scan {table}: {e:?}"))?;
            out.extend(page.items().iter().cloned());
            match page.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => return Ok(out),
            }
        }
    }

    /// Connection records (not the other items of the table) per user.
    pub async fn connections(&self) -> Result<HashMap<String, u64>, String> {
        let mut per_user = HashMap::new();
        for item in self.scan(&self.connections).await? {
            if item.contains_key("lease_expires_at") {
                *per_user.entry(string(&item, "user_id")).or_insert(0) += 1;
            }
        }
        Ok(per_user)
    }

    /// Each user's presence status.
    pub async fn statuses(&self) -> Result<HashMap<String, String>, String> {
        Ok(self
            .scan(&self.users)
            .await?
            .iter()
            .map(|item| (string(item, "id"), string(item, "status")))
            .collect())
    }

    /// How many chats bear each name.
    pub async fn chat_names(&self) -> Result<HashMap<String, u64>, String> {
        let mut names = HashMap::new();
        for item in self.scan(&self.chats).await? {
            if let Some(name) = item.get("name").and_then(|v| v.as_s().ok()) {
                *names.entry(name.clone()).or_insert(0) += 1;
            }
        }
        Ok(names)
    }
}

fn number(item: &Item, name: &str) -> u64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn string(item: &Item, name: &str) -> String {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default()
}

fn set(item: &Item, name: &str) -> Vec<String> {
    item.get(name)
        .and_then(|v| v.as_ss().ok())
        .cloned()
        .unwrap_or_default()
}
