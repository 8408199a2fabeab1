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
    public var width = 640
    public var height = 480
    public var fps = 30
    public var bitrateKbps = 1_000
    public var maxViewers = 16

    public init() {}

    /// What will actually be streamed, decided from the options before anything starts.
    public func mediaPlan() throws(ConfigurationError) -> (video: MediaChoice, audio: MediaChoice) {
        guard width >= 16, height >= 16, width % 2 == 0, height % 2 == 0, width <= 3840, height <= 2160 else {
            throw .invalid(option: "--size", detail: "\(width)x\(height): even width and height from 16x16 to 3840x2160")
        }
        guard (1...60).contains(fps) else { throw .invalid(option: "--fps", detail: "\(fps): from 1 to 60") }
        guard (50...20_000).contains(bitrateKbps) else { throw .invalid(option: "--bitrate", detail: "\(bitrateKbps): from 50 to 20000 kbit/s") }
        return (try Self.choice(video, option: "--video", device: "V4L2 camera"),
                try Self.choice(audio, option: "--audio", device: "ALSA capture"))
    }

    static func choice(_ value: String, option: String, device: String) throws(ConfigurationError) -> MediaChoice {
        switch value {
        // Device capture is not built yet, so "auto" resolves to the generated source.
        case "auto", "test": return .test
        case "none": return .none
        default:
            throw .invalid(option: option, detail: "\(value): \(device) is not supported by this build yet; use test, none or auto")
        }
    }
}

public enum MediaChoice: String, Sendable { case test, none }

public enum ConfigurationError: Error, Sendable, CustomStringConvertible {
    case invalid(option: String, detail: String)
    public var description: String {
        switch self { case .invalid(let option, let detail): "\(option) \(detail)" }
    }
}
