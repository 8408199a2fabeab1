internal import Metrics
internal import Prometheus
internal import Synchronization
internal import Transport
internal import Feedback

/// `GET /metrics` in the Prometheus text exposition format. Events are counted through
/// swift-metrics (with swift-prometheus's factory); the figures `/api/status`
/// shows are set as gauges, and running totals as counters, when a scrape comes.
final class MetricsExporter: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let previousTotals = Mutex<[String: Int]>([:])
    private let viewerGauges = Mutex<[String: [Prometheus.Gauge]]>([:])

    /// swift-metrics onto this registry, not bootstrapped globally: each agent (and each test) has its own.
    let factory: PrometheusMetricsFactory

    init() { factory = PrometheusMetricsFactory(registry: registry) }

    /// Every event on the bus, counted by type and state (a viewer joining, a button, a device failing).
    func count(_ event: EventBus.Event) {
        let detail = event.fields["state"] ?? event.fields["event"] ?? event.fields["muted"].map { $0 == "true" ? "muted" : "unmuted" } ?? ""
        Metrics.Counter(label: "pinhole_events_total", dimensions: [("type", event.type), ("detail", detail)], factory: factory).increment()
    }

    /// The exposition text for `report`.
    func scrape(_ report: StatusReport) -> String {
        gauge("pinhole_streaming", "1 while streaming", report.streaming ? 1 : 0)
        gauge("pinhole_uptime_seconds", "Seconds since start", report.uptimeSeconds)
        gauge("pinhole_viewers", "Viewers with a session", Double(report.viewerCount))
        if let video = report.video {
            gauge("pinhole_video_target_bitrate_kbps", "Encoder target bitrate", Double(video.bitrateKbps))
            gauge("pinhole_video_fps", "Frames encoded over the last second", video.measuredFPS)
            gauge("pinhole_video_encode_milliseconds", "Last frame's encode time", video.lastEncodeMilliseconds)
            gauge("pinhole_video_capture_to_send_milliseconds", "Capture to packets sent, last frame", video.captureToSendMilliseconds)
            total("pinhole_video_frames_encoded_total", "Video frames encoded", video.framesEncoded)
            total("pinhole_video_keyframes_total", "Keyframes encoded", video.keyframes)
            total("pinhole_video_frames_dropped_total", "Frames the camera dropped", video.framesDropped)
            total("pinhole_video_errors_total", "Capture or encode failures", video.errors)
        }
        if let audio = report.audio {
            gauge("pinhole_audio_level_dbfs", "Level of the audio sent", audio.levelDBFS ?? -120)
            gauge("pinhole_audio_muted", "1 while the microphone is muted", audio.muted ? 1 : 0)
            total("pinhole_audio_overruns_total", "Capture overruns (xruns)", audio.overruns)
        }
        if let system = report.system {
            if let load = system.loadAverage1m { gauge("pinhole_system_load1", "One-minute load average", load) }
            if let available = system.memoryAvailableMB { gauge("pinhole_system_memory_available_megabytes", "Memory available", Double(available)) }
            if let resident = system.residentMB { gauge("pinhole_resident_memory_megabytes", "The agent's resident memory", resident) }
            if let celsius = system.temperatureCelsius { gauge("pinhole_system_temperature_celsius", "SoC temperature", celsius) }
        }
        if let publish = report.publish {
            gauge("pinhole_publish_up", "1 while the stream is published to the WHIP server", publish.state == "publishing" ? 1 : 0)
            total("pinhole_publish_attempts_total", "POSTs to the WHIP server", publish.attempts)
        }
        viewers(report.viewers)
        return registry.emitToString()
    }

    /// The full name as given (units are part of it), with its HELP text.
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private func gauge(_ name: String, _ help: String, _ value: Double) {
        registry.makeGauge(descriptor: Self.descriptor(name, help)).set(to: value)
    }

    /// A status total as a counter: increased by what it grew since the last scrape.
    private func total(_ name: String, _ help: String, _ value: Int) {
        let grown = previousTotals.withLock { totals in
            defer { totals[name] = value }
            return value - min(value, totals[name] ?? 0)
        }
        registry.makeCounter(descriptor: Self.descriptor(name, help)).increment(by: Int64(grown))
    }

    /// Per-viewer gauges, labelled by session id; a viewer's series go when it does.
    private func viewers(_ viewers: [ViewerStatus]) {
        var current: [String: [Prometheus.Gauge]] = [:]
        for viewer in viewers {
            let labels = [("viewer", viewer.id)]
            var series: [(name: String, help: String, value: Double)] = [
                ("pinhole_viewer_bitrate_kbps", help: "Media sent to the viewer", value: Double(viewer.bitrateKbps)),
                ("pinhole_viewer_estimate_kbps", "Congestion controller's estimate", Double(viewer.estimatedKbps ?? 0)),
                ("pinhole_viewer_nacks", "NACKs received", Double(viewer.nacksReceived)),
                ("pinhole_viewer_retransmitted_packets", "Packets resent", Double(viewer.packetsRetransmitted)),
            ]
            if let video = viewer.video {
                series.append(("pinhole_viewer_fraction_lost", "Video loss from receiver reports", video.fractionLost))
                series.append(("pinhole_viewer_jitter_milliseconds", "Video jitter from receiver reports", video.jitterMilliseconds))
                if let rtt = video.roundTripMilliseconds { series.append(("pinhole_viewer_rtt_milliseconds", "Round-trip time", rtt)) }
            }
            current[viewer.id] = series.map { entry in
                let gauge = registry.makeGauge(descriptor: Self.descriptor(entry.name, entry.help), labels: labels)
                gauge.set(to: entry.value)
                return gauge
            }
        }
        let gone = viewerGauges.withLock { known in
            defer { known = current }
            return known.filter { current[$0.key] == nil }.values.flatMap { $0 }
        }
        for gauge in gone { registry.unregisterGauge(gauge) }
    }
}
