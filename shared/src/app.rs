//! The state a function builds once per cold start and shares across invocations.

use std::sync::Arc;

use chat_core::error::{Error, Result};
use chat_core::events::{LogNotifier, Notify};

use crate::auth::{Passwords, Tokens};
use crate::config::Config;
use crate::cursor::Cursors;
use crate::delivery::Delivery;
use crate::storage::Storage;
use crate::store::Store;

pub struct App {
    pub config: Config,
    pub store: Store,
    pub passwords: Passwords,
    pub tokens: Tokens,
    pub cursors: Cursors,
    /// Where domain changes' notifications go once the change is stored.
    pub notifier: Arc<dyn Notify>,
    /// Pushes to WebSocket connections, when a WebSocket API is configured.
    pub delivery: Option<Delivery>,
    /// S3 for attachments, when configured.
    pub storage: Option<Storage>,
}

impl App {
    /// Builds the SDK clients from the standard AWS environment (region, credentials, and
    /// `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local).
    pub async fn new(config: Config) -> Self {
        let sdk_config = crate::aws::sdk_config().await;
        Self::with_sdk_config(config, &sdk_config)
    }

    /// What a function's `main` does on a cold start: configuration from the environment (and
    /// the JWT secret from Parameter Store when so configured), then the SDK clients.
    pub async fn from_env() -> std::result::Result<Self, crate::config::ConfigError> {
        Self::from_env_with(&crate::aws::sdk_config().await).await
    }

    /// [`App::from_env`] with an SDK configuration the function also uses for other clients.
    pub async fn from_env_with(
        sdk_config: &aws_config::SdkConfig,
    ) -> std::result::Result<Self, crate::config::ConfigError> {
        let config = Config::from_env_with_secrets(sdk_config).await?;
        Ok(Self::with_sdk_config(config, sdk_config))
    }

    pub fn with_sdk_config(config: Config, sdk_config: &aws_config::SdkConfig) -> Self {
        let store = Store::new(sdk_config, config.tables.clone());
        let delivery = config
            .websocket_endpoint
            .as_deref()
            .map(|endpoint| Delivery::new(sdk_config, endpoint, store.clone()));
        let notifier: Arc<dyn Notify> = match &delivery {
            Some(delivery) => Arc::new(delivery.clone()),
            None => Arc::new(LogNotifier),
        };
        let storage = config
            .attachments
            .clone()
            .map(|settings| Storage::new(settings, sdk_config));
        App {
            storage,
            passwords: Passwords::new(),
            tokens: Tokens::new(
                &config.jwt_secret,
                config.token_ttl,
                config.refresh_token_ttl,
            ),
            cursors: Cursors::new(&config.jwt_secret),
            notifier,
            delivery,
            store,
            config,
        }
    }

    /// The attachments' storage; 500 where the function was deployed without it.
    pub fn storage(&self) -> Result<&Storage> {
        self.storage
            .as_ref()
            .ok_or_else(|| Error::internal("ATTACHMENTS_BUCKET is not configured"))
    }

    /// The WebSocket delivery; 503 where the function was deployed without one.
    pub fn delivery(&self) -> Result<&Delivery> {
        self.delivery
            .as_ref()
            .ok_or_else(|| Error::internal("WEBSOCKET_ENDPOINT is not configured"))
    }
}
