/// Where a button or LED is wired and how: `CHIP:LINE[,option...]`, for example
/// `gpiochip0:GPIO17,active-low,pull-up,debounce=30ms`. CHIP is a path (/dev/gpiochip0), a chip
/// name (gpiochip0) or a label (pinctrl-bcm2711); LINE an offset (17) or a line name (GPIO17).
/// Options: `active-low`, `pull-up`, `pull-down`, `bias-disabled`, `debounce=Nms`.
public struct LineSpec: Sendable, Equatable, CustomStringConvertible {
    public enum Line: Sendable, Equatable {
        case offset(Int)
        case name(String)
    }

    public enum Bias: Int32, Sendable, Equatable {
        case asIs = 0, disabled = 1, pullUp = 2, pullDown = 3
    }

    public var chip: String
    public var line: Line
    public var activeLow = false
    public var bias = Bias.asIs
    /// Milliseconds within which further edges are bounces (inputs only).
    public var debounceMilliseconds = 30
    public let description: String

    public struct Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String) throws(Error) {
        description = text
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        let location = parts[0]
        guard let colon = location.lastIndex(of: ":"), colon != location.startIndex, location.index(after: colon) != location.endIndex else {
            throw Error(description: "'\(text)': expected CHIP:LINE, e.g. gpiochip0:17 or gpiochip0:GPIO17")
        }
        chip = String(location[..<colon])
        let lineText = String(location[location.index(after: colon)...])
        line = Int(lineText).map { .offset($0) } ?? .name(lineText)
        if case .offset(let offset) = line, offset < 0 { throw Error(description: "'\(text)': negative line offset") }
        for option in parts.dropFirst() { try apply(option, in: text) }
    }

    private mutating func apply(_ option: String, in text: String) throws(Error) {
        switch option {
        case "active-low": activeLow = true
        case "pull-up": bias = .pullUp
        case "pull-down": bias = .pullDown
        case "bias-disabled": bias = .disabled
        default:
            guard option.hasPrefix("debounce="), option.hasSuffix("ms"),
                  let value = Int(option.dropFirst("debounce=".count).dropLast(2)), (0...1_000).contains(value) else {
                throw Error(description: "'\(text)': unknown option '\(option)' (active-low, pull-up, pull-down, bias-disabled, debounce=Nms up to 1000)")
            }
            debounceMilliseconds = value
        }
    }
}
