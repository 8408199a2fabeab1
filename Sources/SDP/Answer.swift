/// Builds the answer of a send-only ICE-lite endpoint (JSEP RFC 9429 §5.3): every offered
/// m-section is mirrored in order with its mid; those Pinhole can serve carry VP8 or Opus at
/// the offer's own payload type, the others are rejected with port 0 (RFC 8843 §7.3.3).
public struct Answer: Sendable {
    public var sdp: String
    /// The accepted m-sections, in offer order.
    public var accepted: [NegotiatedMedia]

    /// What the answerer brings: its transport, identity and streams.
    public struct Parameters: Sendable {
        public var ice: (ufrag: String, pwd: String)
        public var fingerprint: Fingerprint
        public var candidates: [Candidate]
        public var videoSSRC: UInt32
        public var audioSSRC: UInt32
        public var sessionID: UInt64
        public var cname = "pinhole"
        public var streamID = "pinhole"
        public var capabilities = Capabilities()
        /// The SSRC retransmissions are sent with, when RTX is negotiated.
        public var videoRTXSSRC: UInt32 = 0

        public init(ice: (ufrag: String, pwd: String), fingerprint: Fingerprint, candidates: [Candidate],
                    videoSSRC: UInt32, audioSSRC: UInt32, sessionID: UInt64) {
            self.ice = ice
            self.fingerprint = fingerprint
            self.candidates = candidates
            self.videoSSRC = videoSSRC
            self.audioSSRC = audioSSRC
            self.sessionID = sessionID
        }
    }

    public init(offer: Offer, parameters p: Parameters) throws(SDPError) {
        guard let first = p.candidates.first else { preconditionFailure("an answer needs at least one candidate") }
        var body = SDPWriter()
        var sections = SDPWriter()
        accepted = []
        for m in offer.media {
            if let negotiated = try Self.negotiate(m, bundle: offer.bundle, capabilities: p.capabilities) {
                accepted.append(negotiated)
                Self.writeAccepted(negotiated, offered: m, parameters: p, into: &sections)
            } else {
                sections.line("m=\(m.kind) 0 \(m.proto) \(m.formats.first ?? "0")")
                sections.line("c=IN \(first.ipVersion) \(first.address)")
                sections.line("a=mid:\(m.mid)")
                sections.line("a=inactive")
            }
        }
        guard !accepted.isEmpty else { throw Self.nothingAccepted(offer) }
        body.line("v=0")
        body.line("o=- \(p.sessionID) 2 IN IP4 127.0.0.1")
        body.line("s=pinhole")
        body.line("t=0 0")
        body.line("a=group:BUNDLE " + accepted.map(\.mid).joined(separator: " "))
        body.line("a=ice-lite")
        body.line("a=msid-semantic: WMS \(p.streamID)")
        sdp = body.text + sections.text
    }

    /// Names the line that made every m-section unusable.
    static func nothingAccepted(_ offer: Offer) -> SDPError {
        if let m = offer.media.first(where: { $0.proto != "UDP/TLS/RTP/SAVPF" }), !offer.media.contains(where: { $0.proto == "UDP/TLS/RTP/SAVPF" }) {
            return SDPError(line: m.mLine.number, text: m.mLine.text, reason: "WebRTC media needs the UDP/TLS/RTP/SAVPF profile")
        }
        let m = offer.media.first { $0.kind == "video" || $0.kind == "audio" } ?? offer.media[0]
        return SDPError(line: m.mLine.number, text: m.mLine.text,
                        reason: "no shared codec: Pinhole sends VP8/90000 video and opus/48000/2 audio, bundled")
    }

    static func negotiate(_ m: OfferedMedia, bundle: [String], capabilities: Capabilities) throws(SDPError) -> NegotiatedMedia? {
        guard m.proto == "UDP/TLS/RTP/SAVPF", bundle.contains(m.mid) else { return nil }
        let wanted: (name: String, rate: Int, kind: NegotiatedMedia.Kind)
        switch m.kind {
        case "video": wanted = ("vp8", 90000, .video)
        case "audio": wanted = ("opus", 48000, .audio)
        default: return nil
        }
        guard let codec = m.codecs.first(where: { $0.name.lowercased() == wanted.name && $0.clockRate == wanted.rate }) else {
            return nil
        }
        guard m.rtcpMux else {
            throw SDPError(line: m.mLine.number, text: m.mLine.text, reason: "no a=rtcp-mux: Pinhole multiplexes RTP and RTCP (RFC 8858)")
        }
        let sends = m.direction == .recvonly || m.direction == .sendrecv
        let rtx = wanted.kind == .video && capabilities.retransmission
            ? m.codecs.first { $0.associatedPayloadType == codec.payloadType }?.payloadType : nil
        return NegotiatedMedia(
            mid: m.mid, kind: wanted.kind, payloadType: codec.payloadType, sends: sends,
            feedback: capabilities.feedback.filter(codec.feedback.contains),
            extensions: m.extensions.filter { capabilities.extensions.contains($0.value) },
            rtxPayloadType: rtx)
    }

