import Foundation

/// Reads a committed fixture by path relative to `Tests/WireFormatTests/Fixtures`.
func fixture(_ relativePath: String) throws -> String {
    let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    return try String(contentsOf: here.appendingPathComponent("Fixtures/\(relativePath)"), encoding: .utf8)
}

func fixtureJSON(_ relativePath: String) throws -> [String: Any] {
    let data = Data(try fixture(relativePath).utf8)
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}

/// Bytes from a hex dump; whitespace ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    return stride(from: 0, to: digits.count, by: 2).map {
        let start = digits.index(digits.startIndex, offsetBy: $0)
        return UInt8(digits[start...digits.index(after: start)], radix: 16)!
    }
}
