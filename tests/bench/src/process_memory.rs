//! Child processes of the benchmark and their peak resident set size, read from /proc (Linux).

use std::collections::BTreeSet;

/// The process ids of this process's children (every thread's `children` list).
pub fn child_pids() -> BTreeSet<u32> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return BTreeSet::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|children| {
            children
                .split_whitespace()
                .filter_map(|pid| pid.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// The one child that is not in `before`, e.g. the process a spawn just started.
pub fn new_child(before: &BTreeSet<u32>) -> Result<u32, String> {
    let new: Vec<u32> = child_pids().difference(before).copied().collect();
    match new.as_slice() {
        [pid] => Ok(*pid),
        other => Err(format!("expected one new child process, found {other:?}")),
    }
}

/// Peak resident set size of process `pid` so far (`VmHWM`), in KiB.
pub fn peak_rss_kib(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|error| format!("reading /proc/{pid}/status: {error}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no VmHWM in /proc/{pid}/status"))
}
