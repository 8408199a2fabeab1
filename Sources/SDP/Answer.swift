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
            if let negotiated = try Self.negotiate(m, bundle: offer.bundle) {
                accepted.append(negotiated)
                Self.writeAccepted(negotiated, offered: m, parameters: p, into: &sections)
            } else {
                sections.line("m=\(m.kind) 0 \(m.proto) \(m.formats.first ?? "0")")
                sections.line("c=IN \(first.ipVersion) \(first.address)")
                sections.line("a=mid:\(m.mid)")
                sections.line("a=inactive")
            }
        }
        guard !accepted.isEmpty else {
            throw SDPError(line: 0, text: "", reason: "no m-section offers VP8/90000 or opus/48000/2 over UDP/TLS/RTP/SAVPF with rtcp-mux")
        }
        body.line("v=0")
        body.line("o=- \(p.sessionID) 2 IN IP4 127.0.0.1")
        body.line("s=pinhole")
        body.line("t=0 0")
        body.line("a=group:BUNDLE " + accepted.map(\.mid).joined(separator: " "))
        body.line("a=ice-lite")
        body.line("a=msid-semantic: WMS \(p.streamID)")
        sdp = body.text + sections.text
    }

    static func negotiate(_ m: OfferedMedia, bundle: [String]) throws(SDPError) -> NegotiatedMedia? {
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
        return NegotiatedMedia(mid: m.mid, kind: wanted.kind, payloadType: codec.payloadType, sends: sends,
                               pictureLossIndication: codec.feedback.contains("nack pli"),
                               fullIntraRequest: codec.feedback.contains("ccm fir"))
    }

    static func writeAccepted(_ n: NegotiatedMedia, offered m: OfferedMedia, parameters p: Parameters, into w: inout SDPWriter) {
        let first = p.candidates[0]
        let pt = n.payloadType
        w.line("m=\(m.kind) \(first.port) UDP/TLS/RTP/SAVPF \(pt)")
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
        switch n.kind {
        case .video:
            w.line("a=rtpmap:\(pt) VP8/90000")
            if n.pictureLossIndication { w.line("a=rtcp-fb:\(pt) nack pli") }
            if n.fullIntraRequest { w.line("a=rtcp-fb:\(pt) ccm fir") }
        case .audio:
            w.line("a=rtpmap:\(pt) opus/48000/2")
            w.line("a=fmtp:\(pt) minptime=10")
        }
        let ssrc = n.kind == .video ? p.videoSSRC : p.audioSSRC
        let track = "\(p.streamID)-\(n.kind)"
        w.line("a=msid:\(p.streamID) \(track)")
        w.line("a=ssrc:\(ssrc) cname:\(p.cname)")
        w.line("a=ssrc:\(ssrc) msid:\(p.streamID) \(track)")
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
    public var pictureLossIndication: Bool
    public var fullIntraRequest: Bool
}

/// A host candidate (RFC 8839 §5.1).
public struct Candidate: Sendable, Equatable {
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16) {
        self.address = address
        self.port = port
    }

    var ipVersion: String { address.contains(":") ? "IP6" : "IP4" }

    /// Host priority per RFC 8445 §5.1.2.1: type preference 126, local preference by order, component 1.
    func attribute(foundation: Int) -> String {
        let priority = (126 << 24) | ((65536 - foundation) << 8) | 255
        return "a=candidate:\(foundation) 1 udp \(priority) \(address) \(port) typ host"
    }
}

struct SDPWriter {
    var text = ""
    mutating func line(_ s: String) { text += s + "\r\n" }
}
