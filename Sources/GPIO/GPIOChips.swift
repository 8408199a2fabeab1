internal import Glibc
internal import CPinholeGPIO

/// A GPIO chip and its lines, as `pinhole devices` lists them (libgpiod).
public struct GPIOChipInfo: Codable, Sendable {
    public var path: String
    public var name: String
    public var label: String
    public var lines: [Line]

    public struct Line: Codable, Sendable {
        public var offset: Int
        public var name: String?
        public var consumer: String?
    }

    /// Every /dev/gpiochipN that opens.
    public static func all() -> [GPIOChipInfo] {
        (0..<32).compactMap { chip(path: "/dev/gpiochip\($0)") }
    }

    static func chip(path: String) -> GPIOChipInfo? {
        guard access(path, F_OK) == 0, let chip = pinhole_gpio_chip_open(path) else { return nil }
        defer { pinhole_gpio_chip_close(chip) }
        var name = [CChar](repeating: 0, count: 64), label = [CChar](repeating: 0, count: 64)
        let count = pinhole_gpio_chip_describe(chip, &name, name.count, &label, label.count)
        guard count >= 0 else { return nil }
        let lines = (0..<UInt32(count)).map { offset -> Line in
            var lineName = [CChar](repeating: 0, count: 64), consumer = [CChar](repeating: 0, count: 64)
            _ = pinhole_gpio_line_describe(chip, offset, &lineName, lineName.count, &consumer, consumer.count)
            return Line(offset: Int(offset), name: Self.text(lineName), consumer: Self.text(consumer))
        }
        return GPIOChipInfo(path: path, name: text(name) ?? "", label: text(label) ?? "", lines: lines)
    }

    private static func text(_ buffer: [CChar]) -> String? {
        let value = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return value.isEmpty ? nil : value
    }

    /// The chip path and line offset a spec names, or why there is none.
    public static func resolve(_ spec: LineSpec) throws(GPIOError) -> (path: String, offset: UInt32) {
        let chips = all()
        guard let chip = chips.first(where: { [$0.path, $0.name, $0.label].contains(spec.chip) }) else {
            throw .noChip(spec.chip, present: chips.map { "\($0.name) (\($0.label))" })
        }
        switch spec.line {
        case .offset(let offset):
            guard offset < chip.lines.count else { throw .noLine("\(offset)", chip: chip.name) }
            return (chip.path, UInt32(offset))
        case .name(let name):
            guard let line = chip.lines.first(where: { $0.name == name }) else { throw .noLine(name, chip: chip.name) }
            return (chip.path, UInt32(line.offset))
        }
    }
}

public enum GPIOError: Error, Sendable, Equatable, CustomStringConvertible {
    case noChip(String, present: [String])
    case noLine(String, chip: String)
    case request(String, errno: Int32)

    public var description: String {
        switch self {
        case .noChip(let chip, let present):
            "no GPIO chip '\(chip)' (present: \(present.isEmpty ? "none" : present.joined(separator: ", ")))"
        case .noLine(let line, let chip): "\(chip) has no line '\(line)'"
        case .request(let what, let code):
            "\(what): \(String(cString: strerror(code)))\(code == EBUSY ? " (another program holds the line)" : "")"
        }
    }
}
