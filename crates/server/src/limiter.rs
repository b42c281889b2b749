//! Sign-in attempts, limited: a name or an address that fails too often in a window is
//! refused until the window passes, so that passwords cannot be guessed at speed.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per name in a window.
const PER_NAME: usize = 5;
/// Failed sign-ins allowed per address in a window (a building behind one address has
/// several readers).
const PER_ADDRESS: usize = 20;
/// The window.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys remembered at most; the oldest are forgotten first (a flood of names must not
/// fill the memory).
const MAX_KEYS: usize = 100_000;

/// Failed attempts by key ("name:vera", "addr:10.0.0.7") in the last window.
#[derive(Default)]
pub(crate) struct Limiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    /// How long until `name` from `address` may try again, if it may not now.
    pub(crate) fn wait(&self, name: &str, address: Option<&str>) -> Option<Duration> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut longest = None;
        for (key, limit) in keys(name, address) {
            if let Some(times) = failures.get_mut(&key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    times.pop_front();
                }
                if times.len() >= limit {
                    let oldest = times.front().copied().unwrap_or(now);
                    let wait = WINDOW.saturating_sub(now.duration_since(oldest));
                    longest = longest.max(Some(wait));
                }
            }
        }
        longest
    }

    /// Counts a failed attempt.
    pub(crate) fn failed(&self, name: &str, address: Option<&str>) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, t| t.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        for (key, limit) in keys(name, address) {
            let times = failures.entry(key).or_default();
            times.push_back(now);
            while times.len() > limit {
                times.pop_front();
            }
        }
    }

    /// Forgets a name's failures after it signs in.
    pub(crate) fn succeeded(&self, name: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&format!("name:{}", name.to_lowercase()));
    }
}

fn keys(name: &str, address: Option<&str>) -> Vec<(String, usize)> {
    let mut keys = vec![(format!("name:{}", name.to_lowercase()), PER_NAME)];
    if let Some(a) = address {
        keys.push((format!("addr:{a}"), PER_ADDRESS));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_refused_after_five_failures_and_others_are_not() {
        let limiter = Limiter::default();
        for _ in 0..PER_NAME {
            assert_eq!(limiter.wait("vera", Some("10.0.0.1")), None);
            limiter.failed("vera", Some("10.0.0.1"));
        }
        let wait = limiter.wait("Vera", Some("10.0.0.2")).expect("refused");
        assert!(wait > Duration::from_secs(14 * 60), "{wait:?}");
        assert_eq!(limiter.wait("anna", Some("10.0.0.2")), None);
    }

    #[test]
    fn an_address_is_refused_after_twenty_failures_across_names() {
        let limiter = Limiter::default();
        for i in 0..PER_ADDRESS {
            limiter.failed(&format!("user{i}"), Some("10.0.0.9"));
        }
        assert!(limiter.wait("someone-new", Some("10.0.0.9")).is_some());
        assert!(limiter.wait("someone-new", Some("10.0.0.8")).is_none());
    }
}
