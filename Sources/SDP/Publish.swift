/// The offer Pinhole sends when it publishes to a media server by WHIP (RFC 9725 §4.2): one
/// bundled transport (RFC 8843), send-only VP8 and Opus with the feedback the agent acts on,
/// every candidate gathered (no trickle needed), and `a=setup:active`: in this direction the
/// agent is the DTLS client (RFC 8842 §5.2), whatever certificate type the server has.
public struct PublishOffer: Sendable {
    public var ice: (ufrag: String, pwd: String)
    public var fingerprint: Fingerprint
    /// Host candidates first, then server-reflexive ones.
    public var candidates: [Candidate]
    public var videoSSRC: UInt32
    public var audioSSRC: UInt32
    public var sessionID: UInt64
    public var cname = "pinhole"
    public var streamID = "pinhole"

    public static let videoPayloadType: UInt8 = 96
    public static let audioPayloadType: UInt8 = 111
    /// Header extension ids offered (RFC 8285): the mid, and transport-wide sequence numbers.
    public static let extensions: [(id: UInt8, uri: String)] = [(1, Capabilities.mid), (3, Capabilities.transportWideCC)]

    public init(ice: (ufrag: String, pwd: String), fingerprint: Fingerprint, candidates: [Candidate],
                videoSSRC: UInt32, audioSSRC: UInt32, sessionID: UInt64) {
        self.ice = ice
        self.fingerprint = fingerprint
        self.candidates = candidates
        self.videoSSRC = videoSSRC
        self.audioSSRC = audioSSRC
        self.sessionID = sessionID
    }

    public var sdp: String {
        var w = SDPWriter()
        w.line("v=0")
        w.line("o=- \(sessionID) 2 IN IP4 127.0.0.1")
        w.line("s=pinhole")
        w.line("t=0 0")
        w.line("a=group:BUNDLE 0 1")
        w.line("a=msid-semantic: WMS \(streamID)")
        writeMedia(mid: "0", kind: "video", payloadType: Self.videoPayloadType, ssrc: videoSSRC, into: &w)
        writeMedia(mid: "1", kind: "audio", payloadType: Self.audioPayloadType, ssrc: audioSSRC, into: &w)
        return w.text
    }

    private func writeMedia(mid: String, kind: String, payloadType pt: UInt8, ssrc: UInt32, into w: inout SDPWriter) {
        w.line("m=\(kind) 9 UDP/TLS/RTP/SAVPF \(pt)")
        w.line("c=IN IP4 0.0.0.0")
        w.line("a=mid:\(mid)")
        w.line("a=sendonly")
        w.line("a=ice-ufrag:\(ice.ufrag)")
        w.line("a=ice-pwd:\(ice.pwd)")
        w.line("a=fingerprint:\(fingerprint.sdpValue)")
        w.line("a=setup:active")
        w.line("a=rtcp-mux")
        w.line("a=rtcp-rsize")
        for (id, uri) in Self.extensions { w.line("a=extmap:\(id) \(uri)") }
        if kind == "video" {
            w.line("a=rtpmap:\(pt) VP8/90000")
            for fb in ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"] { w.line("a=rtcp-fb:\(pt) \(fb)") }
        } else {
            w.line("a=rtpmap:\(pt) opus/48000/2")
            w.line("a=fmtp:\(pt) minptime=10;useinbandfec=1")
            w.line("a=rtcp-fb:\(pt) transport-cc")
        }
        w.line("a=msid:\(streamID) \(streamID)-\(kind)")
        w.line("a=ssrc:\(ssrc) cname:\(cname)")
        w.line("a=ssrc:\(ssrc) msid:\(streamID) \(streamID)-\(kind)")
        for (index, c) in candidates.enumerated() { w.line(c.attribute(foundation: index + 1)) }
        w.line("a=end-of-candidates")
    }
}

