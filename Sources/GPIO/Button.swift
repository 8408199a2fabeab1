/// One push button's edges turned into presses: debounced, active-low applied, long presses
/// recognised. Pure state driven by the caller's clock (nanoseconds, monotonic), so it is tested
/// without hardware or waiting.
///
/// The first edge after a quiet spell counts at once (a press is felt without delay); edges
/// within `debounce` of it are bounces and only move the raw level, which is taken as the new
/// state if it still differs once the window has passed.
public struct Button: Sendable {
    public enum Event: Sendable, Equatable {
        case pressed
        case released(heldNanoseconds: UInt64)
        /// Held for `longPress`: fired once while still held.
        case longPress
    }

    public let debounce: UInt64
    public let longPress: UInt64?
    public let activeLow: Bool
    public private(set) var isPressed: Bool
    private var raw: Bool
    private var lastChange: UInt64?
    private var pressedAt: UInt64?
    private var longPressFired = false

    /// `level` is the line's physical level now.
    public init(debounce: UInt64, longPress: UInt64?, activeLow: Bool, level: Bool) {
        self.debounce = debounce
        self.longPress = longPress
        self.activeLow = activeLow
        raw = level != activeLow
        isPressed = raw
    }

    /// A physical edge: `level` is the line's level after it.
    public mutating func edge(level: Bool, at now: UInt64) -> [Event] {
        raw = level != activeLow
        if let last = lastChange, now &- last < debounce { return advance(to: now) }
        return change(at: now) + advance(to: now)
    }

    /// Events that fall due by `now` without an edge: a level settled after bounces, a long press.
    public mutating func advance(to now: UInt64) -> [Event] {
        var events: [Event] = []
        if raw != isPressed, let last = lastChange, now &- last >= debounce { events += change(at: now) }
        if isPressed, !longPressFired, let longPress, let pressedAt, now &- pressedAt >= longPress {
            longPressFired = true
            events.append(.longPress)
        }
        return events
    }

    /// When `advance` next has something to do, if ever.
    public var nextDeadline: UInt64? {
        var deadlines: [UInt64] = []
        if raw != isPressed, let last = lastChange { deadlines.append(last &+ debounce) }
        if isPressed, !longPressFired, let longPress, let pressedAt { deadlines.append(pressedAt &+ longPress) }
        return deadlines.min()
    }

    private mutating func change(at now: UInt64) -> [Event] {
        guard raw != isPressed else { return [] }
        isPressed = raw
        lastChange = now
        if isPressed {
            pressedAt = now
            longPressFired = false
            return [.pressed]
        }
        defer { pressedAt = nil }
        return [.released(heldNanoseconds: now &- (pressedAt ?? now))]
    }
}

/// What an LED shows, and its level at a moment: blinking is 2 Hz.
public enum LEDMode: String, Sendable, Equatable, Codable {
    case off, on, blinking

    public func level(at now: UInt64) -> Bool {
        switch self {
        case .off: false
        case .on: true
        case .blinking: (now / 250_000_000) % 2 == 0
        }
    }
}
