//! What the benchmarks share with their tests: the annotated corpora persons are measured
//! on, and the medians every figure is reported as.

pub mod persons;

/// The median of measurements (the machine is noisy).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// How many times each measurement is repeated (`RUNS`, 3 by default).
pub fn runs() -> usize {
    std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
}
