/// A WebRTC offer as JSEP (RFC 9429) and RFC 8829/8843 shape it: bundled media sections over
/// one ICE/DTLS transport, read from a parsed `SessionDescription`.
public struct Offer: Sendable {
    public var iceUfrag: String
    public var icePwd: String
    public var fingerprints: [Fingerprint]
    public var bundle: [String]
    public var media: [OfferedMedia]

    public init(parsing text: String, limits: SessionDescription.Limits = .init()) throws(SDPError) {
        try self.init(SessionDescription.parse(text, limits: limits))
    }

    public init(_ sdp: SessionDescription) throws(SDPError) {
        guard let group = sdp.attributes("group").first(where: { $0.value.hasPrefix("BUNDLE ") }) else {
            throw SDPError(line: 0, text: "", reason: "no a=group:BUNDLE (Pinhole serves every track over one transport)")
        }
        let bundle = group.value.split(separator: " ").dropFirst().map(String.init)
        let media = try sdp.media.map { m throws(SDPError) in try OfferedMedia(m, session: sdp) }
        self.bundle = bundle
        self.media = media
        // RFC 8843 §7: the first mid of the BUNDLE group carries the transport.
        let tagged = media.first { $0.mid == bundle.first } ?? media.first
        guard let tagged else { throw SDPError(line: 0, text: "", reason: "no m-line") }
        (iceUfrag, icePwd) = (tagged.iceUfrag, tagged.icePwd)
        fingerprints = tagged.fingerprints
    }
}

/// One offered m-section.
public struct OfferedMedia: Sendable {
    public var kind: String
    public var mid: String
    public var proto: String
    public var formats: [String]
    public var direction: Direction
    public var rtcpMux: Bool
    public var rtcpReducedSize: Bool
    public var codecs: [Codec]
    /// `a=extmap` (RFC 8285 §5): id → extension URI.
    public var extensions: [UInt8: String]
    public var setup: String?
    var iceUfrag: String
    var icePwd: String
    var fingerprints: [Fingerprint]
    var mLine: SDPLine

    public enum Direction: String, Sendable { case sendrecv, sendonly, recvonly, inactive }

    init(_ m: MediaDescription, session: SessionDescription) throws(SDPError) {
        func attribute(_ name: String) -> SDPAttribute? { m.attributes(name).first ?? session.attributes(name).first }
        kind = String(m.kind)
        proto = String(m.proto)
        formats = m.formats.map(String.init)
        mLine = m.mLine
        guard let midAttribute = m.attributes("mid").first, !midAttribute.value.isEmpty else {
            throw SDPError(line: m.mLine.number, text: m.mLine.text, reason: "m-section without a=mid")
        }
        mid = String(midAttribute.value)
        // A media-level direction overrides the session-level one (RFC 8866 §6.7).
        direction = Direction.allCases.first { m.has($0.rawValue) }
            ?? Direction.allCases.first { !session.attributes($0.rawValue).isEmpty } ?? .sendrecv
        rtcpMux = m.has("rtcp-mux") || m.has("rtcp-mux-only")
        rtcpReducedSize = m.has("rtcp-rsize")
        codecs = try Codec.parse(m)
        extensions = try Self.parseExtensions(m)
        setup = attribute("setup").map { String($0.value) }
        if setup == "passive" {
            let line = (m.attributes("setup").first ?? session.attributes("setup").first)!.line
            throw SDPError(line: line.number, text: line.text, reason: "the offerer must let Pinhole be the DTLS server (actpass or active)")
        }
        iceUfrag = try Self.iceValue(attribute("ice-ufrag"), name: "ice-ufrag", range: 4...256, m: m)
        icePwd = try Self.iceValue(attribute("ice-pwd"), name: "ice-pwd", range: 22...256, m: m)
        let fingerprintLines = m.attributes("fingerprint").isEmpty ? session.attributes("fingerprint") : m.attributes("fingerprint")
        fingerprints = try fingerprintLines.map { a throws(SDPError) in try Fingerprint(parsing: a) }
        guard !fingerprints.isEmpty else {
            throw SDPError(line: m.mLine.number, text: m.mLine.text, reason: "no a=fingerprint for this m-section")
        }
        // Two digests by one hash function cannot both be the peer's certificate (the agent
        // requires every fingerprint it can compute to match): refused here, not by a failed handshake.
        for (index, fingerprint) in fingerprints.enumerated()
        where fingerprints[..<index].contains(where: { $0.algorithm == fingerprint.algorithm && $0.digest != fingerprint.digest }) {
            let line = fingerprintLines[index].line
            throw SDPError(line: line.number, text: line.text, reason: "a second \(fingerprint.algorithm) fingerprint that differs from the first")
        }
    }

