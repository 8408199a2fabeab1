/// Decides when keyframe requests (PLI, FIR, a viewer joining) become keyframes: requests
/// from viewers coalesce to at most one keyframe per `minimumInterval`, because every viewer
/// shares one encoder and a keyframe costs several frames' worth of bits; a viewer joining
/// is served at once (RFC 5104 §4.3.1 leaves the pacing of FIR answers to the sender).
public struct KeyframeCoalescer: Sendable {
    public let minimumInterval: UInt64
    private var pending = false
    private var urgent = false
    private var lastKeyframe: UInt64?

    public init(minimumInterval: UInt64 = 500_000_000) { self.minimumInterval = minimumInterval }

    /// A viewer lost a picture (PLI/FIR): served within `minimumInterval` of the last keyframe.
    public mutating func requestForRepair() { pending = true }

    /// A viewer joined (or streaming resumed): served on the next frame.
    public mutating func requestForJoin() {
        pending = true
        urgent = true
    }

    /// Asked once per frame: should this frame be a keyframe?
    public mutating func shouldEncodeKeyframe(now: UInt64) -> Bool {
        guard pending else { return false }
        if !urgent, let last = lastKeyframe, now - last < minimumInterval { return false }
        (pending, urgent) = (false, false)
        lastKeyframe = now
        return true
    }

    /// The encoder made a keyframe on its own (the first frame, its own interval).
    public mutating func keyframeEncoded(now: UInt64) { lastKeyframe = now }
}
