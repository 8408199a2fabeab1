internal import NIOCore
internal import Synchronization

/// At most `limit` HTTP connections at once. Each idle one is held until the request deadline,
/// so a client opening thousands would otherwise spend the process's file descriptors — and
/// with them the camera, and every new viewer. One over the limit is closed at once; viewers
/// already watching are untouched (their media is UDP).
final class ConnectionLimit: Sendable {
    let limit: Int
    private let open = Atomic(0)

    init(limit: Int) { self.limit = limit }

    /// The handler for one new connection.
    func gate() -> any RemovableChannelHandler { Gate(shared: self) }

    private final class Gate: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        let shared: ConnectionLimit
        private var counted = false

        init(shared: ConnectionLimit) { self.shared = shared }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { admit(context) }
        }

        func channelActive(context: ChannelHandlerContext) {
            admit(context)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            release()
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) { release() }

        private func admit(_ context: ChannelHandlerContext) {
            guard !counted else { return }
            counted = true
            if shared.open.add(1, ordering: .relaxed).newValue > shared.limit { context.close(promise: nil) }
        }

        private func release() {
            guard counted else { return }
            counted = false
            shared.open.subtract(1, ordering: .relaxed)
        }
    }
}