    /// `a=extmap:<id>[/<direction>] <uri> [<attributes>]`; ids 1–14 and 16–255 (RFC 8285 §5).
    static func parseExtensions(_ m: MediaDescription) throws(SDPError) -> [UInt8: String] {
        var map: [UInt8: String] = [:]
        for a in m.attributes("extmap") {
            let fields = a.value.split(separator: " ")
            let idText = fields.first?.split(separator: "/").first ?? ""
            guard fields.count >= 2, let id = Int(idText), (1...255).contains(id), id != 15 else {
                throw SDPError(line: a.line.number, text: a.line.text, reason: "extmap id must be 1–14 or 16–255")
            }
            guard map[UInt8(id)] == nil else { throw SDPError(line: a.line.number, text: a.line.text, reason: "extmap id \(id) used twice") }
            map[UInt8(id)] = String(fields[1])
        }
        return map
    }

    /// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4).
    static func iceValue(_ a: SDPAttribute?, name: String, range: ClosedRange<Int>, m: MediaDescription) throws(SDPError) -> String {
        guard let a else { throw SDPError(line: m.mLine.number, text: m.mLine.text, reason: "no a=\(name) for this m-section") }
        guard range.contains(a.value.count),
              a.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }) else {
            throw SDPError(line: a.line.number, text: a.line.text, reason: "\(name) must be \(range.lowerBound)–\(range.upperBound) ice-chars")
        }
        return String(a.value)
    }
}

extension OfferedMedia.Direction: CaseIterable {}

/// A payload type from `a=rtpmap` with its `a=fmtp` and `a=rtcp-fb` lines (RFC 8866 §6.6, RFC 4585 §4.2).
public struct Codec: Sendable, Equatable {
    public var payloadType: UInt8
    public var name: String
    public var clockRate: Int
    public var channels: Int
    public var fmtp: String?
    public var feedback: [String]

    /// For `rtx/<rate>` (RFC 4588 §8.6): the payload type it retransmits, from `apt=`.
    public var associatedPayloadType: UInt8? {
        guard name.lowercased() == "rtx", let fmtp else { return nil }
        return fmtp.split(separator: ";").lazy.compactMap { p -> UInt8? in
            let kv = p.split(separator: "=", maxSplits: 1)
            return kv.count == 2 && kv[0].trimmingPrefix(" ") == "apt" ? UInt8(kv[1]) : nil
        }.first
    }

    static func parse(_ m: MediaDescription) throws(SDPError) -> [Codec] {
        var codecs: [Codec] = []
        let formatParameters = byPayloadType(m.attributes("fmtp")), feedback = byPayloadType(m.attributes("rtcp-fb"))
        for a in m.attributes("rtpmap") {
            let parts = a.value.split(separator: " ", maxSplits: 1)
            let encoding = parts.count == 2 ? parts[1].split(separator: "/") : []
            guard parts.count == 2, let pt = UInt8(parts[0]), pt < 128, encoding.count >= 2,
                  let rate = Int(encoding[1]), rate > 0 else {
                throw SDPError(line: a.line.number, text: a.line.text, reason: "expected a=rtpmap:<pt> <name>/<rate>[/<channels>]")
            }
            let channels = encoding.count > 2 ? Int(encoding[2]) ?? 1 : 1
            codecs.append(Codec(payloadType: pt, name: String(encoding[0]), clockRate: rate, channels: channels,
                                fmtp: formatParameters[parts[0]]?.first, feedback: feedback[parts[0]] ?? []))
        }
        return codecs
    }

    /// `a=fmtp` and `a=rtcp-fb` values (`<pt> <rest>`) by payload type, each section read once.
    private static func byPayloadType(_ attributes: [SDPAttribute]) -> [Substring: [String]] {
        var values: [Substring: [String]] = [:]
        for a in attributes {
            let parts = a.value.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { values[parts[0], default: []].append(String(parts[1])) }
        }
        return values
    }
}

/// `a=fingerprint` (RFC 8122 §5): a hash function name and the certificate digest.
public struct Fingerprint: Sendable, Equatable {
    public var algorithm: String
    public var digest: [UInt8]

    static let digestLengths = ["sha-1": 20, "sha-224": 28, "sha-256": 32, "sha-384": 48, "sha-512": 64]

    public init(algorithm: String, digest: [UInt8]) {
        self.algorithm = algorithm
        self.digest = digest
    }

    init(parsing a: SDPAttribute) throws(SDPError) {
        let parts = a.value.split(separator: " ")
        let algorithm = parts.first.map { $0.lowercased() } ?? ""
        let pairs = parts.count == 2 ? parts[1].split(separator: ":", omittingEmptySubsequences: false) : []
        let digest = pairs.compactMap { $0.count == 2 ? UInt8($0, radix: 16) : nil }
        guard let expected = Self.digestLengths[algorithm], parts.count == 2,
              pairs.count == expected, digest.count == expected else {
            throw SDPError(line: a.line.number, text: a.line.text, reason: "expected a=fingerprint:<sha-1|sha-256|...> <hex:hex:...> of the right length")
        }
        self.init(algorithm: algorithm, digest: digest)
    }

    /// The SDP form: upper-case hex pairs joined by colons.
    public var sdpValue: String {
        "\(algorithm) " + digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined(separator: ":")
    }
}
