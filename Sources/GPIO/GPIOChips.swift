internal import Glibc
internal import CGPIOD

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
        guard access(path, F_OK) == 0, let chip = gpiod_chip_open(path) else { return nil }
        defer { gpiod_chip_close(chip) }
        let lines = (0..<gpiod_chip_num_lines(chip)).map { offset -> Line in
            let line = gpiod_chip_get_line(chip, offset)
            return Line(offset: Int(offset), name: gpiod_line_name(line).map { String(cString: $0) },
                        consumer: gpiod_line_consumer(line).map { String(cString: $0) })
        }
        return GPIOChipInfo(path: path, name: String(cString: gpiod_chip_name(chip)), label: String(cString: gpiod_chip_label(chip)), lines: lines)
    }
}
