internal import Glibc
public import STUN

extension TransportAddress {
    /// Parses "1.2.3.4:5", "[::1]:5" or, with `defaultPort`, a bare address.
    public init(parsing text: String, defaultPort: UInt16? = nil) throws(TransportError) {
        var host = Substring(text), port = defaultPort
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = UInt16(rest.dropFirst()) }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = UInt16(text[text.index(after: colon)...])
        }
        guard let port, let ip = Self.parseIP(String(host)) else { throw .badAddress(text) }
        self.init(ip: ip, port: port)
    }

    static func parseIP(_ text: String) -> [UInt8]? {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: v6) { Array($0) } }
        return nil
    }

    public var isWildcard: Bool { ip.allSatisfy { $0 == 0 } }

    /// Canonical text form (inet_ntop), as SDP candidates carry it.
    public var canonicalIP: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = ip.withUnsafeBytes { inet_ntop(isIPv6 ? AF_INET6 : AF_INET, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The addresses of every interface that is up, in the family of `family`: host candidates
/// when the socket is bound to a wildcard address. Link-local IPv6 is left out (it needs a scope).
public func interfaceAddresses(sameFamilyAs family: TransportAddress) -> [TransportAddress] {
    var list: UnsafeMutablePointer<ifaddrs>?
    guard getifaddrs(&list) == 0, let first = list else { return [] }
    defer { freeifaddrs(list) }
    var result: [TransportAddress] = []
    for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
        guard let sa = entry.pointee.ifa_addr, entry.pointee.ifa_flags & UInt32(IFF_UP) != 0 else { continue }
        let wanted = family.isIPv6 ? AF_INET6 : AF_INET
        guard Int32(sa.pointee.sa_family) == wanted else { continue }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: wanted == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size))
        }
        var address = SocketAddress(storage: storage).transportAddress
        if address.isIPv6, address.ip[0] == 0xFE, address.ip[1] & 0xC0 == 0x80 { continue }
        address.port = family.port
        if !result.contains(address) { result.append(address) }
    }
    // Loopback last: a browser on another machine should try the LAN address first.
    return result.filter { !$0.isLoopback } + result.filter(\.isLoopback)
}

extension TransportAddress {
    public var isLoopback: Bool { isIPv6 ? ip == [UInt8](repeating: 0, count: 15) + [1] : ip.first == 127 }
}
