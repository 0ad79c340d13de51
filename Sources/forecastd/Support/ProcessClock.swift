import Foundation

/// Seconds since this process was started by exec, from the kernel's record of its start (/proc/self/stat's
/// starttime, in clock ticks since boot: 10 ms resolution) against CLOCK_BOOTTIME; nil where /proc is absent.
func secondsSinceExec() -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    // Fields after the command name (which may hold spaces), from field 3; starttime is field 22.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
    var now = timespec()
    clock_gettime(CLOCK_BOOTTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 - ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
}
