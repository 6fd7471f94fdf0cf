//! `coldstart`: measures each function's cold start (process spawn → first completed invocation)
//! and peak memory under a local Lambda Runtime API this tool serves, and prints Markdown.
//! `infra/scripts/coldstart.sh` sets up DynamoDB Local, the tables and the env file and runs it.
//! Before each run the tool seeds what the function's event needs (src/seed.rs), so every
//! measured invocation is served in full; a run whose answer refuses it is a failure, and any
//! failure makes the tool exit non-zero.

mod events;
mod measure;
mod report;
mod runtime_api;
mod seed;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use measure::Target;
use report::FunctionResult;

const USAGE: &str = "\
usage: coldstart --env-file FILE [--bin-dir target/release] [--functions a,b,...]
                 [--runs 15] [--warmup 1] [--memory-mb 256] [--timeout-secs 10]
                 [--log-dir target/coldstart]
  --env-file   KEY=VALUE lines for the functions (as target/local-stack/functions.env);
               must hold JWT_SECRET and the tables, and should point AWS_ENDPOINT_URL_DYNAMODB
               at DynamoDB Local: the tool writes accounts, sessions, connections and a chat
               there before the runs
  --functions  default: every function infra/coldstart/src/events.rs has an event for;
               functions whose binary is missing are skipped
  --runs       cold starts per function (at least 10); --warmup runs before them are discarded";

/// Fewer runs make the median and p90 meaningless.
const MIN_RUNS: usize = 10;
/// Stop measuring a function that keeps failing instead of waiting out every timeout.
const MAX_FAILURES_IN_A_ROW: usize = 3;

#[derive(Debug)]
struct Args {
    env_file: PathBuf,
    bin_dir: PathBuf,
    functions: Vec<String>,
    runs: usize,
    warmup: usize,
    memory_mb: u32,
    timeout: Duration,
    log_dir: PathBuf,
}

fn parse_args(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        env_file: PathBuf::new(),
        bin_dir: PathBuf::from("target/release"),
        functions: events::FUNCTIONS
            .iter()
            .map(|f| f.name.to_owned())
            .collect(),
        runs: 15,
        warmup: 1,
        memory_mb: 256,
        timeout: Duration::from_secs(10),
        log_dir: PathBuf::from("target/coldstart"),
    };
    fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
        value
            .parse()
            .map_err(|_| format!("{flag} needs a number, got {value:?}"))
    }
    while let Some(flag) = raw.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_owned());
        }
        let value = raw
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        match flag.as_str() {
            "--env-file" => args.env_file = value.into(),
            "--bin-dir" => args.bin_dir = value.into(),
            "--functions" => {
                args.functions = value
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "--runs" => args.runs = number(&flag, &value)?,
            "--warmup" => args.warmup = number(&flag, &value)?,
            "--memory-mb" => args.memory_mb = number(&flag, &value)?,
            "--timeout-secs" => args.timeout = Duration::from_secs(number(&flag, &value)?),
            "--log-dir" => args.log_dir = value.into(),
            _ => return Err(format!("unknown option {flag}\n\n{USAGE}")),
        }
    }
    if args.env_file.as_os_str().is_empty() {
        return Err(format!("--env-file is required\n\n{USAGE}"));
    }
    if args.runs < MIN_RUNS {
        return Err(format!("--runs must be at least {MIN_RUNS}"));
    }
    Ok(args)
}

/// `KEY=VALUE` lines; blank lines and `#` comments are skipped.
fn parse_env_file(text: &str) -> Result<Vec<(String, String)>, String> {
    text.lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(n, line)| {
            line.split_once('=')
                .filter(|(key, _)| !key.trim().is_empty())
                .map(|(key, value)| (key.trim().to_owned(), value.to_owned()))
                .ok_or_else(|| format!("line {n} is not KEY=VALUE"))
        })
        .collect()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

/// The 1, 5 and 15 minute load averages, as `uptime` prints them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn header(args: &Args, env: &[(String, String)]) -> String {
    let arch = std::env::consts::ARCH;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = load_average();
    let dynamodb = env
        .iter()
        .find(|(k, _)| k == "AWS_ENDPOINT_URL_DYNAMODB")
        .map_or("AWS (no AWS_ENDPOINT_URL_DYNAMODB)", |(_, v)| v.as_str());
    let mut text = format!(
        "Cold starts measured {} on {arch} ({}, {cores} cores, load average {load} at start): \
         binaries from {}, {} runs per function after {} discarded warm-up run(s), \
         AWS_LAMBDA_FUNCTION_MEMORY_SIZE={}, DynamoDB at {dynamodb}.",
        humantime::format_rfc3339_seconds(SystemTime::now()),
        cpu_model(),
        args.bin_dir.display(),
        args.runs,
        args.warmup,
        args.memory_mb,
    );
    if arch != "aarch64" {
        text.push_str(
            " These are native release builds: the deployed arm64 binaries cannot run on this \
             machine, so the numbers stand in for Graviton's, not measure them.",
        );
    }
    text
}

