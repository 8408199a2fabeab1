internal import Capture
internal import GPIO
internal import FoundationEssentials

/// `pinhole devices`: cameras with formats, sizes and rates; audio inputs; GPIO chips and lines.
public enum DeviceReport {
    struct Inventory: Codable {
        var cameras: [CameraInfo]
        var audioInputs: [AudioInputInfo]
        var gpioChips: [GPIOChipInfo]
    }

    static func inventory() -> Inventory {
        Inventory(cameras: DeviceDiscovery.cameras(), audioInputs: DeviceDiscovery.audioInputs(), gpioChips: GPIOChipInfo.all())
    }

    public static func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(inventory()), as: UTF8.self)
    }

    public static func text() -> String {
        let inventory = inventory()
        var out = "Cameras\n"
        if inventory.cameras.isEmpty { out += "  none (the test pattern is streamed)\n" }
        for camera in inventory.cameras {
            out += "  \(camera.path)  \(camera.card)\n"
            for format in camera.formats {
                out += "    \(format.fourcc)  \(format.sizes.isEmpty ? "-" : format.sizes.joined(separator: "  "))\n"
            }
        }
        out += "Audio inputs\n"
        if inventory.audioInputs.isEmpty { out += "  none (the test tone is streamed)\n" }
        for input in inventory.audioInputs { out += "  \(input.device)  \(input.card): \(input.name)\n" }
        out += "GPIO chips\n"
        if inventory.gpioChips.isEmpty { out += "  none\n" }
        for chip in inventory.gpioChips {
            out += "  \(chip.path)  \(chip.name) [\(chip.label)]  \(chip.lines.count) lines\n"
            for line in chip.lines where line.name != nil || line.consumer != nil {
                out += "    \(line.offset)  \(line.name ?? "-")" + (line.consumer.map { "  used by \($0)" } ?? "") + "\n"
            }
        }
        return out
    }
}
