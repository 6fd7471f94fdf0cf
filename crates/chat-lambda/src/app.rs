//! The state a function builds once per cold start and shares across invocations: [`App`] for
//! the API and WebSocket functions, and the parts the narrower states of the sweeper
//! (`ws::sweep::SweeperState`) and the delivery function (`fanout::FanoutState`) are built
//! from, each with only the clients it uses.

use std::sync::Arc;

use chat_core::error::{Error, Result};
use chat_core::events::{LogNotifier, Notify};

use crate::auth::{Passwords, Tokens};
use crate::config::{Config, ConfigError, Secret};
use chat_aws::push::Delivery;
use chat_aws::s3::Storage;
use chat_aws::store::Store;
use chat_core::paging::Cursors;

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
    /// S3 for attachments, when configured and the function uses it ([`App::with_s3`]).
    pub storage: Option<Storage>,
}

impl App {
    /// What an API or WebSocket function's `main` does on a cold start: configuration and the
    /// token secret from the environment (the secret from Parameter Store when so configured),
    /// then the SDK clients, without S3's: for the functions that never call S3.
    pub async fn from_env() -> std::result::Result<Self, ConfigError> {
        Self::from_env_with(&chat_aws::sdk::sdk_config().await).await
    }

    /// [`App::from_env`] with the attachments' S3 client too, for the functions that call S3.
    /// Two constructors rather than a flag: a function whose `main` never names this one links
    /// none of aws-sdk-s3's client (some 150 KB of its package, docs/benchmarks.md).
    pub async fn from_env_with_s3() -> std::result::Result<Self, ConfigError> {
        let sdk_config = chat_aws::sdk::sdk_config().await;
        Ok(Self::from_env_with(&sdk_config).await?.with_s3(&sdk_config))
    }

    /// [`App::from_env`] with an SDK configuration the function also uses for other clients.
    pub async fn from_env_with(
        sdk_config: &aws_config::SdkConfig,
    ) -> std::result::Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let secret = Secret::jwt_from_env(sdk_config).await?;
        Ok(Self::with_sdk_config(config, &secret, sdk_config))
    }

    /// Without S3's client; [`App::with_s3`] adds it.
    pub fn with_sdk_config(
        config: Config,
        jwt_secret: &Secret,
        sdk_config: &aws_config::SdkConfig,
    ) -> Self {
        let store = Store::new(sdk_config, config.tables.clone());
        let delivery = delivery(&config, sdk_config, &store);
        App {
            storage: None,
            notifier: notifier(delivery.as_ref()),
            passwords: Passwords::new(),
            tokens: Tokens::new(jwt_secret, config.token_ttl, config.refresh_token_ttl),
            cursors: Cursors::new(jwt_secret.expose()),
            delivery,
            store,
            config,
        }
    }

    /// The attachments' S3 client, when the configuration names a bucket.
    pub fn with_s3(mut self, sdk_config: &aws_config::SdkConfig) -> Self {
        self.storage = storage(&self.config, sdk_config);
        self
    }

    /// The attachments' storage; 500 where the function was deployed without it.
    pub fn storage(&self) -> Result<&Storage> {
        self.storage
            .as_ref()
            .ok_or_else(|| Error::internal("ATTACHMENTS_BUCKET is not configured"))
    }

    /// The WebSocket delivery; 503 where the function was deployed without one.
    pub fn delivery(&self) -> Result<&Delivery> {
        require_delivery(self.delivery.as_ref())
    }
}

/// Pushes to the WebSocket API's connections, when one is configured.
pub(crate) fn delivery(
    config: &Config,
    sdk_config: &aws_config::SdkConfig,
    store: &Store,
) -> Option<Delivery> {
    config
        .websocket_endpoint
        .as_deref()
        .map(|endpoint| Delivery::new(sdk_config, endpoint, store.clone()))
}

/// Where changes' notifications go: the pushes, or only the log without a WebSocket API.
pub(crate) fn notifier(delivery: Option<&Delivery>) -> Arc<dyn Notify> {
    match delivery {
        Some(delivery) => Arc::new(delivery.clone()),
        None => Arc::new(LogNotifier),
    }
}

/// S3 for attachments, when configured.
pub(crate) fn storage(config: &Config, sdk_config: &aws_config::SdkConfig) -> Option<Storage> {
    config
        .attachments
        .clone()
        .map(|settings| Storage::new(settings, sdk_config))
}

/// The WebSocket delivery; 500 where the function was deployed without one.
pub(crate) fn require_delivery(delivery: Option<&Delivery>) -> Result<&Delivery> {
    delivery.ok_or_else(|| Error::internal("WEBSOCKET_ENDPOINT is not configured"))
}