    static func writeAccepted(_ n: NegotiatedMedia, offered m: OfferedMedia, parameters p: Parameters, into w: inout SDPWriter) {
        let first = p.candidates[0]
        let pt = n.payloadType
        w.line("m=\(m.kind) \(first.port) UDP/TLS/RTP/SAVPF \(pt)" + (n.rtxPayloadType.map { " \($0)" } ?? ""))
        w.line("c=IN \(first.ipVersion) \(first.address)")
        w.line("a=mid:\(n.mid)")
        w.line(n.sends ? "a=sendonly" : "a=inactive")
        w.line("a=ice-ufrag:\(p.ice.ufrag)")
        w.line("a=ice-pwd:\(p.ice.pwd)")
        w.line("a=fingerprint:\(p.fingerprint.sdpValue)")
        // Pinhole is the DTLS server: GStreamer's RSA client fails against an ECDSA-only client.
        w.line("a=setup:passive")
        w.line("a=rtcp-mux")
        if m.rtcpReducedSize { w.line("a=rtcp-rsize") }
        for (id, uri) in n.extensions.sorted(by: { $0.key < $1.key }) { w.line("a=extmap:\(id) \(uri)") }
        switch n.kind {
        case .video: w.line("a=rtpmap:\(pt) VP8/90000")
        case .audio:
            w.line("a=rtpmap:\(pt) opus/48000/2")
            w.line("a=fmtp:\(pt) minptime=10")
        }
        for fb in n.feedback { w.line("a=rtcp-fb:\(pt) \(fb)") }
        if let rtx = n.rtxPayloadType {
            w.line("a=rtpmap:\(rtx) rtx/90000")
            w.line("a=fmtp:\(rtx) apt=\(pt)")
        }
        let ssrc = n.kind == .video ? p.videoSSRC : p.audioSSRC
        let track = "\(p.streamID)-\(n.kind)"
        w.line("a=msid:\(p.streamID) \(track)")
        if n.rtxPayloadType != nil { w.line("a=ssrc-group:FID \(ssrc) \(p.videoRTXSSRC)") }
        for s in [ssrc] + (n.rtxPayloadType != nil ? [p.videoRTXSSRC] : []) {
            w.line("a=ssrc:\(s) cname:\(p.cname)")
            w.line("a=ssrc:\(s) msid:\(p.streamID) \(track)")
        }
        for (index, c) in p.candidates.enumerated() { w.line(c.attribute(foundation: index + 1)) }
        w.line("a=end-of-candidates")
    }
}

/// An accepted m-section: what the transport needs to send on it.
public struct NegotiatedMedia: Sendable, Equatable {
    public enum Kind: String, Sendable { case video, audio }
    public var mid: String
    public var kind: Kind
    public var payloadType: UInt8
    public var sends: Bool
    /// `a=rtcp-fb` values both sides use (RFC 4585 §4.2), e.g. "nack pli".
    public var feedback: [String]
    /// Header extensions both sides use: id → URI (RFC 8285).
    public var extensions: [UInt8: String]
    /// RTX payload type (RFC 4588) when retransmission was negotiated.
    public var rtxPayloadType: UInt8?

    public var pictureLossIndication: Bool { feedback.contains("nack pli") }
    public var fullIntraRequest: Bool { feedback.contains("ccm fir") }
    public var genericNACK: Bool { feedback.contains("nack") }
    public func extensionID(_ uri: String) -> UInt8? { extensions.first { $0.value == uri }?.key }
}

/// What the answerer implements, so that it never promises what it does not do.
public struct Capabilities: Sendable {
    public static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    public static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    public static let transportWideCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

    /// `rtcp-fb` values acted on, in the order written.
    public var feedback: [String]
    /// Header extension URIs written on sent packets.
    public var extensions: Set<String>
    /// Retransmission on a separate RTX stream.
    public var retransmission: Bool

    public init(feedback: [String] = ["nack pli", "ccm fir"], extensions: Set<String> = [], retransmission: Bool = false) {
        self.feedback = feedback
        self.extensions = extensions
        self.retransmission = retransmission
    }

    /// Everything this SDP layer can negotiate.
    public static let all = Capabilities(feedback: ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"],
                                         extensions: [mid, absSendTime, transportWideCC], retransmission: true)
}

/// A candidate of ours (RFC 8839 §5.1): a host address, or a server-reflexive one with the host
/// address it maps as its related address.
public struct Candidate: Sendable, Equatable {
    public var address: String
    public var port: UInt16
    public var related: Related?

    public struct Related: Sendable, Equatable {
        public var address: String
        public var port: UInt16
        public init(address: String, port: UInt16) {
            self.address = address
            self.port = port
        }
    }

    public init(address: String, port: UInt16, related: Related? = nil) {
        self.address = address
        self.port = port
        self.related = related
    }

    var ipVersion: String { address.contains(":") ? "IP6" : "IP4" }

    /// The attribute line; priority per RFC 8445 §5.1.2.1: type preference 126 (host) or 100
    /// (server-reflexive), local preference by order, component 1.
    public func attribute(foundation: Int) -> String {
        let priority = ((related == nil ? 126 : 100) << 24) | ((65536 - foundation) << 8) | 255
        let line = "a=candidate:\(foundation) 1 udp \(priority) \(address) \(port)"
        guard let related else { return line + " typ host" }
        return line + " typ srflx raddr \(related.address) rport \(related.port)"
    }
}

struct SDPWriter {
    var text = ""
    mutating func line(_ s: String) { text += s + "\r\n" }
}
