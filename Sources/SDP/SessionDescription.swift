/// The generic structure of an SDP document (RFC 8866 §5): session-level lines, then media
/// sections each opened by an `m=` line. Interpretation for WebRTC lives in `Offer`.
public struct SessionDescription: Sendable {
    public var sessionLines: [SDPLine]
    public var media: [MediaDescription]

    /// Limits on untrusted input, checked before any interpretation.
    public struct Limits: Sendable {
        public var maxBytes = 64 * 1024
        public var maxLines = 1_000
        public var maxLineLength = 4_096
        public var maxMediaSections = 16
        public var maxCandidates = 32
        public init() {}
    }

    public static func parse(_ text: String, limits: Limits = Limits()) throws(SDPError) -> SessionDescription {
        guard text.utf8.count <= limits.maxBytes else {
            throw SDPError(line: 0, text: "", reason: "body is \(text.utf8.count) bytes, the limit is \(limits.maxBytes)")
        }
        // Split on LF bytes (a CR before it is dropped below): splitting on Characters would run
        // grapheme breaking over the whole body.
        let rawLines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Substring($0) }
        let lines = rawLines.enumerated().filter { !$0.element.isEmpty && $0.element != "\r" }
        guard lines.count <= limits.maxLines else {
            throw SDPError(line: 0, text: "", reason: "\(lines.count) lines, the limit is \(limits.maxLines)")
        }
        var description = SessionDescription(sessionLines: [], media: [])
        var candidates = 0
        for (index, raw) in lines {
            let line = try SDPLine(parsing: raw.utf8.last == UInt8(ascii: "\r") ? raw.dropLast() : raw, number: index + 1, limits: limits)
            if line.type == "a", line.value.hasPrefix("candidate:") {
                candidates += 1
                guard candidates <= limits.maxCandidates else {
                    throw SDPError(line: line.number, text: line.text, reason: "more than \(limits.maxCandidates) candidates")
                }
            }
            if index == lines.first!.offset, line.type != "v" || line.value != "0" {
                throw SDPError(line: line.number, text: line.text, reason: "an SDP body starts with v=0")
            }
            if line.type == "m" {
                guard description.media.count < limits.maxMediaSections else {
                    throw SDPError(line: line.number, text: line.text, reason: "more than \(limits.maxMediaSections) m-lines")
                }
                description.media.append(try MediaDescription(mLine: line))
            } else if description.media.isEmpty {
                description.sessionLines.append(line)
            } else {
                description.media[description.media.count - 1].lines.append(line)
            }
        }
        guard !lines.isEmpty else { throw SDPError(line: 0, text: "", reason: "empty body") }
        return description
    }

    /// The document again, one CRLF-terminated line each (RFC 8866 §5).
    public func serialize() -> String {
        let all = sessionLines + media.flatMap { [$0.mLine] + $0.lines }
        return all.map { $0.text + "\r\n" }.joined()
    }

    /// Session-level `a=` attributes named `name`.
    public func attributes(_ name: String) -> [SDPAttribute] { sessionLines.attributes(name) }
}

/// One `<type>=<value>` line with its 1-based line number, for error messages.
public struct SDPLine: Sendable {
    public var type: Character
    public var value: Substring
    public var number: Int
    public var text: String { "\(type)=\(value)" }

    init(parsing raw: Substring, number: Int, limits: SessionDescription.Limits) throws(SDPError) {
        guard raw.utf8.count <= limits.maxLineLength else {
            throw SDPError(line: number, text: String(raw.prefix(80)), reason: "line longer than \(limits.maxLineLength) bytes")
        }
        // Bytes, not Characters: the type letter and "=" are ASCII, and a control character is
        // one byte below 0x20 in UTF-8.
        let bytes = raw.utf8
        guard bytes.count >= 2, let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
              bytes[bytes.index(after: bytes.startIndex)] == UInt8(ascii: "=") else {
            throw SDPError(line: number, text: String(raw.prefix(80)), reason: "not of the form <letter>=<value>")
        }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != UInt8(ascii: "\t") }) else {
            throw SDPError(line: number, text: String(raw.prefix(80)), reason: "control character in line")
        }
        self.type = Character(Unicode.Scalar(first))
        self.value = raw[bytes.index(bytes.startIndex, offsetBy: 2)...]
        self.number = number
    }
}

/// An `a=name:value` or `a=name` attribute.
public struct SDPAttribute: Sendable {
    public var name: Substring
    public var value: Substring
    public var line: SDPLine
}

extension [SDPLine] {
    /// `a=<name>` and `a=<name>:<value>` lines (RFC 8866 §5.13), matched on UTF-8 bytes: an offer
    /// is searched this way for every codec it lists.
    func attributes(_ name: String) -> [SDPAttribute] {
        compactMap { line in
            let value = line.value
            guard line.type == "a", value.utf8.starts(with: name.utf8) else { return nil }
            let end = value.utf8.index(value.startIndex, offsetBy: name.utf8.count)
            if end == value.endIndex { return SDPAttribute(name: value[..<end], value: "", line: line) }
            guard value.utf8[end] == UInt8(ascii: ":") else { return nil }
            return SDPAttribute(name: value[..<end], value: value[value.utf8.index(after: end)...], line: line)
        }
    }
}

/// A media section: the `m=` line (RFC 8866 §5.14) and the lines under it.
public struct MediaDescription: Sendable {
    public var kind: Substring
    public var port: Int
    public var proto: Substring
    public var formats: [Substring]
    public var mLine: SDPLine
    public var lines: [SDPLine] = []

    init(mLine: SDPLine) throws(SDPError) {
        let fields = mLine.value.split(separator: " ")
        guard fields.count >= 4, let port = Int(fields[1].split(separator: "/", omittingEmptySubsequences: false)[0]), (0...65535).contains(port) else {
            throw SDPError(line: mLine.number, text: mLine.text, reason: "expected m=<media> <port> <proto> <fmt> ...")
        }
        kind = fields[0]
        self.port = port
        proto = fields[2]
        formats = Array(fields[3...])
        self.mLine = mLine
    }

    public func attributes(_ name: String) -> [SDPAttribute] { lines.attributes(name) }
    public func has(_ name: String) -> Bool { !attributes(name).isEmpty }
}

/// A rejected SDP: which line and why, so a 400 can name it.
public struct SDPError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var text: String
    public var reason: String

    public init(line: Int, text: String, reason: String) {
        self.line = line
        self.text = text
        self.reason = reason
    }

    public var description: String { line == 0 ? reason : "line \(line) (\(text)): \(reason)" }
}
