//! Writes the generated API documents: `docs/openapi.json` (REST, from the handlers and types)
//! and `docs/asyncapi.yaml` (WebSocket, from the action and event types).
//! `cargo run -p e2e --bin openapi`; the docs tests fail until the committed files match.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let openapi = docs.join("openapi.json");
    std::fs::write(&openapi, chat_lambda::api::docs::openapi_json()?)?;
    println!("wrote {}", openapi.display());
    let asyncapi = docs.join("asyncapi.yaml");
    std::fs::write(&asyncapi, e2e::docs_check::asyncapi_yaml()?)?;
    println!("wrote {}", asyncapi.display());
    Ok(())
}
