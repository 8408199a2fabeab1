internal import Capture
internal import Transport
internal import STUN
internal import GPIO

/// Everything the agent is told at start, from the command line (and later the config file).
public struct Configuration: Sendable {
    public var http = "0.0.0.0:8080"
    public var udp = "0.0.0.0:8189"
    /// Extra host candidates, for 1:1 NAT or port forwarding of the UDP port.
    public var advertise: [String] = []
    /// auto | test | none | /dev/videoN
    public var video = "auto"
    /// auto | test | none | ALSA PCM name
    public var audio = "auto"
    /// auto, or YU12, NV12 or YUYV to force one native camera format.
    public var pixelFormat = "auto"
    public var width = 640
    public var height = 480
    public var fps = 30
    public var bitrateKbps = 1_000
    public var maxViewers = 16
    /// HTTP connections open at once (ConnectionLimit); more are closed at once.
    public var maxConnections = 128
    /// NACK retransmission and congestion control (transport-wide CC, REMB); off only to
    /// measure what they bring.
    public var feedback = true
    /// The encoder never goes below this, whatever the slowest viewer's estimate.
    public var minimumBitrateKbps = 64
    public var logLevel = "info"
    /// Bearer token for WHEP and the control API; "" leaves them open (a trusted LAN).
    public var token = ""
    /// Publishing by WHIP (RFC 9725): the endpoint's URL ("" for none) and its bearer token.
    public var whipURL = ""
    public var whipToken = ""
    /// STUN/TURN servers for viewers, `URL[,username=U,credential=C]` (ICEServerLink).
    public var iceServers: [String] = []
    /// Status, events and metrics readable without the token.
    public var publicStatus = false
    /// Buttons and LEDs, each "CHIP:LINE[,options]" (GPIO.LineSpec); "" leaves it unused.
    public var button = ""
    public var muteButton = ""
    public var led = ""
    public var viewerLED = ""
    /// What holding `button` does: none, mute or restart (stop and start streaming).
    public var longPress = "none"
    public var longPressMilliseconds = 1_500
    /// ICE and DTLS must complete within this many seconds of the answer.
    public var setupTimeoutSeconds = 10
    /// A viewer with no authenticated ICE check for this long is dropped (RFC 7675 §5.1).
    public var consentTimeoutSeconds = 30
    /// An HTTP request must arrive whole within this many seconds (slow senders are cut off).
    public var httpTimeoutSeconds = 10
    /// Test-only fault switch: stall the video pipeline this many seconds after start.
    public var testStallVideoAfterSeconds: Int?

    public init() {}

