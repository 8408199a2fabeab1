import Testing
@testable import Agent

/// The kernel's text formats read for `/api/status` (samples as proc(5) and sysfs print them).
@Suite struct SystemReportTests {
    @Test func procAndSysfsFormatsParse() {
        #expect(SystemReport.loadAverage("0.31 1.13 1.50 1/87 3430\n") == 0.31)
        let meminfo = "MemTotal:       24684084 kB\nMemFree:        20000000 kB\nMemAvailable:   24219540 kB\n"
        #expect(SystemReport.kilobytes("MemTotal", in: meminfo) == 24_684_084)
        #expect(SystemReport.kilobytes("MemAvailable", in: meminfo) == 24_219_540)
        #expect(SystemReport.kilobytes("SwapTotal", in: meminfo) == nil)
        #expect(SystemReport.residentPages("765 433 404 5 0 123 0\n") == 433)
        #expect(SystemReport.millidegrees("48312\n") == 48.312)
        #expect(SystemReport.millidegrees("") == nil && SystemReport.loadAverage("") == nil)
    }

    @Test func thisMachineReportsItsMemoryAndLoad() {
        let report = SystemReport.read()
        #expect((report.memoryTotalMB ?? 0) > 0 && (report.memoryAvailableMB ?? 0) > 0)
        #expect(report.loadAverage1m != nil && (report.residentMB ?? 0) > 0)
    }
}
