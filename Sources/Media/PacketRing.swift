internal import Synchronization

/// The RTP packets of every stream, written once by the packetizer into fixed slots and read by
/// the transport for every viewer (and, later, for retransmission): no allocation per packet.
///
/// One writer (per stream pipeline, serialized by `writing`) and any number of readers. A slot is
/// reused `capacity` packets later; a reader copies the bytes out and then checks that the slot
/// was not claimed again meanwhile, seqlock-style, so a reader that fell that far behind gets
/// `nil`, never torn bytes.
public final class PacketRing: @unchecked Sendable {
    /// Room for one RTP packet before SRTP (the pipelines keep packets at 1184 bytes).
    public static let slotSize = 1_280
    public let capacity: Int
    private let storage: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<Int>
    /// The number of the newest packet whose slot has been claimed for writing.
    private let claimed = Atomic<Int>(-1)
    private let writing = Mutex(0)

    /// `capacity` packets: 512 hold about 3 s of 1 Mbit/s video and audio.
    public init(capacity: Int = 512) {
        self.capacity = capacity
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity * Self.slotSize, alignment: 64)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
    }

    deinit {
        storage.deallocate()
        lengths.deallocate()
    }

    /// Claims the next slot, lets `fill` write at most `slotSize` bytes into it and return how
    /// many it wrote, and returns the packet's reference.
    public func write(_ fill: (UnsafeMutableRawBufferPointer) -> Int) -> PacketRef {
        writing.withLock { next in
            let number = next
            next += 1
            claimed.store(number, ordering: .releasing)
            // Readers must see the claim before any byte of the new packet (seqlock write side).
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            let slot = UnsafeMutableRawBufferPointer(start: storage + (number % capacity) * Self.slotSize, count: Self.slotSize)
            let length = fill(slot)
            precondition(length > 0 && length <= Self.slotSize, "packet does not fit a ring slot")
            lengths[number % capacity] = length
            return PacketRef(number: number, length: length)
        }
    }

    /// Copies packet `ref` into `destination`; nil when its slot has been reused since.
    public func read(_ ref: PacketRef, into destination: UnsafeMutableRawBufferPointer) -> Int? {
        guard isLive(ref), ref.length <= destination.count else { return nil }
        destination.baseAddress!.copyMemory(from: storage + (ref.number % capacity) * Self.slotSize, byteCount: ref.length)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return isLive(ref) ? ref.length : nil
    }

    /// A copy of the packet as an array, for tests and diagnostics.
    public func bytes(_ ref: PacketRef) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: ref.length)
        let n = out.withUnsafeMutableBytes { read(ref, into: $0) }
        return n == nil ? nil : out
    }

    private func isLive(_ ref: PacketRef) -> Bool {
        let newest = claimed.load(ordering: .acquiring)
        return ref.number <= newest && newest - ref.number < capacity
    }
}

/// A packet in the ring: its running number and length.
public struct PacketRef: Sendable, Equatable {
    public var number: Int
    public var length: Int
}
