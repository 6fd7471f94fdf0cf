//! `local-gateway`: wires the command line to the library.

use std::io::IsTerminal;
use std::process::ExitCode;

use local_gateway::cli::{self, CliError, Command};
use local_gateway::faults::{self, FaultSettings, SettingsError};
use local_gateway::runtime::sigv4::Verifier;
use local_gateway::tables::{self, TablesError};
use local_gateway::template::env::{self, EnvError};
use local_gateway::{Gateway, GatewayError, Template, TemplateError, serve, shutdown_signal};
use tracing_subscriber::EnvFilter;

#[derive(Debug, thiserror::Error)]
enum MainError {
    #[error(transparent)]
    Cli(#[from] CliError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Env(#[from] EnvError),
    #[error(transparent)]
    Tables(#[from] TablesError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("LOCAL_FAULTS: {0}")]
    Faults(#[from] SettingsError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Serve(#[source] std::io::Error),
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // The local stack sends stderr to log files, where colour codes are noise.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run(cli::parse(std::env::args().skip(1))).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("local-gateway: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Result<Command, CliError>) -> Result<(), MainError> {
    match command? {
        Command::Help => println!("{}", cli::USAGE),
        Command::Tables { template, endpoint } => {
            let template = Template::load(&template)?;
            let client = tables::client(&endpoint).await;
            for report in tables::ensure_tables(&client, &template.tables()).await? {
                println!("{report}");
            }
        }
        Command::Buckets { template } => {
            for name in Template::load(&template)?.bucket_names() {
                println!("{name}");
            }
        }
        Command::Env {
            template,
            overrides,
        } => {
            let template = Template::load(&template)?;
            print!("{}", env::render(&env::resolve(&template, &overrides)?)?);
        }
        Command::Serve {
            template,
            listen,
            config,
        } => {
            let template = Template::load(&template)?;
            let mut config = config.into_config();
            let multiplier = std::env::var_os(cli::RATE_LIMIT_MULTIPLIER);
            config.rate_limit_multiplier = cli::rate_limit_multiplier(
                multiplier
                    .as_ref()
                    .map(|value| value.to_string_lossy())
                    .as_deref(),
            )?;
            if let Some(text) = std::env::var_os(faults::LOCAL_FAULTS) {
                config.faults = FaultSettings::parse(text.to_string_lossy().as_bytes())?;
            }
            // Read once: the keys the functions sign with (the local stack exports them).
            config.sigv4 = Verifier::from_vars(|name| std::env::var(name).ok());
            match config.sigv4.access_key_id() {
                Some(key) => tracing::info!(
                    "the Management and Invoke APIs take requests signed (SigV4) with access key {key}, region {}",
                    config.sigv4.region().unwrap_or("any")
                ),
                None => tracing::warn!(
                    "AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is not set: the Management and Invoke APIs refuse every request, as AWS refuses an unknown key"
                ),
            }
            let gateway = Gateway::new(&template, config)?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|source| MainError::Bind {
                    address: listen,
                    source,
                })?;
            tracing::info!(
                "listening on http://{listen} (WebSocket ws://{listen}/ws, Management API http://{listen}/ws/@connections/{{id}}), Lambda at {}",
                gateway.config().lambda_endpoint
            );
            serve(listener, gateway, shutdown_signal())
                .await
                .map_err(MainError::Serve)?;
        }
    }
    Ok(())
}
