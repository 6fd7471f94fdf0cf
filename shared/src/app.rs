//! The state a function builds once per cold start and shares across invocations: [`App`] for
//! the API and WebSocket functions, and narrower ones for the sweeper ([`SweeperState`]) and the
//! delivery function ([`FanoutState`]), each with only the clients it uses.

use std::sync::Arc;

use chat_core::error::{Error, Result};
use chat_core::events::{LogNotifier, Notify};

use crate::auth::{Passwords, Tokens};
use crate::config::{Config, ConfigError, Secret};
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
    /// What an API or WebSocket function's `main` does on a cold start: configuration and the
    /// token secret from the environment (the secret from Parameter Store when so configured),
    /// then the SDK clients.
    pub async fn from_env() -> std::result::Result<Self, ConfigError> {
        Self::from_env_with(&crate::aws::sdk_config().await).await
    }

    /// [`App::from_env`] with an SDK configuration the function also uses for other clients.
    pub async fn from_env_with(
        sdk_config: &aws_config::SdkConfig,
    ) -> std::result::Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let secret = Secret::jwt_from_env(sdk_config).await?;
        Ok(Self::with_sdk_config(config, &secret, sdk_config))
    }

    pub fn with_sdk_config(
        config: Config,
        jwt_secret: &Secret,
        sdk_config: &aws_config::SdkConfig,
    ) -> Self {
        let store = Store::new(sdk_config, config.tables.clone());
        let Pushes { delivery, notifier } = Pushes::new(&config, sdk_config, &store);
        App {
            storage: storage(&config, sdk_config),
            passwords: Passwords::new(),
            tokens: Tokens::new(jwt_secret, config.token_ttl, config.refresh_token_ttl),
            cursors: Cursors::new(jwt_secret),
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

/// Where changes are pushed: the WebSocket API's connections when one is configured, else only
/// the log.
struct Pushes {
    delivery: Option<Delivery>,
    notifier: Arc<dyn Notify>,
}

impl Pushes {
    fn new(config: &Config, sdk_config: &aws_config::SdkConfig, store: &Store) -> Self {
        let delivery = config
            .websocket_endpoint
            .as_deref()
            .map(|endpoint| Delivery::new(sdk_config, endpoint, store.clone()));
        let notifier: Arc<dyn Notify> = match &delivery {
            Some(delivery) => Arc::new(delivery.clone()),
            None => Arc::new(LogNotifier),
        };
        Pushes { delivery, notifier }
    }
}

fn storage(config: &Config, sdk_config: &aws_config::SdkConfig) -> Option<Storage> {
    config
        .attachments
        .clone()
        .map(|settings| Storage::new(settings, sdk_config))
}

/// The sweeper's state: the tables and the pushes. No password hasher, token signer (nor the
/// secret behind it) or S3.
pub struct SweeperState {
    pub config: Config,
    pub store: Store,
    pub notifier: Arc<dyn Notify>,
    pub delivery: Option<Delivery>,
}

impl SweeperState {
    pub async fn from_env() -> std::result::Result<Self, ConfigError> {
        let sdk_config = crate::aws::sdk_config().await;
        Ok(Self::with_sdk_config(Config::from_env()?, &sdk_config))
    }

    pub fn with_sdk_config(config: Config, sdk_config: &aws_config::SdkConfig) -> Self {
        let store = Store::new(sdk_config, config.tables.clone());
        let Pushes { delivery, notifier } = Pushes::new(&config, sdk_config, &store);
        SweeperState {
            config,
            store,
            notifier,
            delivery,
        }
    }
}

/// The delivery function's state: the tables, the pushes, and S3 for the download links of
/// pushed messages' attachments. No password hasher or token signer (nor the secret behind it).
pub struct FanoutState {
    pub store: Store,
    pub delivery: Option<Delivery>,
    pub storage: Option<Storage>,
}

impl FanoutState {
    pub fn from_env_with(
        sdk_config: &aws_config::SdkConfig,
    ) -> std::result::Result<Self, ConfigError> {
        Ok(Self::with_sdk_config(&Config::from_env()?, sdk_config))
    }

    pub fn with_sdk_config(config: &Config, sdk_config: &aws_config::SdkConfig) -> Self {
        let store = Store::new(sdk_config, config.tables.clone());
        FanoutState {
            delivery: Pushes::new(config, sdk_config, &store).delivery,
            storage: storage(config, sdk_config),
            store,
        }
    }

    /// The WebSocket delivery; 500 where the function was deployed without one.
    pub fn delivery(&self) -> Result<&Delivery> {
        self.delivery
            .as_ref()
            .ok_or_else(|| Error::internal("WEBSOCKET_ENDPOINT is not configured"))
    }
}
