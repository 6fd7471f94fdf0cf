//! DynamoDB tables and S3 buckets, by the names the local stack gives them.

use serde_yaml::Value;

use super::{BUCKET, Resource, TABLE, Template};

/// An `AWS::DynamoDB::Table`.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub logical_id: String,
    /// `TableName` when it is a plain string, else the logical id.
    pub name: String,
    pub properties: Value,
}

impl Template {
    pub fn tables(&self) -> Vec<Table> {
        self.resources_of(TABLE)
            .map(|(id, resource)| Table {
                logical_id: id.to_owned(),
                name: table_name(id, resource),
                properties: resource.properties().cloned().unwrap_or(Value::Null),
            })
            .collect()
    }

    /// The local name of a table resource, when `logical_id` is one.
    pub fn table_name(&self, logical_id: &str) -> Option<String> {
        self.resources
            .get(logical_id)
            .filter(|resource| resource.kind == TABLE)
            .map(|resource| table_name(logical_id, resource))
    }

    /// The local name of a bucket resource, when `logical_id` is one: its `BucketName`, else
    /// the logical id in lower case (S3 bucket names are lower case).
    pub fn bucket_name(&self, logical_id: &str) -> Option<String> {
        self.resources
            .get(logical_id)
            .filter(|resource| resource.kind == BUCKET)
            .map(|resource| match resource.property("BucketName") {
                Some(Value::String(name)) if !name.is_empty() => name.clone(),
                _ => logical_id.to_ascii_lowercase(),
            })
    }

    /// The local names of every bucket of the template.
    pub fn bucket_names(&self) -> Vec<String> {
        self.resources_of(BUCKET)
            .filter_map(|(id, _)| self.bucket_name(id))
            .collect()
    }
}

fn table_name(id: &str, resource: &Resource) -> String {
    match resource.property("TableName") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        _ => id.to_owned(),
    }
}
