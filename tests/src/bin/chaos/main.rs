//! The chaos run: a few hundred users send, edit, react, read and create chats over REST and
//! WebSockets while every fault switch fires on a schedule drawn from the seed; then, with the
//! faults off and the stack settled, the checks from the database and every client's log.
//! `infra/chaos.sh` starts the stack and runs it; docs/chaos.md says what each check means.
//!
//! usage: chaos --minutes M --seed S [--users N] [--members N] [--action-secs S]

mod actions;
mod api;
mod checks;
mod client;
mod database;
mod duties;
mod failures;
mod finish;
mod ledger;
mod report;
mod schedule;
mod setup;
mod socket;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::time::Instant;

use crate::client::{Client, Pace};

/// Load before the first fault, and after the last one (the recovery stretch).
const LEAD: Duration = Duration::from_secs(10);
const TAIL: Duration = Duration::from_secs(25);

pub struct Settings {
    pub minutes: f64,
    pub seed: u64,
    pub users: usize,
    pub members: usize,
    pub action_every: Duration,
}

fn settings() -> Result<Settings, String> {
    let mut s = Settings {
        minutes: 10.0,
        seed: 7,
        users: 240,
        members: 200,
        action_every: Duration::from_secs(10),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair
            .get(1)
            .ok_or_else(|| format!("{} needs a value", pair[0]))?;
        let bad = |_: String| format!("{} {value}: not a number", pair[0]);
        match pair[0].as_str() {
            "--minutes" => s.minutes = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--seed" => s.seed = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--users" => s.users = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--members" => s.members = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--action-secs" => {
                s.action_every =
                    Duration::from_secs_f64(value.parse().map_err(|e| bad(format!("{e}")))?)
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if s.members > s.users || s.users < 10 {
        return Err("--members must not exceed --users, and --users must be 10 or more".into());
    }
    Ok(s)
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (run through infra/chaos.sh)"))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            println!("chaos: {e}");
            println!("verdict: FAIL (the run could not complete)");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<bool, String> {
    let settings = settings()?;
    let api_url = env("CHAT_API_URL")?;
    let ws_url = env("CHAT_WS_URL")?;
    let faults_url = env("CHAT_FAULTS_URL")?;
    let lease = Duration::from_secs(
        env("CONNECTION_LEASE_SECONDS")?
            .parse()
            .map_err(|_| "CONNECTION_LEASE_SECONDS")?,
    );
    let sweep = Duration::from_secs(
        env("SCHEDULE_PERIOD_SECS")?
            .parse()
            .map_err(|_| "SCHEDULE_PERIOD_SECS")?,
    );
    let drive = Duration::from_secs_f64(settings.minutes * 60.0);
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let windows = schedule::draw(&mut rng, drive, LEAD, TAIL);
    println!(
        "chaos run: {} min of load, seed {}, {} users, a chat of {} members, an action every ~{:.0} s per user, lease {} s, sweep every {} s",
        settings.minutes,
        settings.seed,
        settings.users,
        settings.members,
        settings.action_every.as_secs_f64(),
        lease.as_secs(),
        sweep.as_secs()
    );
    schedule::print(&windows);
    let last_fault_end = windows.iter().map(|w| w.end).max().unwrap_or_default();

    // Distinct per run, so a run against a kept database never meets an earlier one's names.
    let run_id = format!(
        "x{}s{}",
        ulid::Ulid::generate()
            .to_string()
            .to_lowercase()
            .get(..10)
            .unwrap_or(""),
        settings.seed
    );
    let app = setup::app().await?;
    let epoch = Instant::now();
    let api = api::Api::new(api_url, epoch)?;
    println!(
        "setting up: {} users behind the API, the large chat over it, direct conversations...",
        settings.users
    );
    let users = setup::users(&app, &run_id, settings.users).await?;
    let world = setup::world(&api, &run_id, users, settings.members).await?;
    let pace = Pace {
        action_every: settings.action_every,
        // Three frames a lease, as the contract asks.
        ping_every: lease / 3,
        ws_url,
        everybody: Arc::new(world.users.iter().map(|u| u.id.clone()).collect()),
        big_chat: world.big_chat.clone(),
        seed: settings.seed,
        calendar: Arc::default(),
    };
    let mut clients = Vec::new();
    for (index, ((user, followed), log)) in world
        .users
        .iter()
        .zip(world.followed)
        .zip(world.logs)
        .enumerate()
    {
        let mut client = Client::new(
            index,
            user.clone(),
            api.clone(),
            pace.clone(),
            settings.seed,
            log,
        );
        for (id, how) in followed {
            client.known.insert(id.clone(), how);
            client.followed.insert(id);
        }
        clients.push(client);
    }
    // Sockets open a few at a time, as a population comes online, not at once.
    finish::online(&mut clients, 16).await;
    // The wall clock too: the stack's logs are read beside the run's times.
    println!(
        "set up in {:.0} s; load starts at {}",
        epoch.elapsed().as_secs_f64(),
        chat_core::time::now_rfc3339()
    );

    let load_epoch = Instant::now();
    let calendar = Arc::new(schedule::Calendar::new(&windows, load_epoch));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let drivers: Vec<_> = clients
        .into_iter()
        .map(|mut c| {
            c.pace.calendar = Arc::clone(&calendar);
            tokio::spawn(c.drive(stopped.clone()))
        })
        .collect();
    let faults = tokio::spawn(schedule::run(windows, faults_url.clone(), load_epoch));
    tokio::time::sleep(drive).await;
    let _ = stop.send(true);
    let fired = faults
        .await
        .map_err(|e| format!("the schedule's task: {e}"))?;
    let mut clients = Vec::new();
    for driver in drivers {
        clients.push(driver.await.map_err(|e| format!("a client's task: {e}"))?);
    }
    // Belt and braces: nothing may stay on past the schedule.
    let _ = schedule::clear(&reqwest::Client::new(), &faults_url).await;

    let load_secs = load_epoch.elapsed().as_secs_f64();
    let settling = Instant::now();
    let recovery_from = load_epoch + last_fault_end + Duration::from_secs(5);
    let outcome = finish::settle_and_check(
        &mut clients,
        &api,
        lease + sweep,
        recovery_from.duration_since(epoch),
    )
    .await?;
    println!(
        "settled, checked and presence waited in {:.0} s",
        settling.elapsed().as_secs_f64()
    );
    Ok(report::print(&clients, &fired, outcome, load_secs))
}
