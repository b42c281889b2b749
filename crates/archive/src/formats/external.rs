//! Running the external programs OCR needs (Tesseract, pdftoppm) so that none of them
//! can hold the ingest or outlive it.
//!
//! A hostile or damaged scan can make a renderer run for hours or take all the memory
//! of the machine. Every program is therefore started:
//!
//! - in a process group of its own, so that stopping it stops whatever it started too;
//! - with an address-space limit (`KARTOTEKA_OCR_MEMORY` MiB, default 4096), so that an
//!   inflating page fails inside the program rather than in the machine;
//! - under a time limit (`KARTOTEKA_OCR_TIMEOUT` seconds, default 300), past which its
//!   group is killed and the document fails with the reason.
//!
//! The groups running at any moment are kept in a small table that a signal handler can
//! read without locking. [`install_interrupt_handler`] makes Ctrl-C, SIGTERM and SIGHUP
//! kill those groups before the process ends the way the signal asks, so nothing is left
//! running when kartoteka is stopped.
//!
//! There is no crate that both limits a child's memory and kills its group on our own
//! interruption, so the few system calls are made here through `libc`.

use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use super::FormatError;

/// How many programs can run at once and still be stopped on interruption: one per
/// worker thread is the most an ingest starts.
const SLOTS: usize = 256;

/// Process groups running now (0: a free slot). Read by the signal handler.
static RUNNING: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];

/// How long one run may take: `KARTOTEKA_OCR_TIMEOUT` seconds, else 300.
pub fn time_limit() -> Duration {
    let secs = std::env::var("KARTOTEKA_OCR_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .unwrap_or(300);
    Duration::from_secs(secs)
}

/// How much memory one run may map: `KARTOTEKA_OCR_MEMORY` MiB, else 4096.
pub fn memory_limit() -> u64 {
    std::env::var("KARTOTEKA_OCR_MEMORY")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&m| m > 0)
        .unwrap_or(4096)
        .saturating_mul(1024 * 1024)
}

/// A registered group, taken off the table when dropped (whatever way the run ends).
struct Registered(Option<usize>);

impl Registered {
    fn new(group: i32) -> Registered {
        for (i, slot) in RUNNING.iter().enumerate() {
            if slot
                .compare_exchange(0, group, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Registered(Some(i));
            }
        }
        // More programs than slots: this one still has its time limit, but an
        // interruption would not reach it.
        Registered(None)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some(i) = self.0 {
            RUNNING[i].store(0, Ordering::SeqCst);
        }
    }
}

/// Kills the process group `group` and everything in it.
fn kill_group(group: i32) {
    #[cfg(unix)]
    if group > 0 {
        // SAFETY: kill(2) takes plain integers and touches no memory of ours.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = group;
}

/// Kills every external program running now. Safe to call from a signal handler: it only
/// reads atomics and calls kill(2).
pub fn stop_external_programs() {
    for slot in RUNNING.iter() {
        let group = slot.load(Ordering::SeqCst);
        if group > 0 {
            kill_group(group);
        }
    }
}

#[cfg(unix)]
extern "C" fn on_interrupt(signal: libc::c_int) {
    stop_external_programs();
    // SA_RESETHAND put the default action back; raised again, the signal ends the process
    // as it would have without us once this handler returns.
    // SAFETY: raise(2) is async-signal-safe.
    unsafe {
        libc::raise(signal);
    }
}

/// Gives SIGINT, SIGTERM and SIGHUP back their default actions, for a program that
/// handles them itself (a server shutting down gracefully): [`install_interrupt_handler`]'s
/// handler raises the signal again once the default action is back, which under another
/// handler that calls the previous one would never end.
pub fn restore_default_signal_actions() {
    #[cfg(unix)]
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: setting the default action of a signal is always allowed.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
        }
    }
}

/// Makes SIGINT, SIGTERM and SIGHUP stop every external program before the process ends.
/// Called once by a program's `main`; libraries never install handlers themselves.
pub fn install_interrupt_handler() {
    #[cfg(unix)]
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the action is zeroed then filled in; the handler is async-signal-safe
        // (atomics, kill, raise).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as usize;
            action.sa_flags = libc::SA_RESETHAND;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Runs `command` to its end or to the time limit, whichever comes first, in its own
/// process group and under the memory limit. A program over the time limit is killed
/// with its group, and the error names the program and the limit.
pub fn run_bounded(command: Command, name: &str) -> Result<std::process::Output, FormatError> {
    run_within(command, name, time_limit(), memory_limit())
}

fn run_within(
    mut command: Command,
    name: &str,
    limit: Duration,
    memory: u64,
) -> Result<std::process::Output, FormatError> {
    use std::io::Read;
    use std::process::Stdio;

    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let bytes = memory as libc::rlim_t;
        command.process_group(0);
        // SAFETY: between fork and exec only setrlimit(2) runs, which is async-signal-safe
        // and allocates nothing.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: bytes,
                    rlim_max: bytes,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| FormatError::Ocr(format!("running {name}: {e}")))?;
    let group = i32::try_from(child.id()).unwrap_or(0);
    let registered = Registered::new(group);
    // Both pipes drained as the program writes, so that it never blocks on a full one.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                kill_group(group);
                let _ = child.kill();
                let _ = child.wait();
                drop(registered);
                return Err(FormatError::Ocr(format!(
                    "{name} ran longer than {} s and was stopped (KARTOTEKA_OCR_TIMEOUT sets the limit)",
                    limit.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                kill_group(group);
                return Err(FormatError::Ocr(format!("waiting for {name}: {e}")));
            }
        }
    };
    // Not killed after a normal end: once the leader is reaped its number may be reused.
    drop(registered);
    Ok(std::process::Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_program_runs_under_the_memory_limit() {
        let mut command = Command::new("sh");
        command.args(["-c", "ulimit -v"]);
        let out = run_bounded(command, "sh").unwrap();
        let kib: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        assert_eq!(kib * 1024, memory_limit());
    }

    #[test]
    fn a_program_over_the_time_limit_is_stopped_with_all_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let mut command = Command::new("sh");
        command.arg("-c").arg(format!(
            "sleep 60 & echo $! > '{}'; wait",
            pid_file.display()
        ));
        let started = Instant::now();
        let e = run_within(command, "sh", Duration::from_secs(1), memory_limit()).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(20));
        assert!(e.to_string().contains("ran longer than 1 s"), "{e}");
        let pid: i32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // The grandchild is gone (or a zombie waiting for init), not sleeping on.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let running = state
                .rsplit(')')
                .next()
                .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
                && !state.is_empty();
            if !running {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the program's child still runs: {state}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
