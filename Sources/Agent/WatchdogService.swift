internal import ServiceLifecycle
internal import Transport

/// Keeps systemd informed: a STATUS line, WATCHDOG=1 only while the media pipeline makes
/// progress (or streaming is deliberately stopped), and STOPPING=1 when shutdown begins.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let streamer: Streamer
    let transport: MediaTransport

    func run() async throws {
        try await withGracefulShutdownHandler {
            // Shutdown cancels the sleep, so it does not wait out the interval.
            try await cancelWhenGracefulShutdown { try await report() }
        } onGracefulShutdown: {
            notifier.notify("STOPPING=1")
        }
    }

    private func report() async throws {
        var lastProgress = streamer.progress
        while !Task.isCancelled {
            do { try await Task.sleep(for: notifier.watchdogInterval ?? .seconds(5)) } catch { return }
            let progress = streamer.progress
            let healthy = !streamer.isStreaming || progress != lastProgress
            lastProgress = progress
            let viewers = transport.viewers.count
            notifier.notify((healthy && notifier.watchdogInterval != nil ? "WATCHDOG=1\n" : "")
                + "STATUS=\(streamer.isStreaming ? "streaming" : "paused"), \(viewers) viewer\(viewers == 1 ? "" : "s")")
        }
    }
}
