internal import Glibc
internal import STUN

/// The one UDP socket all WebRTC media shares (IPv4 or IPv6 by the bound address).
final class UDPSocket: Sendable {
    let fd: Int32
    let localAddress: TransportAddress

    init(binding address: TransportAddress) throws(TransportError) {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", errno: errno) }
        var big: Int32 = 1 << 20
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, socklen_t(MemoryLayout<Int32>.size))
        var storage = SocketAddress(address)
        guard storage.withSockaddr({ bind(fd, $0, $1) }) == 0 else {
            let error = errno
            close(fd)
            throw .system(call: "bind \(address)", errno: error)
        }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) } }
        self.fd = fd
        localAddress = SocketAddress(storage: bound).transportAddress
    }

    deinit { close(fd) }

    /// Receives one datagram into `buffer`; nil when none is waiting or it was truncated.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> (length: Int, from: TransportAddress)? {
        var from = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let n = withUnsafeMutablePointer(to: &from) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                recvfrom(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC), $0, &length)
            }
        }
        guard n > 0, n <= buffer.count else { return nil }
        return (n, SocketAddress(storage: from).transportAddress)
    }

    /// Sends one datagram; a full socket buffer drops it (UDP media is not queued behind).
    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer, to address: TransportAddress) -> Bool {
        var target = SocketAddress(address)
        return target.withSockaddr { sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, $1) } == bytes.count
    }

    func send(_ bytes: [UInt8], to address: TransportAddress) {
        bytes.withUnsafeBytes { _ = send($0, to: address) }
    }
}

/// sockaddr_in / sockaddr_in6 conversions.
struct SocketAddress {
    var storage = sockaddr_storage()

    init(storage: sockaddr_storage) { self.storage = storage }

    init(_ address: TransportAddress) {
        withUnsafeMutableBytes(of: &storage) { raw in
            if address.isIPv6 {
                var sin6 = sockaddr_in6()
                sin6.sin6_family = sa_family_t(AF_INET6)
                sin6.sin6_port = address.port.bigEndian
                withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: address.ip) }
                raw.storeBytes(of: sin6, as: sockaddr_in6.self)
            } else {
                var sin = sockaddr_in()
                sin.sin_family = sa_family_t(AF_INET)
                sin.sin_port = address.port.bigEndian
                withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: address.ip) }
                raw.storeBytes(of: sin, as: sockaddr_in.self)
            }
        }
    }

    var transportAddress: TransportAddress {
        withUnsafeBytes(of: storage) { raw in
            if Int32(storage.ss_family) == AF_INET6 {
                let sin6 = raw.load(as: sockaddr_in6.self)
                return TransportAddress(ip: withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }, port: UInt16(bigEndian: sin6.sin6_port))
            }
            let sin = raw.load(as: sockaddr_in.self)
            return TransportAddress(ip: withUnsafeBytes(of: sin.sin_addr) { Array($0) }, port: UInt16(bigEndian: sin.sin_port))
        }
    }

    mutating func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        let length = socklen_t(Int32(storage.ss_family) == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }
}

public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    case system(call: String, errno: Int32)
    case badAddress(String)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .badAddress(let text): "not an IP address and port: \(text)"
        }
    }
}
