import Testing
@testable import GPIO

/// Buttons driven by a manual clock: times are plain nanosecond counts.
@Suite struct ButtonTests {
    static let ms: UInt64 = 1_000_000

    /// Feeds (ms, level) edges, advancing the clock between them as the controller's poll
    /// timeout would, and collects every event with its time.
    static func run(_ button: inout Button, _ edges: [(UInt64, Bool)], until end: UInt64) -> [(UInt64, Button.Event)] {
        var out: [(UInt64, Button.Event)] = []
        var now: UInt64 = 0
        func advance(to time: UInt64) {
            while let deadline = button.nextDeadline, deadline <= time {
                now = max(now, deadline)
                out += button.advance(to: now).map { (now / ms, $0) }
            }
            now = time
        }
        for (time, level) in edges {
            advance(to: time * ms)
            out += button.edge(level: level, at: time * ms).map { (time, $0) }
        }
        advance(to: end * ms)
        return out
    }

    @Test func bouncesInsideTheWindowAreOnePress() {
        var button = Button(debounce: 30 * Self.ms, longPress: nil, activeLow: false, level: false)
        // Contact bounce on press (0-6 ms) and on release (200-204 ms).
        let events = Self.run(&button, [(0, true), (2, false), (3, true), (5, false), (6, true),
                                        (200, false), (201, true), (204, false)], until: 400)
        #expect(events.map(\.1) == [.pressed, .released(heldNanoseconds: 200 * Self.ms)])
        #expect(events.map(\.0) == [0, 200])  // each felt at its first edge, without delay
    }

    @Test func aLevelThatSettlesOtherwiseIsTakenAfterTheWindow() {
        var button = Button(debounce: 30 * Self.ms, longPress: nil, activeLow: false, level: false)
        // A 4 ms tap: pressed at once, released when the window ends with the line low.
        let events = Self.run(&button, [(100, true), (104, false)], until: 300)
        #expect(events.map(\.1) == [.pressed, .released(heldNanoseconds: 30 * Self.ms)])
        #expect(events.map(\.0) == [100, 130])
    }

    @Test func pressesOutsideTheWindowAllCount() {
        var button = Button(debounce: 30 * Self.ms, longPress: nil, activeLow: false, level: false)
        let edges: [(UInt64, Bool)] = (0..<5).flatMap { i in [(UInt64(i) * 100, true), (UInt64(i) * 100 + 50, false)] }
        let events = Self.run(&button, edges, until: 600)
        #expect(events.filter { $0.1 == .pressed }.count == 5)
    }

    @Test func activeLowInvertsTheLevel() {
        // Pulled up when idle: the line reads 1; pressing pulls it to 0.
        var button = Button(debounce: 30 * Self.ms, longPress: nil, activeLow: true, level: true)
        #expect(!button.isPressed)
        let events = Self.run(&button, [(10, false), (100, true)], until: 200)
        #expect(events.map(\.1) == [.pressed, .released(heldNanoseconds: 90 * Self.ms)])
    }

    @Test func aButtonHeldAtStartIsPressedWithoutAnEvent() {
        let button = Button(debounce: 30 * Self.ms, longPress: nil, activeLow: true, level: false)
        #expect(button.isPressed && button.nextDeadline == nil)
    }

    @Test func longPressFiresOnceWhileHeldThenTheRelease() {
        var button = Button(debounce: 30 * Self.ms, longPress: 1_500 * Self.ms, activeLow: false, level: false)
        let events = Self.run(&button, [(0, true), (2_000, false)], until: 3_000)
        #expect(events.map(\.1) == [.pressed, .longPress, .released(heldNanoseconds: 2_000 * Self.ms)])
        #expect(events.map(\.0) == [0, 1_500, 2_000])
    }

    @Test func aShortPressIsNotLong() {
        var button = Button(debounce: 30 * Self.ms, longPress: 1_500 * Self.ms, activeLow: false, level: false)
        let events = Self.run(&button, [(0, true), (300, false), (1_000, true), (1_200, false)], until: 3_000)
        #expect(!events.contains { $0.1 == .longPress })
        #expect(events.filter { $0.1 == .pressed }.count == 2)
    }

    @Test func ledBlinksAtTwoHertz() {
        let levels = (0..<8).map { LEDMode.blinking.level(at: UInt64($0) * 125 * Self.ms) }
        #expect(levels == [true, true, false, false, true, true, false, false])
        #expect(LEDMode.on.level(at: 12_345) && !LEDMode.off.level(at: 12_345))
    }
}

@Suite struct LineSpecTests {
    @Test func fullSpecParses() throws {
        let spec = try LineSpec(parsing: "gpiochip0:GPIO17,active-low,pull-up,debounce=50ms")
        #expect(spec.chip == "gpiochip0" && spec.line == .name("GPIO17"))
        #expect(spec.activeLow && spec.bias == .pullUp && spec.debounceMilliseconds == 50)
    }

    @Test func pathsAndOffsets() throws {
        let spec = try LineSpec(parsing: "/dev/gpiochip4:17")
        #expect(spec.chip == "/dev/gpiochip4" && spec.line == .offset(17) && !spec.activeLow && spec.bias == .asIs)
    }

    @Test(arguments: ["button", "gpiochip0:", ":17", "gpiochip0:17,pull-sideways", "gpiochip0:17,debounce=5s",
                      "gpiochip0:17,debounce=2000ms", "gpiochip0:-1"])
    func badSpecsSayWhy(_ text: String) {
        #expect(throws: LineSpec.Error.self) { try LineSpec(parsing: text) }
    }
}
