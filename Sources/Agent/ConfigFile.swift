internal import Glibc

/// The configuration file: the TOML subset Pinhole needs (TOML 1.0 §Keys, §String, §Integer,
/// §Boolean, §Array, §Table): `key = value` lines, `#` comments, basic strings, integers, booleans,
/// arrays of strings and `[table]` headers (whose keys read as `table.key`). Every key is one
/// command-line option; unknown keys and bad values are refused with their line number.
public enum ConfigFile {
    public enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        case strings([String])
    }

    public struct Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Parses `text` into key → (value, line).
    public static func parse(_ text: String) throws(Error) -> [String: (value: Value, line: Int)] {
        var result: [String: (value: Value, line: Int)] = [:]
        var table = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = stripComment(raw).trimmingCharacters()
            if line.isEmpty { continue }
            if line.hasPrefix("["), line.hasSuffix("]"), !line.contains("=") {
                let name = line.dropFirst().dropLast().trimmingCharacters()
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                    throw Error(line: number, reason: "bad table name '\(name)'")
                }
                table = "\(name)."
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw Error(line: number, reason: "expected key = value") }
            let bare = String(line[..<equals].trimmingCharacters())
            let key = table + bare
            guard !bare.isEmpty, bare.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw Error(line: number, reason: "bad key '\(key)'")
            }
            guard result[key] == nil else { throw Error(line: number, reason: "'\(key)' is set twice") }
            result[key] = (try value(line[line.index(after: equals)...].trimmingCharacters(), line: number), number)
        }
        return result
    }

    static func value(_ text: Substring, line: Int) throws(Error) -> Value {
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if let number = Int(text.filter { $0 != "_" }), !text.hasPrefix("_") { return .integer(number) }
        if text.hasPrefix("\"") { return .string(try string(text, line: line)) }
        if text.hasPrefix("["), text.hasSuffix("]") {
            let inner = text.dropFirst().dropLast().trimmingCharacters()
            if inner.isEmpty { return .strings([]) }
            var items: [String] = []
            for item in splitItems(inner) where !item.trimmingCharacters().isEmpty {
                items.append(try string(item.trimmingCharacters(), line: line))
            }
            return .strings(items)
        }
        throw Error(line: line, reason: "expected a \"string\", a number, true/false or [\"a\", \"b\"]")
    }

    /// An array's items: split at commas outside strings (a TURN URL's options have commas).
    static func splitItems(_ text: Substring) -> [Substring] {
        var items: [Substring] = [], start = text.startIndex, inString = false, escaped = false
        for index in text.indices {
            if escaped {
                escaped = false
                continue
            }
            switch text[index] {
            case "\\": escaped = inString
            case "\"": inString.toggle()
            case "," where !inString:
                items.append(text[start..<index])
                start = text.index(after: index)
            default: break
            }
        }
        items.append(text[start...])
        return items
    }

    /// A basic string without escapes other than \" and \\.
    static func string(_ text: Substring, line: Int) throws(Error) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else {
            throw Error(line: line, reason: "unterminated string \(text)")
        }
        var out = "", escaped = false
        for c in text.dropFirst().dropLast() {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" {
                throw Error(line: line, reason: "stray quote in \(text)")
            } else { out.append(c) }
        }
        return out
    }

    /// Drops a `#` comment that is not inside a string.
    static func stripComment(_ line: Substring) -> Substring {
        var inString = false, previous: Character = " "
        for index in line.indices {
            let c = line[index]
            if c == "\"", previous != "\\" { inString.toggle() }
            if c == "#", !inString { return line[..<index] }
            previous = c
        }
        return line
    }
}

extension Substring {
    func trimmingCharacters() -> Substring {
        var s = self
        while let first = s.first, first.isWhitespace { s = s.dropFirst() }
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return s
    }
}

