/// An `application/trickle-ice-sdpfrag` body (RFC 8840 §9), as WHEP and WHIP (RFC 9725 §4.3.1)
/// PATCH it: ICE credentials at session level, then per media section its mid and candidates.
/// A fragment with new credentials asks for an ICE restart (RFC 8839 §4.4.1.1.2).
public struct TrickleFragment: Sendable, Equatable {
    public var iceUfrag: String?
    public var icePwd: String?
    public var mids: [String] = []
    public var candidates: [String] = []
    public var endOfCandidates = false

    public static let maxBytes = 16 * 1024
    public static let maxLines = 200
    public static let maxCandidates = 32

    /// Parses a fragment; errors name the line as an offer's do.
    public init(parsing text: String) throws(SDPError) {
        guard text.utf8.count <= Self.maxBytes else { throw SDPError(line: 0, text: "", reason: "fragment over \(Self.maxBytes) bytes") }
        let lines = text.split(omittingEmptySubsequences: true) { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }
        guard lines.count <= Self.maxLines else { throw SDPError(line: Self.maxLines + 1, text: "", reason: "over \(Self.maxLines) lines") }
        for (index, raw) in lines.enumerated() {
            try read(String(raw), number: index + 1)
        }
        guard (iceUfrag == nil) == (icePwd == nil) else {
            throw SDPError(line: 0, text: "", reason: "an ICE restart needs both a=ice-ufrag and a=ice-pwd")
        }
    }

    private mutating func read(_ line: String, number: Int) throws(SDPError) {
        func fail(_ reason: String) -> SDPError { SDPError(line: number, text: String(line.prefix(80)), reason: reason) }
        guard line.count >= 2, line.utf8.dropFirst().first == UInt8(ascii: "="), !line.contains("\0") else { throw fail("not a type=value line") }
        let value = String(line.dropFirst(2))
        switch line.first {
        case "a": try attribute(value, fail: fail)
        case "m": mids.append("")  // a section; its a=mid follows
        default: throw fail("only a= and m= lines belong in a trickle fragment")
        }
    }

    private mutating func attribute(_ value: String, fail: (String) -> SDPError) throws(SDPError) {
        let (name, argument) = value.firstIndex(of: ":").map { (String(value[..<$0]), String(value[value.index(after: $0)...])) } ?? (value, "")
        switch name {
        case "ice-ufrag":
            guard (4...256).contains(argument.count), Self.isICEChar(argument) else { throw fail("ice-ufrag of 4 to 256 ice-chars") }
            iceUfrag = argument
        case "ice-pwd":
            guard (22...256).contains(argument.count), Self.isICEChar(argument) else { throw fail("ice-pwd of 22 to 256 ice-chars") }
            icePwd = argument
        case "mid":
            guard !mids.isEmpty, mids[mids.count - 1].isEmpty, !argument.isEmpty else { throw fail("a=mid outside a media section") }
            mids[mids.count - 1] = argument
        case "candidate":
            guard candidates.count < Self.maxCandidates else { throw fail("over \(Self.maxCandidates) candidates") }
            guard argument.split(separator: " ").count >= 8 else { throw fail("a candidate has at least 8 fields (RFC 8839 §5.1)") }
            candidates.append(argument)
        case "end-of-candidates": endOfCandidates = true
        case "ice-options", "ice-lite", "group": break
        default: throw fail("unexpected attribute in a trickle fragment")
        }
    }

    /// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/".
    static func isICEChar(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2B || $0 == 0x2F }
    }

    /// The agent's side of an ICE restart: new credentials and its candidates, for the first
    /// media section (BUNDLE: one transport), as RFC 9725 §4.3.2 shows.
    public static func restartAnswer(ufrag: String, pwd: String, media: String, payloadType: UInt8, mid: String,
                                     candidates: [Candidate]) -> String {
        "a=ice-lite\r\n" + restart(ufrag: ufrag, pwd: pwd, media: media, payloadType: payloadType, mid: mid, candidates: candidates)
    }

    /// An ICE restart request or answer (RFC 9725 §4.3.2, RFC 8840): credentials, then the first
    /// media section with the candidates; the publisher sends one by PATCH.
    public static func restart(ufrag: String, pwd: String, media: String, payloadType: UInt8, mid: String, candidates: [Candidate]) -> String {
        var w = SDPWriter()
        w.line("a=ice-ufrag:\(ufrag)")
        w.line("a=ice-pwd:\(pwd)")
        w.line("m=\(media) 9 UDP/TLS/RTP/SAVPF \(payloadType)")
        w.line("a=mid:\(mid)")
        for (index, c) in candidates.enumerated() { w.line(c.attribute(foundation: index + 1)) }
        w.line("a=end-of-candidates")
        return w.text
    }
}
