internal import Transport
internal import Media

/// One encoder serves every viewer, so its bitrate follows the slowest viewer that reports
/// feedback: the lowest estimate, at 90% to leave room for audio and retransmissions, never
/// above the configured bitrate and never below the floor (a viewer on a link worse than the
/// floor gets loss rather than starving everyone else). Viewers without feedback do not vote.
struct BitratePolicy: Sendable {
    let configuration: Configuration

    func target(estimatesKbps: [Int]) -> Int {
        guard let slowest = estimatesKbps.min() else { return configuration.bitrateKbps }
        return max(configuration.minimumBitrateKbps, min(configuration.bitrateKbps, slowest * 9 / 10))
    }

    /// Re-evaluates twice a second, so the encoder follows within about a second.
    func run(transport: MediaTransport, streamer: Streamer) async {
        guard configuration.feedback, let video = streamer.video else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            let estimates = transport.viewers.filter { $0.state == "connected" }.compactMap(\.estimatedKbps)
            let target = target(estimatesKbps: estimates)
            // Small moves are not worth an encoder reconfiguration.
            if abs(target - video.targetBitrateKbps) * 20 > video.targetBitrateKbps { video.setTargetBitrate(kbps: target) }
        }
    }
}
