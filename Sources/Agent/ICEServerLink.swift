/// A STUN or TURN server the agent tells WHEP clients about, written in the configuration as
/// `URL[,username=U,credential=C]` and sent as a `Link: <URL>; rel="ice-server"` header
/// (RFC 9725 §4.6). The agent is ICE-lite and uses none itself: they are for viewers behind
/// NATs that need a relay to reach it.
struct ICEServerLink: Sendable, Equatable {
    var url: String
    var username: String?
    var credential: String?

    enum ParseError: Error, CustomStringConvertible {
        case invalid(String)
        var description: String { switch self { case .invalid(let reason): reason } }
    }

    /// The URI schemes of RFC 7064 (STUN) and RFC 7065 (TURN).
    static let schemes = ["stun:", "stuns:", "turn:", "turns:"]

    init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        url = parts[0]
        guard let scheme = Self.schemes.first(where: { url.lowercased().hasPrefix($0) }), url.count > scheme.count else {
            throw .invalid("\(url): a stun:, stuns:, turn: or turns: URI")
        }
        guard url.allSatisfy({ $0.isASCII && !$0.isWhitespace && !"<>\"".contains($0) }) else {
            throw .invalid("\(url): no spaces, quotes or angle brackets")
        }
        for option in parts.dropFirst() {
            let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, Self.isQuotable(pair[1]) else { throw .invalid("\(option): username=U or credential=C, printable, no quotes") }
            switch pair[0] {
            case "username": username = pair[1]
            case "credential": credential = pair[1]
            default: throw .invalid("\(option): username=U or credential=C")
            }
        }
        if scheme.hasPrefix("turn"), username == nil || credential == nil {
            throw .invalid("\(url): a TURN server needs username= and credential=")
        }
    }

    /// The header value, a quoted-string for each parameter (RFC 8288 §3).
    var headerValue: String {
        var value = "<\(url)>; rel=\"ice-server\""
        if let username { value += "; username=\"\(username)\"" }
        if let credential { value += "; credential=\"\(credential)\"; credential-type=\"password\"" }
        return value
    }

    /// As configured, with the credential hidden (for `--check-config`).
    var redacted: String {
        url + (username.map { ",username=\($0)" } ?? "") + (credential == nil ? "" : ",credential=(hidden)")
    }

    static func isQuotable(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && !$0.isWhitespace && $0 != "\"" && $0 != "\\" }
    }
}
