//! The run's output: requests by outcome, faults fired by kind, the metrics beside the run's
//! own counts, the checks with their cases, and the verdict.

use std::collections::BTreeMap;

use e2e::metrics::total;

use crate::checks::{self, Check};
use crate::client::Client;
use crate::finish::Outcome;
use crate::schedule::{self, Fired};
use crate::{failures, ledger};

/// Cases shown per failed check; the rest are counted.
const SHOWN: usize = 10;

pub fn print(clients: &[Client], fired: &[Fired], outcome: Outcome, load_secs: f64) -> bool {
    println!("\nrequests by outcome (every attempt, retries included; {load_secs:.0} s of load):");
    let mut by_route: BTreeMap<&str, Vec<(ledger::Outcome, u64)>> = BTreeMap::new();
    for ((route, o), n) in checks::outcomes(clients) {
        by_route.entry(route).or_default().push((o, n));
    }
    for (route, outcomes) in &by_route {
        let parts: Vec<String> = outcomes.iter().map(|(o, n)| format!("{o}: {n}")).collect();
        println!("  {route:<32} {}", parts.join(", "));
    }
    let logs = clients.iter().map(|c| &c.log);
    let (opens, failed_opens, ends, catch_ups, catch_up_failures) =
        logs.fold((0, 0, 0, 0, 0), |t, l| {
            (
                t.0 + l.socket_opens,
                t.1 + l.socket_open_failures,
                t.2 + l.socket_ends,
                t.3 + l.catch_ups,
                t.4 + l.catch_up_failures,
            )
        });
    println!(
        "  sockets: {opens} opened, {failed_opens} handshakes failed, {ends} ended under the client; catch-ups: {catch_ups} ({catch_up_failures} gave up, tried again later)"
    );
    let sends: Vec<&ledger::SendRecord> = clients.iter().flat_map(|c| &c.log.sends).collect();
    let over_socket = sends.iter().filter(|s| s.over_socket).count();
    let to_chats = sends
        .iter()
        .filter(|s| matches!(s.target, ledger::Target::Chat(_)))
        .count();
    println!(
        "  sends: {} ({over_socket} first over the socket, the rest over REST; {to_chats} to chats, the rest direct)",
        sends.len()
    );
    let late: u64 = clients
        .iter()
        .flat_map(|c| c.log.tracks.values())
        .map(|t| t.late_repeats)
        .sum();
    println!(
        "  live events repeated (dropped by seq): {} ({late} of them first live after a catch-up had brought them)",
        outcome.repeats
    );

    println!("\nfaults fired, by window (from the control port's counts):");
    let mut by_fault: BTreeMap<String, u64> = BTreeMap::new();
    let mut checks = outcome.checks;
    let mut schedule_errors = Vec::new();
    for f in fired {
        let counts: Vec<String> = f
            .counts
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, c)| c["fired"].as_u64().unwrap_or(0) > 0)
            .map(|(name, c)| {
                *by_fault.entry(name.clone()).or_insert(0) += c["fired"].as_u64().unwrap_or(0);
                format!("{name} {}/{}", c["fired"], c["seen"])
            })
            .collect();
        println!(
            "  {:>6.1} s {:<20} fired/seen: {}",
            f.window.start.as_secs_f64(),
            f.window.kind,
            if counts.is_empty() {
                "none".to_owned()
            } else {
                counts.join(", ")
            }
        );
        if let Some(e) = &f.error {
            schedule_errors.push(format!("{}: {e}", f.window.kind));
        }
        if f.counts
            .as_object()
            .is_none_or(|c| c.values().all(|c| c["fired"].as_u64().unwrap_or(0) == 0))
        {
            schedule_errors.push(format!(
                "{} at {:.0} s fired nothing",
                f.window.kind,
                f.window.start.as_secs_f64()
            ));
        }
    }
    println!(
        "  in all: {}",
        by_fault
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    checks.push(Check::new(
        "every fault window was set and fired",
        schedule_errors,
    ));
    checks.extend(metrics(clients, fired));

    println!("\nchecks:");
    let mut passed = true;
    for check in &checks {
        let ok = check.failures.is_empty();
        passed &= ok;
        println!("  [{}] {}", if ok { "ok" } else { "FAIL" }, check.name);
        for case in check.failures.iter().take(SHOWN) {
            println!("         {case}");
        }
        if check.failures.len() > SHOWN {
            println!("         ... and {} more", check.failures.len() - SHOWN);
        }
    }
    println!("\nlost {}", outcome.lost);
    println!("duplicated {}", outcome.duplicated);
    let failed = checks.iter().filter(|c| !c.failures.is_empty()).count();
    if passed {
        println!("verdict: PASS ({} checks)", checks.len());
    } else {
        println!("verdict: FAIL ({failed} of {} checks failed)", checks.len());
    }
    passed
}

