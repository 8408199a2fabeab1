extension BandwidthEstimator {
    /// gcc §5.3: the delay variation between consecutive groups feeds the trendline.
    mutating func addToGroup(sendTime: UInt64, arrival: UInt64, now: UInt64) {
        guard var current = group else {
            group = PacketGroup(firstSend: sendTime, lastSend: sendTime, lastArrival: arrival)
            return
        }
        if sendTime >= current.firstSend, sendTime - current.firstSend <= 5_000_000 {
            current.lastSend = max(current.lastSend, sendTime)
            current.lastArrival = max(current.lastArrival, arrival)
            group = current
            return
        }
        if let previous = previousGroup, current.lastSend > previous.lastSend {
            let sendDelta = Double(Int64(current.lastSend) - Int64(previous.lastSend)) / 1e6
            let arrivalDelta = Double(Int64(current.lastArrival) - Int64(previous.lastArrival)) / 1e6
            trendline.add(delayVariationMs: arrivalDelta - sendDelta, arrivalMs: Double(current.lastArrival) / 1e6)
        }
        previousGroup = current
        group = PacketGroup(firstSend: sendTime, lastSend: sendTime, lastArrival: arrival)
    }

    /// gcc §5.4–5.5: compare the trend with an adaptive threshold, then AIMD.
    mutating func updateDelayBased(now: UInt64) {
        let trend = trendline.modifiedTrend
        let elapsedMs = lastThresholdUpdate.map { Double(now - $0) / 1e6 } ?? 0
        if abs(trend) < threshold + 15 {
            let k = abs(trend) < threshold ? 0.039 : 0.0087
            threshold = min(600, max(6, threshold + k * (abs(trend) - threshold) * min(elapsedMs, 100)))
        }
        lastThresholdUpdate = now
        usage = trend > threshold ? .overusing : trend < -threshold ? .underusing : .normal

        let seconds = lastRateUpdate.map { Double(now - $0) / 1e9 } ?? 0
        lastRateUpdate = now
        switch usage {
        case .overusing:
            // Back off below what actually got through: the queue must drain.
            delayBased = min(delayBased, 0.85 * (acknowledgedRate ?? delayBased))
            rampingUp = false
        case .normal:
            // What demonstrably got through without queuing is safe at once; beyond it, 8%/s
            // (doubling per second until the first sign of congestion, where libwebrtc would
            // probe), never far ahead of what the receiver has shown it gets.
            // An application-limited sender (a still picture) does not pull the estimate down.
            let factor = growth(perSecond: rampingUp ? .ln2 : .ln108, seconds: seconds)
            let grown = max(delayBased * factor, acknowledgedRate ?? 0)
            let headroom = rampingUp ? 2.0 : 1.5
            delayBased = max(delayBased, min(grown, headroom * (acknowledgedRate ?? grown) + 10_000))
        case .underusing:
            break  // hold while the queue drains
        }
        delayBased = max(Double(limits.minimum), min(Double(limits.maximum), delayBased))
    }

    /// Feeds the loss-based controller once at least 50 packets over 300 ms, or a second, have
    /// been reported on (libwebrtc likewise waits for 20 packets and decreases at most every 300 ms).
    mutating func countLoss(lost: Int, of total: Int, now: UInt64) {
        let since = lossWindow.since ?? now
        lossWindow = (lossWindow.lost + lost, lossWindow.total + total, since)
        let elapsed = now &- since
        guard lossWindow.total > 0, (lossWindow.total >= 50 && elapsed >= 300_000_000) || elapsed >= 1_000_000_000 else { return }
        updateLossBased(fraction: Double(lossWindow.lost) / Double(lossWindow.total), now: now)
        lossWindow = (0, 0, nil)
    }

    /// gcc §6: loss above 10% cuts the rate; below 2% lets it grow, by time rather than per
    /// report (transport-wide feedback comes ten times a second, receiver reports once), at
    /// the same pace as the delay-based increase. Between the two it holds, unless the delay
    /// shows no queue at all: a router drops from a full queue, so loss without queuing is the
    /// link's own (Wi-Fi), which a lower rate would not cure; then it grows at 8% a second.
    mutating func updateLossBased(fraction: Double, now: UInt64) {
        let seconds = lastLossUpdate.map { Double(now &- $0) / 1e9 } ?? 0
        lastLossUpdate = now
        if fraction > 0.10 {
            rampingUp = false
            lossBased = max(Double(limits.minimum), lossBased * (1 - 0.5 * fraction))
        } else if fraction < 0.02 {
            lossBased = min(Double(limits.maximum), lossBased * growth(perSecond: rampingUp ? .ln2 : .ln108, seconds: seconds))
        } else if usage == .normal {
            lossBased = min(Double(limits.maximum), lossBased * growth(perSecond: .ln108, seconds: seconds))
        }
    }

    mutating func updateAcknowledgedRate() {
        guard let newest = received.map(\.arrival).max() else { return }
        // Half a second: long enough to smooth bursts, short enough to see a link drop at once.
        received.removeAll { newest - $0.arrival > 500_000_000 }
        guard let oldest = received.map(\.arrival).min(), newest > oldest + 100_000_000 else { return }
        let bytes = received.reduce(0) { $0 + $1.bytes }
        acknowledgedRate = Double(bytes * 8) / (Double(newest - oldest) / 1e9)
    }

    /// e^(seconds·lnRate): a multiplicative increase per second (gcc §5.5), by its series,
    /// because FoundationEssentials has no exp(); s is capped at one second, where 10 terms
    /// are exact to double precision for rates up to 2.
    private func growth(perSecond lnRate: Double, seconds: Double) -> Double {
        let x = min(seconds, 1.0) * lnRate
        var result = 1.0, term = 1.0
        for n in 1...10 {
            term *= x / Double(n)
            result += term
        }
        return result
    }
}

private extension Double {
    static let ln2 = 0.6931471805599453
    static let ln108 = 0.0769610411361284  // ln 1.08
}

/// libwebrtc's trendline estimator: a least-squares slope over smoothed accumulated delay.
struct TrendlineFilter: Sendable {
    static let window = 20
    private var accumulated = 0.0
    private var smoothed = 0.0
    private var samples: [(x: Double, y: Double)] = []
    private var count = 0
    private(set) var modifiedTrend = 0.0

    mutating func add(delayVariationMs: Double, arrivalMs: Double) {
        count += 1
        accumulated += delayVariationMs
        smoothed = 0.9 * smoothed + 0.1 * accumulated
        samples.append((arrivalMs, smoothed))
        if samples.count > Self.window { samples.removeFirst() }
        guard samples.count == Self.window else { return }
        let meanX = samples.reduce(0) { $0 + $1.x } / Double(samples.count)
        let meanY = samples.reduce(0) { $0 + $1.y } / Double(samples.count)
        let numerator = samples.reduce(0) { $0 + ($1.x - meanX) * ($1.y - meanY) }
        let denominator = samples.reduce(0) { $0 + ($1.x - meanX) * ($1.x - meanX) }
        let slope = denominator > 0 ? numerator / denominator : 0
        modifiedTrend = slope * Double(min(count, 60)) * 4
    }
}
