//! The CloudFormation `AWS::DynamoDB::Table` properties the local tables need, read from the
//! template and turned into DynamoDB API types.

use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, GlobalSecondaryIndex, KeySchemaElement, KeyType, LocalSecondaryIndex,
    Projection, ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};
use serde::Deserialize;

use crate::template::intrinsics;

/// Properties this tool copies; the rest (`BillingMode`, `SSESpecification`, `Tags`, ...) has
/// no local meaning.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableSpec {
    pub key_schema: Vec<KeyElement>,
    #[serde(default)]
    pub attribute_definitions: Vec<AttributeDef>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<SecondaryIndex>,
    #[serde(default)]
    pub local_secondary_indexes: Vec<SecondaryIndex>,
    #[serde(default)]
    pub stream_specification: Option<StreamSpec>,
    #[serde(default)]
    pub time_to_live_specification: Option<TimeToLive>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyElement {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDef {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecondaryIndex {
    pub index_name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: ProjectionSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionSpec {
    #[serde(default)]
    pub projection_type: Option<String>,
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpec {
    pub stream_view_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLive {
    pub attribute_name: String,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("{0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("{field} is {value}, which cannot be resolved locally")]
    Intrinsic { field: String, value: String },
}

/// Properties that may hold intrinsics without affecting the local table.
const IGNORED: [&str; 10] = [
    "TableName",
    "BillingMode",
    "ProvisionedThroughput",
    "OnDemandThroughput",
    "WarmThroughput",
    "SSESpecification",
    "Tags",
    "ContributorInsightsSpecification",
    "PointInTimeRecoverySpecification",
    "ResourcePolicy",
];

impl TableSpec {
    pub fn from_properties(properties: &serde_yaml::Value) -> Result<Self, SpecError> {
        // serde_yaml reads `!Ref X` as plain `X` when a string is expected, which would
        // silently create a wrong key schema; refuse intrinsics where they matter instead.
        if let Some((field, value)) = find_intrinsic(properties, "") {
            return Err(SpecError::Intrinsic { field, value });
        }
        Ok(serde_yaml::from_value(properties.clone())?)
    }

    pub fn key_schema(&self) -> Result<Vec<KeySchemaElement>, BuildError> {
        key_schema(&self.key_schema)
    }

    pub fn attribute_definitions(&self) -> Result<Vec<AttributeDefinition>, BuildError> {
        self.attribute_definitions
            .iter()
            .map(|attribute| {
                AttributeDefinition::builder()
                    .attribute_name(&attribute.attribute_name)
                    .attribute_type(ScalarAttributeType::from(attribute.attribute_type.as_str()))
                    .build()
            })
            .collect()
    }

    pub fn global_secondary_indexes(&self) -> Result<Vec<GlobalSecondaryIndex>, BuildError> {
        self.global_secondary_indexes
            .iter()
            .map(|index| {
                GlobalSecondaryIndex::builder()
                    .index_name(&index.index_name)
                    .set_key_schema(Some(key_schema(&index.key_schema)?))
                    .projection(index.projection.to_sdk())
                    .build()
            })
            .collect()
    }

    pub fn local_secondary_indexes(&self) -> Result<Vec<LocalSecondaryIndex>, BuildError> {
        self.local_secondary_indexes
            .iter()
            .map(|index| {
                LocalSecondaryIndex::builder()
                    .index_name(&index.index_name)
                    .set_key_schema(Some(key_schema(&index.key_schema)?))
                    .projection(index.projection.to_sdk())
                    .build()
            })
            .collect()
    }

    pub fn stream_specification(&self) -> Result<Option<StreamSpecification>, BuildError> {
        self.stream_specification
            .as_ref()
            .map(|stream| {
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::from(stream.stream_view_type.as_str()))
                    .build()
            })
            .transpose()
    }

    pub fn time_to_live(&self) -> Result<Option<TimeToLiveSpecification>, BuildError> {
        self.time_to_live_specification
            .as_ref()
            .map(|ttl| {
                TimeToLiveSpecification::builder()
                    .attribute_name(&ttl.attribute_name)
                    .enabled(ttl.enabled)
                    .build()
            })
            .transpose()
    }
}

impl ProjectionSpec {
    fn to_sdk(&self) -> Projection {
        let non_key =
            (!self.non_key_attributes.is_empty()).then(|| self.non_key_attributes.clone());
        Projection::builder()
            .set_projection_type(self.projection_type.as_deref().map(ProjectionType::from))
            .set_non_key_attributes(non_key)
            .build()
    }
}

fn find_intrinsic(value: &serde_yaml::Value, path: &str) -> Option<(String, String)> {
    if intrinsics::intrinsic(value).is_some() {
        return Some((path.to_owned(), intrinsics::describe(value)));
    }
    match value {
        serde_yaml::Value::Mapping(map) => map.iter().find_map(|(key, item)| {
            let key = key.as_str().unwrap_or("?");
            if IGNORED.contains(&key) {
                return None;
            }
            let path = if path.is_empty() {
                key.to_owned()
            } else {
                format!("{path}.{key}")
            };
            find_intrinsic(item, &path)
        }),
        serde_yaml::Value::Sequence(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| find_intrinsic(item, &format!("{path}[{index}]"))),
        _ => None,
    }
}

fn key_schema(elements: &[KeyElement]) -> Result<Vec<KeySchemaElement>, BuildError> {
    elements
        .iter()
        .map(|element| {
            KeySchemaElement::builder()
                .attribute_name(&element.attribute_name)
                .key_type(KeyType::from(element.key_type.as_str()))
                .build()
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_cloudformation_table_properties() {
        let properties: serde_yaml::Value = serde_yaml::from_str(
            r#"
TableName: chat-messages
BillingMode: PAY_PER_REQUEST
AttributeDefinitions:
  - {AttributeName: pk, AttributeType: S}
  - {AttributeName: sk, AttributeType: S}
  - {AttributeName: gsi1pk, AttributeType: S}
KeySchema:
  - {AttributeName: pk, KeyType: HASH}
  - {AttributeName: sk, KeyType: RANGE}
GlobalSecondaryIndexes:
  - IndexName: gsi1
    KeySchema: [{AttributeName: gsi1pk, KeyType: HASH}]
    Projection: {ProjectionType: INCLUDE, NonKeyAttributes: [content]}
LocalSecondaryIndexes:
  - IndexName: lsi1
    KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: gsi1pk, KeyType: RANGE}]
    Projection: {ProjectionType: KEYS_ONLY}
StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
TimeToLiveSpecification: {AttributeName: expires_at, Enabled: true}
"#,
        )
        .unwrap();
        let spec = TableSpec::from_properties(&properties).unwrap();
        assert_eq!(spec.key_schema().unwrap()[1].key_type(), &KeyType::Range);
        assert_eq!(spec.attribute_definitions().unwrap().len(), 3);
        let gsi = &spec.global_secondary_indexes().unwrap()[0];
        let projection = gsi.projection().unwrap();
        assert_eq!(projection.projection_type(), Some(&ProjectionType::Include));
        assert_eq!(projection.non_key_attributes(), ["content".to_owned()]);
        assert_eq!(spec.local_secondary_indexes().unwrap().len(), 1);
        assert_eq!(
            spec.stream_specification()
                .unwrap()
                .unwrap()
                .stream_view_type(),
            Some(&StreamViewType::NewAndOldImages)
        );
        assert_eq!(
            spec.time_to_live().unwrap().unwrap().attribute_name(),
            "expires_at"
        );
    }

    #[test]
    fn intrinsics_in_key_fields_are_reported() {
        let properties: serde_yaml::Value = serde_yaml::from_str(
            "{TableName: !Sub '${AWS::StackName}-t', KeySchema: [{AttributeName: !Ref Key, KeyType: HASH}]}",
        )
        .unwrap();
        let error = TableSpec::from_properties(&properties)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "KeySchema[0].AttributeName is !Ref \"Key\", which cannot be resolved locally"
        );
    }
}