    /// `WxH` (the `--size` option and the file's `size`) as width and height; nil when malformed.
    public static func size(parsing text: String) -> (width: Int, height: Int)? {
        let parts = text.split(separator: "x").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// Checks every value without touching devices or ports (`--check-config`).
    public func validate() throws(ConfigurationError) {
        guard width >= 16, height >= 16, width % 2 == 0, height % 2 == 0, width <= 3840, height <= 2160 else {
            throw .invalid(option: "--size", detail: "\(width)x\(height): even width and height from 16x16 to 3840x2160")
        }
        guard ["auto", "YU12", "NV12", "YUYV"].contains(pixelFormat) else {
            throw .invalid(option: "--pixel-format", detail: "\(pixelFormat): auto, YU12, NV12 or YUYV")
        }
        guard (1...60).contains(fps) else { throw .invalid(option: "--fps", detail: "\(fps): from 1 to 60") }
        guard (50...20_000).contains(bitrateKbps) else { throw .invalid(option: "--bitrate", detail: "\(bitrateKbps): from 50 to 20000 kbit/s") }
        guard (30...bitrateKbps).contains(minimumBitrateKbps) else {
            throw .invalid(option: "min_bitrate", detail: "\(minimumBitrateKbps): from 30 to the bitrate")
        }
        guard (1...256).contains(maxViewers) else { throw .invalid(option: "max_viewers", detail: "\(maxViewers): from 1 to 256") }
        guard (8...4_096).contains(maxConnections) else {
            throw .invalid(option: "max_connections", detail: "\(maxConnections): from 8 to 4096")
        }
        for (option, address) in [("--http", http), ("--udp", udp)] + advertise.map({ ("--advertise", $0) }) {
            guard (try? TransportAddress(parsing: address, defaultPort: 0)) != nil else {
                throw .invalid(option: option, detail: "\(address): not an IP address and port")
            }
        }
        for (option, text) in [("--button", button), ("--mute-button", muteButton), ("--led", led), ("--viewer-led", viewerLED)]
        where !text.isEmpty {
            do { _ = try LineSpec(parsing: text) } catch { throw .invalid(option: option, detail: error.description) }
        }
        for (option, value) in [("--token", token), ("--whip-token", whipToken)]
        where !value.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "\"" }) {
            throw .invalid(option: option, detail: "printable ASCII without spaces or quotes")
        }
        guard whipURL.isEmpty || ((whipURL.hasPrefix("http://") || whipURL.hasPrefix("https://")) && !whipURL.contains(" ")) else {
            throw .invalid(option: "--whip", detail: "\(whipURL): an http:// or https:// URL")
        }
        for text in iceServers {
            do { _ = try ICEServerLink(parsing: text) } catch { throw .invalid(option: "--ice-server", detail: error.description) }
        }
        guard ["none", "mute", "restart"].contains(longPress) else {
            throw .invalid(option: "--long-press", detail: "\(longPress): none, mute or restart")
        }
        guard (300...10_000).contains(longPressMilliseconds) else {
            throw .invalid(option: "--long-press-ms", detail: "\(longPressMilliseconds): from 300 to 10000")
        }
        for (option, value, range) in [("--setup-timeout", setupTimeoutSeconds, 2...60), ("--consent-timeout", consentTimeoutSeconds, 5...300),
                                       ("--http-timeout", httpTimeoutSeconds, 1...300)] where !range.contains(value) {
            throw .invalid(option: option, detail: "\(value): from \(range.lowerBound) to \(range.upperBound) seconds")
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw .invalid(option: "--log-level", detail: "\(logLevel): trace, debug, info, notice, warning, error or critical")
        }
    }

    /// What will actually be streamed, decided from the options (and the devices present).
    public func mediaPlan() throws(ConfigurationError) -> (video: MediaChoice, audio: MediaChoice) {
        try validate()
        let videoChoice: MediaChoice
        switch video {
        case "auto": videoChoice = DeviceDiscovery.firstCamera().map(MediaChoice.device) ?? .test
        case "test": videoChoice = .test
        case "none": videoChoice = .none
        case let path where path.hasPrefix("/dev/"): videoChoice = .device(path)
        default: throw .invalid(option: "--video", detail: "\(video): use auto, test, none or /dev/videoN")
        }
        let audioChoice: MediaChoice
        switch audio {
        case "auto": audioChoice = ALSAMicrophone.canOpen("default") ? .device("default") : .test
        case "test": audioChoice = .test
        case "none": audioChoice = .none
        case "": throw .invalid(option: "--audio", detail: "empty: use auto, test, none or an ALSA PCM name")
        default: audioChoice = .device(audio)
        }
        return (videoChoice, audioChoice)
    }
}

/// A source: the generated one, none, or a device (V4L2 path or ALSA PCM name).
public enum MediaChoice: Sendable, Equatable, CustomStringConvertible {
    case test, none
    case device(String)

    public var description: String {
        switch self {
        case .test: "test"
        case .none: "none"
        case .device(let name): name
        }
    }
}

public enum ConfigurationError: Error, Sendable, CustomStringConvertible {
    case invalid(option: String, detail: String)
    public var description: String {
        switch self { case .invalid(let option, let detail): "\(option) \(detail)" }
    }
}
