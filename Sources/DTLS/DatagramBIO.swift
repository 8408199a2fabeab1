internal import COpenSSL
internal import CPinholeShims

/// A BIO that keeps datagram boundaries: each write is one outgoing datagram, each read
/// returns exactly the one datagram handed in. OpenSSL's memory BIO merges records, which
/// breaks DTLS flights over UDP.
final class DatagramQueue {
    var incoming: [UInt8]?
    var outgoing: [[UInt8]] = []
}

enum DatagramBIO {
    /// The method table, made once; BIO_METHODs live for the whole process.
    nonisolated(unsafe) static let method: OpaquePointer = {
        let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pinhole-datagram")!
        BIO_meth_set_write(method, write)
        BIO_meth_set_read(method, read)
        BIO_meth_set_ctrl(method, ctrl)
        BIO_meth_set_create(method, { bio in BIO_set_init(bio, 1); return 1 })
        return method
    }()

    static func make(queue: DatagramQueue) -> OpaquePointer {
        let bio = BIO_new(method)!
        BIO_set_data(bio, Unmanaged.passUnretained(queue).toOpaque())
        return bio
    }

    private static func queue(_ bio: OpaquePointer?) -> DatagramQueue {
        Unmanaged<DatagramQueue>.fromOpaque(BIO_get_data(bio)!).takeUnretainedValue()
    }

    private static let write: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = { bio, data, length in
        guard let data, length > 0 else { return 0 }
        queue(bio).outgoing.append(Array(UnsafeRawBufferPointer(start: data, count: Int(length))))
        return length
    }

    private static let read: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int32) -> Int32 = { bio, buffer, capacity in
        pinhole_BIO_clear_retry_flags(bio)
        let q = queue(bio)
        guard let datagram = q.incoming, let buffer else {
            pinhole_BIO_set_retry_read(bio)
            return -1
        }
        q.incoming = nil
        let count = min(Int(capacity), datagram.count)
        datagram.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress!, byteCount: count) }
        return Int32(count)
    }

    private static let ctrl: @convention(c) (OpaquePointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int = { _, command, _, _ in
        switch command {
        case BIO_CTRL_FLUSH: return 1
        // No path-MTU discovery here: the engine sets the link MTU itself.
        case BIO_CTRL_DGRAM_QUERY_MTU, BIO_CTRL_DGRAM_GET_FALLBACK_MTU: return Int(DTLSEndpoint.mtu)
        case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: return 28
        default: return 0
        }
    }
}
