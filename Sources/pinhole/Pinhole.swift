import Agent
import ArgumentParser
import Logging

/// The command line of DESIGN.md; everything else happens in Agent.
@main
struct Pinhole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pinhole",
        abstract: "A WebRTC camera endpoint: open http://HOST:8080/ to watch.",
        version: "0.1.0",
        subcommands: [Serve.self, Devices.self, Pattern.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stream the camera and microphone (the default).")

    @Option(help: "Configuration file (default: /etc/pinhole/pinhole.toml when it exists).") var config: String?
    @Flag(help: "Validate the configuration, print the effective one and exit.") var checkConfig = false
    @Option(help: "HTTP listen address (WHEP, API, viewer page). Default 0.0.0.0:8080.") var http: String?
    @Option(help: "The one UDP address for all WebRTC media. Default 0.0.0.0:8189.") var udp: String?
    @Option(help: "An extra host candidate address (1:1 NAT, port forward). Repeatable.") var advertise: [String] = []
    @Option(help: "A STUN/TURN server for viewers (and, STUN, for publishing), URL[,username=U,credential=C]. Repeatable.") var iceServer: [String] = []
    @Option(help: "auto (first camera, else the test pattern), test, none or /dev/videoN.") var video: String?
    @Option(help: "auto (default capture PCM, else a test tone), test, none or an ALSA PCM name.") var audio: String?
    @Option(help: "Camera format: auto (YU12, else NV12, else YUYV, else converted), YU12, NV12 or YUYV.") var pixelFormat: String?
    @Option(help: "Picture size, WxH. Default 640x480.") var size: String?
    @Option(help: "Frames per second. Default 30.") var fps: Int?
    @Option(help: "Video bitrate ceiling in kbit/s. Default 1000.") var bitrate: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String?
    @Flag(help: "Turn off NACK retransmission and congestion control (to measure what they bring).") var noFeedback = false
    @Option(help: "Bearer token required on WHEP and the control API (default: none, open).") var token: String?
    @Flag(help: "Let status, events and metrics be read without the token.") var publicStatus = false
    @Option(help: "Also publish the stream to this WHIP endpoint (a media server, RFC 9725).") var whip: String?
    @Option(help: "Bearer token for the WHIP endpoint.") var whipToken: String?
    @Option(help: "Stream toggle button, CHIP:LINE[,active-low][,pull-up|pull-down][,debounce=30ms].") var button: String?
    @Option(help: "Microphone mute button, as --button.") var muteButton: String?
    @Option(help: "LED on while streaming, blinking while starting or on a device error, CHIP:LINE[,active-low].") var led: String?
    @Option(help: "LED on while a viewer is connected, as --led.") var viewerLed: String?
    @Option(help: "What holding the stream button does: none, mute or restart. Default none.") var longPress: String?
    @Option(help: "How long a hold is a long press, in ms. Default 1500.") var longPressMs: Int?
    @Option(help: "Seconds ICE and DTLS may take after the answer. Default 10.") var setupTimeout: Int?
    @Option(help: "Seconds without an authenticated ICE check before a viewer is dropped (RFC 7675). Default 30.") var consentTimeout: Int?
    @Option(help: "Seconds an HTTP request may take to arrive. Default 10.") var httpTimeout: Int?
    @Option(help: .hidden) var testStallVideoAfter: Int?

    /// The file's configuration with the command line over it.
    func effectiveConfiguration() throws -> Configuration {
        var c = try ConfigFile.configuration(path: config)
        if let http { c.http = http }
        if let udp { c.udp = udp }
        if !advertise.isEmpty { c.advertise = advertise }
        if !iceServer.isEmpty { c.iceServers = iceServer }
        if let video { c.video = video }
        if let audio { c.audio = audio }
        if let pixelFormat { c.pixelFormat = pixelFormat }
        if let size {
            guard let size = Configuration.size(parsing: size) else { throw ValidationError("--size takes WxH, for example 640x480") }
            (c.width, c.height) = size
        }
        if let fps { c.fps = fps }
        if let bitrate { c.bitrateKbps = bitrate }
        if let logLevel { c.logLevel = logLevel }
        if noFeedback { c.feedback = false }
        if let token { c.token = token }
        if let whip { c.whipURL = whip }
        if let whipToken { c.whipToken = whipToken }
        if publicStatus { c.publicStatus = true }
        if let button { c.button = button }
        if let muteButton { c.muteButton = muteButton }
        if let led { c.led = led }
        if let viewerLed { c.viewerLED = viewerLed }
        if let longPress { c.longPress = longPress }
        if let longPressMs { c.longPressMilliseconds = longPressMs }
        if let setupTimeout { c.setupTimeoutSeconds = setupTimeout }
        if let consentTimeout { c.consentTimeoutSeconds = consentTimeout }
        if let httpTimeout { c.httpTimeoutSeconds = httpTimeout }
        c.testStallVideoAfterSeconds = testStallVideoAfter
        return c
    }

    func run() async throws {
        do {
            let config = try effectiveConfiguration()
            try config.validate()
            if checkConfig {
                print(config.fileText, terminator: "")
                return
            }
            var logger = Logger(label: "pinhole")
            logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
            try await Agent(configuration: config, logger: logger).run()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List cameras, audio inputs and GPIO chips.")

    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        print(json ? try DeviceReport.json() : DeviceReport.text(), terminator: json ? "\n" : "")
    }
}

struct Pattern: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the test pattern as raw I420 frames to standard output, in real time.",
        discussion: "For feeding other encoders the agent's own stamped pictures: pinhole pattern | ffmpeg -f rawvideo -pix_fmt yuv420p -s 640x480 -r 30 -i - ...")

    @Option(help: "Picture size, WxH.") var size = "640x480"
    @Option(help: "Frames per second.") var fps = 30
    @Option(help: "Stop after this many frames (default: until standard output closes).") var frames: Int?

    /// The size and rate are checked by the agent's own rules.
    func run() throws {
        guard let size = Configuration.size(parsing: size) else { throw ValidationError("--size takes WxH, for example 640x480") }
        var checked = Configuration()
        (checked.width, checked.height, checked.fps) = (size.width, size.height, fps)
        do { try checked.validate() } catch { throw ValidationError(error.description) }
        do { try PatternOutput.write(width: size.width, height: size.height, fps: fps, frames: frames) } catch is PatternOutput.WriteError {}
    }
}