/// The metrics the functions and the gateway wrote, beside what the run counted itself.
fn metrics(clients: &[Client], fired: &[Fired]) -> Vec<Check> {
    let refused = schedule::total(fired, "push", &["push 429", "push 500"]);
    let gone = schedule::total(fired, "push", &["push 410"]);
    let crashes = schedule::total(fired, "function_crash", &["crash before", "crash after"]);
    let stream = schedule::total(fired, "stream", &["stream error", "stream timeout"]);
    let retries = total("push_retries", &[]);
    let throttled = total("pushes", &[("outcome", "throttled")]);
    let failed = total("pushes", &[("outcome", "failed")]);
    let gone_metric = total("pushes", &[("outcome", "gone")]);
    let dead = total(
        "NumberOfMessagesSent",
        &[("QueueName", "DeliveryDeadLetterQueue")],
    );
    let dead_files = dead_letter_records();
    let (logged, log_error) = match failures::logged() {
        Ok(logged) => (logged, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let injected_logged = logged.iter().filter(|f| f.injected).count();
    let real: Vec<&failures::Failure> = logged.iter().filter(|f| !f.injected).collect();
    // A real failure of a function the clients call answers exactly as a crash does.
    let real_like_crash = real
        .iter()
        .filter(|f| schedule::CRASHED.contains(&f.function.as_str()))
        .count() as u64;
    let seen_rest: u64 = clients
        .iter()
        .map(|c| {
            c.log
                .attempts
                .iter()
                .filter(|a| a.outcome == ledger::Outcome::InjectedCrash)
                .count() as u64
        })
        .sum();
    let seen_frames: u64 = clients.iter().map(|c| c.log.crash_frames).sum();
    let seen_crashes = seen_rest + seen_frames;
    let logged_rest = logged.iter().filter(|f| f.injected && f.over_rest).count() as u64;
    let logged_frames = logged.iter().filter(|f| f.injected && !f.over_rest).count() as u64;
    println!("\nmetrics beside the run's own counts:");
    println!(
        "  pushes refused 429/500 (fired) {refused:>6} | push_retries {retries} + pushes throttled {throttled} + failed {failed} = {}",
        retries + throttled + failed
    );
    println!(
        "  pushes refused 410 (fired)     {gone:>6} | pushes gone {gone_metric} (the rest: sockets that vanished)"
    );
    println!(
        "  stream batches failed (fired)  {stream:>6} | dead letters (NumberOfMessagesSent) {dead}, records in the dead-letter files {dead_files}"
    );
    println!(
        "  function crashes (fired)       {crashes:>6} | crash answers the clients saw (500 and crash frames) {seen_crashes}; the gateway logged {injected_logged} crashes and {} other failures ({real_like_crash} of the functions the clients call)",
        real.len()
    );
    let mut checks = Vec::new();
    let mut case = |ok: bool, name: &str, detail: String| {
        checks.push(Check::new(
            name.to_owned(),
            if ok { vec![] } else { vec![detail] },
        ))
    };
    let counted = retries + throttled + failed;
    // At least: push_retries also counts a push tried again after no answer (the Management
    // API's 3 s timeout on a loaded stack), which no metric tells apart from a refusal's.
    case(
        counted >= refused as f64,
        "every refused push counted: a retry, throttled or failed (retries after no answer on top)",
        format!("{refused} fired, {counted} counted"),
    );
    case(
        gone_metric >= gone as f64,
        "every 410 counted as a gone push",
        format!("{gone} fired, {gone_metric} counted"),
    );
    case(
        dead == dead_files as f64 && dead <= stream as f64,
        "dead letters counted as written, none without a failed batch",
        format!("metric {dead}, files {dead_files}, failed batches {stream}"),
    );
    // Every crash the fault fired was answered by the gateway (its log), over REST or on a
    // socket. Over REST exactly: a client waits longer than the gateway can take to answer
    // (api::ATTEMPT_TIMEOUT), so it reads every 500; a real failure answers alike and is
    // added (it fails the next check on its own). On a socket at most as many: clients keep
    // their sockets through crash windows (Calendar::holds_sockets), yet a frame the gateway
    // sends to a connection that ended meanwhile is lost (2 of 29 in one short run).
    case(
        logged_rest + logged_frames == crashes
            && seen_rest >= logged_rest
            && seen_rest <= logged_rest + real_like_crash
            && seen_frames <= logged_frames + real_like_crash,
        "every injected crash answered: each 500 read by its client, crash frames at most as sent",
        format!(
            "{crashes} fired; the gateway answered {logged_rest} over REST, {logged_frames} on sockets; clients read {seen_rest} and {seen_frames} (+ up to {real_like_crash} real failures answered alike)"
        ),
    );
    let mut failed_functions: Vec<String> = real.iter().map(|f| f.line.clone()).collect();
    failed_functions.extend(log_error);
    checks.push(Check::new(
        "no function failed behind a route (timeout, error; the gateway's log)",
        failed_functions,
    ));
    checks
}

fn dead_letter_records() -> u64 {
    let Ok(dir) = std::env::var("STACK_STATE_DIR") else {
        return 0;
    };
    let Ok(entries) = std::fs::read_dir(std::path::Path::new(&dir).join("dead-letters")) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|text| text.lines().filter(|l| !l.trim().is_empty()).count() as u64)
        .sum()
}
