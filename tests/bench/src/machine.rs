//! The machine a benchmark ran on, as the report names it.

/// Processor and memory of this machine.
#[derive(Clone, Debug)]
pub struct Machine {
    /// Processors available to this process (`nproc`).
    pub processors: usize,
    /// CPU model name from /proc/cpuinfo.
    pub cpu_model: String,
    /// Total memory from /proc/meminfo, in GiB.
    pub memory_gib: f64,
    /// Linux kernel release.
    pub kernel: String,
}

impl Machine {
    /// Reads this machine's description (Linux).
    pub fn describe() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Machine {
            processors: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model: field(&cpuinfo, "model name")
                .unwrap_or("unknown")
                .to_string(),
            memory_gib: field(&meminfo, "MemTotal")
                .and_then(|total| total.trim_end_matches("kB").trim().parse::<f64>().ok())
                .map_or(0.0, |kib| kib / (1024.0 * 1024.0)),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").map_or_else(
                |_| "unknown".to_string(),
                |release| release.trim().to_string(),
            ),
        }
    }

    /// One line: `2 × Intel(R) Xeon(R) Processor, 23.5 GiB memory, Linux 6.1.0`.
    pub fn summary(&self) -> String {
        format!(
            "{} × {}, {:.1} GiB memory, Linux {}",
            self.processors, self.cpu_model, self.memory_gib, self.kernel
        )
    }
}

/// The value of the first `name: value` line of a /proc file.
fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == name).then(|| value.trim())
    })
}