extension Configuration {
    /// Applies a parsed file: each key is the option of the same name (dashes or underscores).
    public mutating func apply(_ entries: [String: (value: ConfigFile.Value, line: Int)]) throws(ConfigFile.Error) {
        for (rawKey, entry) in entries.sorted(by: { $0.value.line < $1.value.line }) {
            let key = rawKey.replacingDashes()
            func string() throws(ConfigFile.Error) -> String {
                guard case .string(let s) = entry.value else { throw .init(line: entry.line, reason: "\(rawKey) takes a string") }
                return s
            }
            func integer() throws(ConfigFile.Error) -> Int {
                guard case .integer(let n) = entry.value else { throw .init(line: entry.line, reason: "\(rawKey) takes a number") }
                return n
            }
            switch key {
            case "http": http = try string()
            case "udp": udp = try string()
            case "advertise":
                guard case .strings(let list) = entry.value else { throw .init(line: entry.line, reason: "advertise takes [\"IP\", ...]") }
                advertise = list
            case "ice_servers":
                guard case .strings(let list) = entry.value else { throw .init(line: entry.line, reason: "ice_servers takes [\"stun:HOST\", ...]") }
                iceServers = list
            case "video": video = try string()
            case "audio": audio = try string()
            case "pixel_format": pixelFormat = try string()
            case "size":
                guard let size = Configuration.size(parsing: try string()) else { throw .init(line: entry.line, reason: "size takes \"WxH\"") }
                (width, height) = size
            case "fps": fps = try integer()
            case "bitrate": bitrateKbps = try integer()
            case "min_bitrate": minimumBitrateKbps = try integer()
            case "max_viewers": maxViewers = try integer()
            case "max_connections": maxConnections = try integer()
            case "whip.url": whipURL = try string()
            case "whip.token": whipToken = try string()
            case "feedback":
                guard case .boolean(let on) = entry.value else { throw .init(line: entry.line, reason: "feedback takes true or false") }
                feedback = on
            case "log_level": logLevel = try string()
            case "token": token = try string()
            case "public_status":
                guard case .boolean(let on) = entry.value else { throw .init(line: entry.line, reason: "public_status takes true or false") }
                publicStatus = on
            case "button": button = try string()
            case "mute_button": muteButton = try string()
            case "led": led = try string()
            case "viewer_led": viewerLED = try string()
            case "long_press": longPress = try string()
            case "long_press_ms": longPressMilliseconds = try integer()
            case "setup_timeout": setupTimeoutSeconds = try integer()
            case "consent_timeout": consentTimeoutSeconds = try integer()
            case "http_timeout": httpTimeoutSeconds = try integer()
            default: throw .init(line: entry.line, reason: "unknown key '\(rawKey)'")
            }
        }
    }

    /// The effective configuration in the file's own format, for `--check-config`.
    public var fileText: String {
        let quoted = advertise.map { "\"\($0)\"" }.joined(separator: ", ")
        // Credentials are secrets like the token: shown as set, not printed.
        let servers = iceServers.map { "\"\((try? ICEServerLink(parsing: $0))?.redacted ?? $0)\"" }.joined(separator: ", ")
        return """
        http = "\(http)"
        udp = "\(udp)"
        advertise = [\(quoted)]
        ice_servers = [\(servers)]
        video = "\(video)"
        audio = "\(audio)"
        pixel_format = "\(pixelFormat)"
        size = "\(width)x\(height)"
        fps = \(fps)
        bitrate = \(bitrateKbps)
        min_bitrate = \(minimumBitrateKbps)
        max_viewers = \(maxViewers)
        max_connections = \(maxConnections)
        feedback = \(feedback)
        log_level = "\(logLevel)"
        \(token.isEmpty ? "token = \"\"" : "# token is set (not shown)")
        public_status = \(publicStatus)
        button = "\(button)"
        mute_button = "\(muteButton)"
        led = "\(led)"
        viewer_led = "\(viewerLED)"
        long_press = "\(longPress)"
        long_press_ms = \(longPressMilliseconds)
        setup_timeout = \(setupTimeoutSeconds)
        consent_timeout = \(consentTimeoutSeconds)
        http_timeout = \(httpTimeoutSeconds)

        [whip]
        url = "\(whipURL)"
        \(whipToken.isEmpty ? "token = \"\"" : "# token is set (not shown)")

        """
    }
}

extension String {
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}

extension ConfigFile {
    public static let defaultPath = "/etc/pinhole/pinhole.toml"

    /// The file's text, or nil when it does not exist.
    public static func read(path: String) throws(ConfigurationError) -> String? {
        guard let file = fopen(path, "r") else {
            if errno == ENOENT { return nil }
            throw .invalid(option: "--config", detail: "\(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 { break }
            bytes += chunk[0..<n]
            guard bytes.count <= 1 << 20 else { throw .invalid(option: "--config", detail: "\(path) is larger than 1 MiB") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The configuration from `path` (or the default file when it exists) over the defaults.
    public static func configuration(path: String?) throws(ConfigurationError) -> Configuration {
        var configuration = Configuration()
        let file = path ?? defaultPath
        guard let text = try read(path: file) else {
            if path != nil { throw .invalid(option: "--config", detail: "\(file) does not exist") }
            return configuration
        }
        do {
            try configuration.apply(try parse(text))
        } catch {
            throw .invalid(option: "--config", detail: "\(file) \(error.description)")
        }
        return configuration
    }
}
