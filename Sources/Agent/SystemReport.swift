internal import Glibc

/// The machine's health for `/api/status`: load, memory, the agent's own resident memory and,
/// where `/sys/class/thermal` has one (a Raspberry Pi does), the SoC temperature.
struct SystemReport: Codable, Sendable, Equatable {
    var loadAverage1m: Double?
    var memoryTotalMB: Int?
    var memoryAvailableMB: Int?
    var residentMB: Double?
    var temperatureCelsius: Double?

    static func read() -> SystemReport {
        var report = SystemReport()
        report.loadAverage1m = file("/proc/loadavg").flatMap(loadAverage)
        if let meminfo = file("/proc/meminfo") {
            report.memoryTotalMB = kilobytes("MemTotal", in: meminfo).map { $0 / 1_024 }
            report.memoryAvailableMB = kilobytes("MemAvailable", in: meminfo).map { $0 / 1_024 }
        }
        report.residentMB = file("/proc/self/statm").flatMap(residentPages).map { Double($0 * sysconf(Int32(_SC_PAGESIZE))) / 1_048_576 }
        report.temperatureCelsius = file("/sys/class/thermal/thermal_zone0/temp").flatMap(millidegrees)
        return report
    }

    /// proc(5) /proc/loadavg: "0.31 1.13 1.50 1/87 3430".
    static func loadAverage(_ text: String) -> Double? { text.split(separator: " ").first.flatMap { Double($0) } }

    /// proc(5) /proc/meminfo: "MemAvailable:   24219540 kB".
    static func kilobytes(_ key: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    /// proc(5) /proc/self/statm: size, then resident, in pages.
    static func residentPages(_ text: String) -> Int? { text.split(separator: " ").dropFirst().first.flatMap { Int($0) } }

    /// sysfs thermal zones report millidegrees Celsius: "48312".
    static func millidegrees(_ text: String) -> Double? {
        Int(text.split(separator: "\n").first ?? "").map { Double($0) / 1_000 }
    }

    /// A small text file, or nil when it cannot be read.
    static func file(_ path: String) -> String? {
        guard let handle = fopen(path, "r") else { return nil }
        defer { fclose(handle) }
        var buffer = [UInt8](repeating: 0, count: 8_192)
        let count = fread(&buffer, 1, buffer.count, handle)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}
