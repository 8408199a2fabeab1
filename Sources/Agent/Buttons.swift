internal import GPIO
internal import Logging
internal import Transport

/// What the buttons do and what the LEDs show (issue: buttons and LED through libgpiod).
struct Buttons: Sendable {
    let configuration: Configuration
    let streamer: Streamer
    let transport: MediaTransport
    let logger: Logger

    /// The controller for the configured lines, or nil when none are.
    func controller() throws -> GPIOController? {
        var setup = GPIOController.Setup()
        let c = configuration
        for (role, text) in [("button", c.button), ("mute", c.muteButton)] where !text.isEmpty {
            setup.buttons[role] = try LineSpec(parsing: text)
        }
        for (role, text) in [("led", c.led), ("viewer_led", c.viewerLED)] where !text.isEmpty {
            setup.leds[role] = try LineSpec(parsing: text)
        }
        if c.longPress != "none" { setup.longPress["button"] = UInt64(c.longPressMilliseconds) * 1_000_000 }
        guard !setup.isEmpty else { return nil }
        return GPIOController(setup: setup, onEvent: handle, ledMode: ledMode,
                              log: { [logger] in logger.info("\($0)") })
    }

    /// With a long-press action the stream button acts on a short release, so that a long
    /// press does not also toggle; without one it acts on the press, at once.
    func handle(role: String, event: Button.Event) {
        logger.info("button", metadata: ["line": "\(role)", "event": "\(event)"])
        streamer.events.publish("button", ["line": role, "event": Self.name(event)])
        switch (role, event) {
        case ("mute", .pressed): streamer.setMuted(!streamer.isMuted)
        case ("button", .pressed) where configuration.longPress == "none": streamer.toggle(by: "button")
        case ("button", .released(let held)) where configuration.longPress != "none":
            if held < UInt64(configuration.longPressMilliseconds) * 1_000_000 { streamer.toggle(by: "button") }
        case ("button", .longPress):
            if configuration.longPress == "mute" { streamer.setMuted(!streamer.isMuted) }
            if configuration.longPress == "restart" { streamer.restart(by: "button") }
        default: break
        }
    }

    static func name(_ event: Button.Event) -> String {
        switch event {
        case .pressed: "pressed"
        case .released: "released"
        case .longPress: "long-press"
        }
    }

    func ledMode(role: String) -> LEDMode {
        switch role {
        case "viewer_led": transport.viewers.contains { $0.state == "connected" } ? .on : .off
        default: !streamer.isStreaming ? .off : streamer.isFlowing ? .on : .blinking
        }
    }
}
