internal import Glibc
internal import Synchronization
internal import Media

/// The buttons and LEDs: a thread that sleeps in poll(2) on the lines' edge-event descriptors
/// (never polling their levels), feeds each button's debouncer, and keeps the LEDs showing
/// what `ledMode` says. A chip that is missing or busy is reported and retried every few
/// seconds; streaming goes on without buttons meanwhile.
public final class GPIOController: Sendable {
    public struct Setup: Sendable {
        /// Inputs by role ("button", "mute").
        public var buttons: [String: LineSpec] = [:]
        /// Outputs by role ("led", "viewer_led").
        public var leds: [String: LineSpec] = [:]
        /// How long a hold on a button is a long press; nil: no long presses.
        public var longPress: [String: UInt64] = [:]
        public init() {}
        public var isEmpty: Bool { buttons.isEmpty && leds.isEmpty }
    }

    public struct Status: Sendable, Codable, Equatable {
        public var state = "starting"
        public var error: String?
        public var presses: [String: Int] = [:]
        /// Raw edges seen, bounces included: far more edges than presses is a bouncy contact.
        public var edges: [String: Int] = [:]
        public var longPresses: [String: Int] = [:]
        public var kernelDebounce = false
        public var libgpiodAPI = 0
    }

    static let retryInterval: UInt64 = 5_000_000_000
    static let ledTick: UInt64 = 125_000_000

    let setup: Setup
    let onEvent: @Sendable (String, Button.Event) -> Void
    let ledMode: @Sendable (String) -> LEDMode
    let log: @Sendable (String) -> Void
    let statusBox = Mutex(Status())
    let running = Atomic(true)

    public init(setup: Setup, onEvent: @escaping @Sendable (String, Button.Event) -> Void,
                ledMode: @escaping @Sendable (String) -> LEDMode, log: @escaping @Sendable (String) -> Void) {
        self.setup = setup
        self.onEvent = onEvent
        self.ledMode = ledMode
        self.log = log
    }

    public var status: Status { statusBox.withLock { $0 } }

    public func start() {
        MediaThread.start { [self] in GPIOLoop(controller: self).run() }
    }

    /// Ends the thread within one LED tick; the lines are released.
    public func stop() { running.store(false, ordering: .relaxed) }
}
