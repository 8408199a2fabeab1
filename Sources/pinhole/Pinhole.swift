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
        subcommands: [Serve.self, Devices.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stream the camera and microphone (the default).")

    @Option(help: "HTTP listen address (WHEP, API, viewer page).") var http = "0.0.0.0:8080"
    @Option(help: "The one UDP address for all WebRTC media.") var udp = "0.0.0.0:8189"
    @Option(help: "An extra host candidate address (1:1 NAT, port forward). Repeatable.") var advertise: [String] = []
    @Option(help: "auto (first camera, else the test pattern), test, none or /dev/videoN.") var video = "auto"
    @Option(help: "auto (default capture PCM, else a test tone), test, none or an ALSA PCM name.") var audio = "auto"
    @Option(help: "Camera format: auto (YU12, else NV12, else YUYV, else converted), YU12, NV12 or YUYV.") var pixelFormat = "auto"
    @Option(help: "Picture size, WxH.") var size = "640x480"
    @Option(help: "Frames per second.") var fps = 30
    @Option(help: "Video bitrate in kbit/s.") var bitrate = 1_000
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Flag(help: "Turn off NACK retransmission and congestion control (to measure what they bring).") var noFeedback = false
    @Option(help: .hidden) var testStallVideoAfter: Int?

    func run() async throws {
        var config = Configuration()
        config.http = http
        config.udp = udp
        config.advertise = advertise
        config.video = video
        config.audio = audio
        config.pixelFormat = pixelFormat
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2 else { throw ValidationError("--size takes WxH, for example 640x480") }
        (config.width, config.height) = (parts[0], parts[1])
        config.fps = fps
        config.bitrateKbps = bitrate
        config.feedback = !noFeedback
        config.testStallVideoAfterSeconds = testStallVideoAfter
        var logger = Logger(label: "pinhole")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        do {
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