/// The media server's answer to a `PublishOffer`: its ICE credentials and candidates, its
/// certificate fingerprints, and what it accepted of each m-section.
public struct PublishAnswer: Sendable {
    public var iceUfrag: String
    public var icePwd: String
    /// `a=ice-lite` (RFC 8445 §2.5): the server sends no checks; Pinhole controls either way.
    public var iceLite: Bool
    public var fingerprints: [Fingerprint]
    /// The answer said `a=setup:active` to Pinhole's active offer, against RFC 8842 §5.2. pion 3.1
    /// does so, yet acts as the DTLS server the offer asked for: Pinhole stays the client.
    public var answeredActive: Bool
    public var candidates: [RemoteCandidate]
    /// Accepted m-sections (port not 0, receiving, a codec of ours), in offer order.
    public var accepted: [NegotiatedMedia]

    public init(parsing text: String) throws(SDPError) {
        let sdp = try SessionDescription.parse(text)
        guard let first = sdp.media.first else { throw SDPError(line: 0, text: "", reason: "no m-line") }
        func attribute(_ name: String) -> SDPAttribute? { first.attributes(name).first ?? sdp.attributes(name).first }
        iceUfrag = try OfferedMedia.iceValue(attribute("ice-ufrag"), name: "ice-ufrag", range: 4...256, m: first)
        icePwd = try OfferedMedia.iceValue(attribute("ice-pwd"), name: "ice-pwd", range: 22...256, m: first)
        iceLite = !sdp.attributes("ice-lite").isEmpty
        let fingerprintLines = first.attributes("fingerprint").isEmpty ? sdp.attributes("fingerprint") : first.attributes("fingerprint")
        fingerprints = try fingerprintLines.map { a throws(SDPError) in try Fingerprint(parsing: a) }
        guard !fingerprints.isEmpty else { throw SDPError(line: first.mLine.number, text: first.mLine.text, reason: "no a=fingerprint") }
        switch attribute("setup")?.value {
        case nil, "passive", "actpass": answeredActive = false
        case "active": answeredActive = true
        case let other?:
            let line = attribute("setup")!.line
            throw SDPError(line: line.number, text: line.text, reason: "a=setup:\(other): expected passive (or active)")
        }
        candidates = first.attributes("candidate").compactMap { RemoteCandidate(attributeValue: $0.value) }
        var accepted: [NegotiatedMedia] = []
        for (index, m) in sdp.media.enumerated() { if let media = try Self.accepted(m, index: index) { accepted.append(media) } }
        self.accepted = accepted
        guard !accepted.isEmpty else { throw SDPError(line: first.mLine.number, text: first.mLine.text, reason: "the server accepted no media") }
    }

    /// What the server accepted of an m-section; nil for a rejected one (port 0, inactive, no codec of ours).
    static func accepted(_ m: MediaDescription, index: Int) throws(SDPError) -> NegotiatedMedia? {
        let kind: NegotiatedMedia.Kind, wanted: String
        switch m.kind {
        case "video": (kind, wanted) = (.video, "vp8")
        case "audio": (kind, wanted) = (.audio, "opus")
        default: return nil
        }
        guard m.port != 0, !m.has("inactive"), !m.has("sendonly"),
              let codec = try Codec.parse(m).first(where: { $0.name.lowercased() == wanted }) else { return nil }
        let mid = m.attributes("mid").first.map { String($0.value) } ?? "\(index)"
        let extensions = try OfferedMedia.parseExtensions(m)
        return NegotiatedMedia(mid: mid, kind: kind, payloadType: codec.payloadType, sends: true, feedback: codec.feedback,
                               extensions: extensions.filter { Capabilities.all.extensions.contains($0.value) }, rtxPayloadType: nil)
    }
}

/// A candidate from the server's answer (RFC 8839 §5.1): UDP, component 1, a literal address.
/// Others (TCP, RTCP components, mDNS names Pinhole cannot resolve) are left out.
public struct RemoteCandidate: Sendable, Equatable {
    public var address: String
    public var port: UInt16
    public var priority: UInt32
    public var type: String

    public init?(attributeValue value: Substring) {
        let f = value.split(separator: " ")
        guard f.count >= 8, f[1] == "1", f[2].lowercased() == "udp", let priority = UInt32(f[3]), let port = UInt16(f[5]),
              f[6] == "typ", !f[4].hasSuffix(".local"), f[4].allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else { return nil }
        address = String(f[4])
        self.port = port
        self.priority = priority
        type = String(f[7])
    }
}
