internal import Transport
internal import Media
internal import Feedback

/// One encoder serves every viewer, so its bitrate follows the slowest viewer that reports
/// feedback: the lowest estimate, at 90% to leave room for retransmissions, less what the audio
/// stream takes, never above the configured bitrate and never below the floor (a viewer on a
/// link worse than the floor gets loss rather than starving everyone else). Viewers without
/// feedback do not vote. With no viewer at all the encoder waits at the rate a new viewer's
/// estimate starts from, because the keyframe a viewer joins on is encoded before any feedback
/// can arrive, and on a slow link an oversized one is lost and has to be sent again.
struct BitratePolicy: Sendable {
    let configuration: Configuration
    /// The audio stream on the wire: Opus at 32 kbit/s plus about 20 kbit/s of IP, UDP, RTP and
    /// SRTP headers at 50 packets a second. On a 150 kbit/s link that is a third of it.
    let audioKbps: Int

    func target(estimatesKbps: [Int], viewers: Int) -> Int {
        let slowest = viewers == 0 ? BandwidthEstimator.Limits().initial / 1_000 : estimatesKbps.min()
        guard let slowest else { return configuration.bitrateKbps }
        return max(configuration.minimumBitrateKbps, min(configuration.bitrateKbps, slowest * 9 / 10 - audioKbps))
    }

    /// Re-evaluates five times a second, so the encoder follows within about a second.
    func run(transport: MediaTransport, streamer: Streamer) async {
        guard configuration.feedback, let video = streamer.video else { return }
        while !Task.isCancelled {
            let viewers = transport.sessions  // a media server we publish to is one more receiver
            let estimates = viewers.compactMap(\.estimatedKbps)  // a joining viewer votes with its start rate
            let target = target(estimatesKbps: estimates, viewers: viewers.count)
            // Small moves are not worth an encoder reconfiguration.
            if abs(target - video.targetBitrateKbps) * 20 > video.targetBitrateKbps { video.setTargetBitrate(kbps: target) }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
