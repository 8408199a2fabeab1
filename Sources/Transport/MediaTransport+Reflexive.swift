internal import Glibc
internal import Media
public import STUN
internal import Synchronization

/// Server-reflexive addresses (RFC 8445 §5.1.1.2): a Binding request to a STUN server from the
/// media socket; the server answers with the address it saw (XOR-MAPPED-ADDRESS, RFC 8489 §14.2),
/// which is where a NAT maps the socket. No credentials: the 96-bit random transaction ID and the
/// server's address are what a response must match (RFC 8489 §6.3).
extension MediaTransport {
    /// The address `server` sees this socket at, or nil when it does not answer within about 2 s
    /// (requests at 0, 0.5 and 1.5 s: RFC 8489 §6.2.1's doubling from 500 ms).
    public func reflexiveAddress(from server: TransportAddress) async -> TransportAddress? {
        let transaction = STUNMessage.randomTransactionID()
        let request = STUNMessageBuilder(class: .request, method: .binding, transactionID: transaction).finish(integrityKey: nil)
        return await withCheckedContinuation { continuation in
            queries.withLock { $0[transaction] = (server, continuation) }
            Task {
                for wait in [0, 500, 1_000] {
                    try? await Task.sleep(for: .milliseconds(wait))
                    guard queries.withLock({ $0[transaction] != nil }) else { return }
                    post(.send(request, to: server))
                }
                try? await Task.sleep(for: .milliseconds(700))
                _ = answer(transaction: transaction, from: server, with: nil)
            }
        }
    }

    /// Hands a STUN server's answer to whoever asked; false when nobody asked this of that server.
    func answer(transaction: [UInt8], from source: TransportAddress, with address: TransportAddress?) -> Bool {
        let waiting = queries.withLock { queries -> CheckedContinuation<TransportAddress?, Never>? in
            guard let query = queries[transaction], query.server == source else { return nil }
            return queries.removeValue(forKey: transaction)?.continuation
        }
        waiting?.resume(returning: address)
        return waiting != nil
    }

    /// The addresses of `host` (a name or a literal) in this socket's family, by the system's
    /// resolver (getaddrinfo, on a thread of its own: it blocks).
    public func resolve(host: String, port: UInt16) async -> [TransportAddress] {
        let family = localAddress.isIPv6 ? AF_INET6 : AF_INET
        return await withCheckedContinuation { continuation in
            MediaThread.start {
                var hints = addrinfo()
                hints.ai_family = family
                hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return continuation.resume(returning: []) }
                defer { freeaddrinfo(list) }
                var result: [TransportAddress] = []
                for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
                    var storage = sockaddr_storage()
                    withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: entry.pointee.ai_addr, count: Int(entry.pointee.ai_addrlen))) }
                    let address = SocketAddress(storage: storage).transportAddress
                    if !result.contains(address) { result.append(address) }
                }
                continuation.resume(returning: result)
            }
        }
    }
}