async fn measure_function(
    args: &Args,
    env: &[(String, String)],
    seed: &mut seed::Seeder,
    name: &str,
) -> FunctionResult {
    let mut result = FunctionResult {
        function: name.to_owned(),
        ..Default::default()
    };
    let Some(spec) = events::spec(name) else {
        result.skipped = Some("no event for it in infra/coldstart/src/events.rs".to_owned());
        return result;
    };
    let binary = args.bin_dir.join(name);
    if !binary.is_file() {
        result.skipped = Some(format!("no binary at {}", binary.display()));
        return result;
    }
    let target = Target {
        function: name.to_owned(),
        binary,
        env: env.to_vec(),
        memory_mb: args.memory_mb,
        timeout: args.timeout,
        log: args.log_dir.join(format!("{name}.log")),
    };
    let mut failures_in_a_row = 0;
    for run in 1..=(args.warmup + args.runs) {
        let warmup = run <= args.warmup;
        let label = if warmup {
            format!("warm-up {run}")
        } else {
            format!("run {}", run - args.warmup)
        };
        let outcome = match spec.event(seed).await {
            Err(error) => Err(error),
            Ok(event) => {
                let request_id = ulid::Ulid::generate().to_string();
                match measure::cold_start(&target, request_id, event).await {
                    Err(error) => Err(format!("{error} (log: {})", target.log.display())),
                    Ok(sample) => match spec.check(&sample) {
                        Ok(status) => Ok((sample, status)),
                        Err(why) => Err(format!("unexpected answer: {why}")),
                    },
                }
            }
        };
        match outcome {
            Ok(sample) => {
                failures_in_a_row = 0;
                if !warmup {
                    result.samples.push(sample);
                }
            }
            Err(problem) => {
                eprintln!("coldstart: {name} {label}: {problem}");
                result.problems.push(format!("{name} {label}: {problem}"));
                failures_in_a_row += 1;
                if failures_in_a_row >= MAX_FAILURES_IN_A_ROW {
                    result.problems.push(format!(
                        "{name}: stopped after {MAX_FAILURES_IN_A_ROW} failed runs in a row"
                    ));
                    break;
                }
            }
        }
    }
    result
}

async fn run(args: Args) -> Result<bool, String> {
    let env_text = std::fs::read_to_string(&args.env_file)
        .map_err(|e| format!("cannot read {}: {e}", args.env_file.display()))?;
    let env = parse_env_file(&env_text).map_err(|e| format!("{}: {e}", args.env_file.display()))?;
    if !env.iter().any(|(k, v)| k == "JWT_SECRET" && !v.is_empty()) {
        return Err(format!(
            "{} has no JWT_SECRET: the events' tokens are signed with it",
            args.env_file.display()
        ));
    }
    let mut seed = seed::Seeder::new(&env).await?;
    std::fs::create_dir_all(&args.log_dir)
        .map_err(|e| format!("cannot create {}: {e}", args.log_dir.display()))?;
    for name in &args.functions {
        // Fresh logs per measurement, so a post-mortem reads only this one.
        let _ = std::fs::remove_file(args.log_dir.join(format!("{name}.log")));
    }

    let header = header(&args, &env);
    let mut results = Vec::new();
    for name in &args.functions {
        eprintln!("coldstart: measuring {name}");
        results.push(measure_function(&args, &env, &mut seed, name).await);
    }

    // The figures move with the machine's load, which may change during the runs.
    println!("{header} Load average {} at the end.\n", load_average());
    println!("{}", report::summary_table(&results));
    println!("{}", report::breakdown_table(&results));
    let problems: Vec<&String> = results.iter().flat_map(|r| &r.problems).collect();
    if !problems.is_empty() {
        println!("Problems:\n");
        for problem in &problems {
            println!("- {problem}");
        }
    }
    Ok(problems.is_empty())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("coldstart: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse_args(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn parses_flags_and_defaults() {
        let parsed = args(&[
            "--env-file",
            "f.env",
            "--functions",
            "users, chats",
            "--runs",
            "12",
        ]);
        let parsed = parsed.as_ref().ok();
        assert_eq!(
            parsed.map(|a| a.env_file.as_path()),
            Some(Path::new("f.env"))
        );
        assert_eq!(
            parsed.map(|a| a.functions.clone()),
            Some(vec!["users".to_owned(), "chats".to_owned()])
        );
        assert_eq!(parsed.map(|a| a.runs), Some(12));
        assert_eq!(parsed.map(|a| a.warmup), Some(1));
    }

    #[test]
    fn refuses_too_few_runs_and_a_missing_env_file() {
        assert!(args(&["--env-file", "f", "--runs", "5"]).is_err());
        assert!(args(&["--runs", "15"]).is_err());
        assert!(args(&["--env-file"]).is_err());
    }

    #[test]
    fn reads_env_files() {
        let env = parse_env_file("# comment\nA=1\n\nJWT_SECRET=x=y\n");
        assert_eq!(
            env,
            Ok(vec![
                ("A".to_owned(), "1".to_owned()),
                ("JWT_SECRET".to_owned(), "x=y".to_owned())
            ])
        );
        assert!(parse_env_file("nonsense\n").is_err());
    }
}
