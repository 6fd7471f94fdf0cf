//! Statistics over the runs and the Markdown the tool prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::measure::Sample;

/// The cold-start budget docs/benchmarks.md holds the functions to.
pub const TARGET_MEDIAN_MS: f64 = 15.0;
pub const TARGET_RSS_MIB: f64 = 30.0;

/// Everything measured for one function.
#[derive(Debug, Default)]
pub struct FunctionResult {
    pub function: String,
    /// Why the function was not measured at all (no binary, no event for it).
    pub skipped: Option<String>,
    /// Runs that answered as expected, with the `statusCode` they gave.
    pub samples: Vec<(Sample, u16)>,
    /// One line per run that did not.
    pub problems: Vec<String>,
}

/// Nearest-rank percentile of already sorted values (`p` in 0..=100).
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

fn sorted(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn cell(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"))
}

fn verdict(ok: bool) -> &'static str {
    if ok { "yes" } else { "no" }
}

/// The main table: function | median | p90 | min | peak RSS | targets.
pub fn summary_table(results: &[FunctionResult]) -> String {
    let mut out = String::from(
        "| function | median ms | p90 ms | min ms | peak RSS MiB (median) | targets (≤ 15 ms median, ≤ 30 MiB) |\n\
         | --- | ---: | ---: | ---: | ---: | --- |\n",
    );
    for result in results {
        if let Some(reason) = &result.skipped {
            let _ = writeln!(out, "| {} | skipped: {reason} | | | | |", result.function);
            continue;
        }
        let totals = sorted(result.samples.iter().map(|(s, _)| ms(s.total)));
        let rss = sorted(
            result
                .samples
                .iter()
                .filter_map(|(s, _)| s.peak_rss_kib)
                .map(|kib| kib as f64 / 1024.0),
        );
        let median = percentile(&totals, 50.0);
        let rss_median = percentile(&rss, 50.0);
        let targets = match (median, rss_median) {
            (Some(time), Some(mem)) => format!(
                "time {}, memory {}",
                verdict(time <= TARGET_MEDIAN_MS),
                verdict(mem <= TARGET_RSS_MIB)
            ),
            _ => "no successful run".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {targets} |",
            result.function,
            cell(median),
            cell(percentile(&totals, 90.0)),
            cell(totals.first().copied()),
            cell(rss_median),
        );
    }
    out
}

/// Where the time goes: init (spawn → first poll) against the invocation itself.
pub fn breakdown_table(results: &[FunctionResult]) -> String {
    let mut out = String::from(
        "| function | runs ok | init median ms (spawn → first /next) | invocation median ms (/next → response) | answers | Management API calls per run |\n\
         | --- | ---: | ---: | ---: | --- | ---: |\n",
    );
    for result in results.iter().filter(|r| r.skipped.is_none()) {
        let init = sorted(result.samples.iter().filter_map(|(s, _)| s.init).map(ms));
        let invocation = sorted(
            result
                .samples
                .iter()
                .filter_map(|(s, _)| s.init.map(|init| ms(s.total.saturating_sub(init)))),
        );
        let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
        for (_, status) in &result.samples {
            *answers.entry(*status).or_default() += 1;
        }
        let answers = answers
            .iter()
            .map(|(status, count)| format!("{status} ×{count}"))
            .collect::<Vec<_>>()
            .join(", ");
        let pushes = (!result.samples.is_empty()).then(|| {
            let total: usize = result.samples.iter().map(|(s, _)| s.pushes).sum();
            total as f64 / result.samples.len() as f64
        });
        let _ = writeln!(
            out,
            "| {} | {}/{} | {} | {} | {} | {} |",
            result.function,
            result.samples.len(),
            result.samples.len() + result.problems.len(),
            cell(percentile(&init, 50.0)),
            cell(percentile(&invocation, 50.0)),
            if answers.is_empty() { "–" } else { &answers },
            cell(pushes),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<f64> = (1..=15).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), Some(8.0));
        assert_eq!(percentile(&values, 90.0), Some(14.0));
        assert_eq!(percentile(&values, 0.0), Some(1.0));
        assert_eq!(percentile(&values, 100.0), Some(15.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn tables_show_targets_and_skips() {
        let sample = |ms: u64| Sample {
            total: Duration::from_millis(ms),
            init: Some(Duration::from_millis(ms / 2)),
            peak_rss_kib: Some(20 * 1024),
            response: Bytes::new(),
            pushes: 0,
            frames: Vec::new(),
        };
        let results = [
            FunctionResult {
                function: "users".into(),
                samples: vec![(sample(8), 200), (sample(9), 200), (sample(30), 200)],
                ..Default::default()
            },
            FunctionResult {
                function: "ws-send".into(),
                skipped: Some("no binary".into()),
                ..Default::default()
            },
        ];
        let summary = summary_table(&results);
        assert!(summary.contains("| users | 9.0 | 30.0 | 8.0 | 20.0 | time yes, memory yes |"));
        assert!(summary.contains("| ws-send | skipped: no binary |"));
        assert!(breakdown_table(&results).contains("| users | 3/3 | 4.0 | 5.0 | 200 ×3 | 0.0 |"));
    }
}
