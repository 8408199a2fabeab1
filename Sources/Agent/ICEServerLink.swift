/// A STUN or TURN server, written in the configuration as `URL[,username=U,credential=C]` and
/// sent to WHEP clients as a `Link: <URL>; rel="ice-server"` header (RFC 9725 §4.6): viewers
/// behind NATs may need one to reach the agent. When publishing (WHIP), the agent asks the STUN
/// servers among them, and those a WHIP server names in its own Link headers, for its
/// server-reflexive address.
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

    /// Host and port of a `stun:` URI (RFC 7064 §3.1: `stun:host[:port]`, 3478 by default); nil for
    /// the others (`stuns:` runs over TLS, TURN relays are not used yet).
    var stunServer: (host: String, port: UInt16)? {
        guard url.lowercased().hasPrefix("stun:") else { return nil }
        let rest = url.dropFirst(5).split(separator: "?").first.map(String.init) ?? ""
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let port = rest[rest.index(after: close)...].dropFirst()
            return (String(rest[rest.index(after: rest.startIndex)..<close]), UInt16(port) ?? 3478)
        }
        let parts = rest.split(separator: ":")
        guard let host = parts.first, parts.count <= 2 else { return nil }
        return (String(host), parts.count == 2 ? UInt16(parts[1]) ?? 3478 : 3478)
    }

    /// A `Link` header value from a WHIP server (RFC 9725 §4.6, RFC 8288): `<URL>; rel="ice-server"`
    /// with optional username and credential; nil for any other link.
    init?(linkHeader value: String) {
        guard value.hasPrefix("<"), let close = value.firstIndex(of: ">"), value.contains("rel=\"ice-server\"") else { return nil }
        var text = String(value[value.index(after: value.startIndex)..<close])
        for parameter in value[value.index(after: close)...].split(separator: ";") {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0.trimmingCharacters().filter { $0 != "\"" }) }
            if pair.count == 2, ["username", "credential"].contains(pair[0]) { text += ",\(pair[0])=\(pair[1])" }
        }
        guard let link = try? ICEServerLink(parsing: text) else { return nil }
        self = link
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
