import Foundation
import Testing

/// Replays every seed and every committed fuzz finding (Tests/Fuzz) through the same checks the
/// libFuzzer targets run, so a fixed crash stays fixed.
@Suite struct FuzzReplayTests {
    static let targets: [(name: String, check: @Sendable ([UInt8]) -> String?)] = [
        ("stun", FuzzCheck.stun), ("rtp", FuzzCheck.rtp), ("rtcp", FuzzCheck.rtcp), ("sdp", FuzzCheck.sdp), ("demux", FuzzCheck.demux),
        ("sdpfrag", FuzzCheck.sdpfrag),
    ]

    static func inputs(_ target: String) throws -> [(String, [UInt8])] {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")
        var result: [(String, [UInt8])] = []
        for folder in ["Corpus", "Regressions"] {
            let directory = fuzz.appendingPathComponent("\(folder)/\(target)")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                result.append(("\(folder)/\(target)/\(name)", Array(try Data(contentsOf: directory.appendingPathComponent(name)))))
            }
        }
        return result
    }

    @Test(arguments: 0..<6)
    func committedInputsPassTheirCheck(target: Int) throws {
        let (name, check) = Self.targets[target]
        let inputs = try Self.inputs(name)
        #expect(!inputs.isEmpty, "no seed corpus for \(name)")
        for (path, bytes) in inputs {
            #expect(check(bytes) == nil, "\(path)")
        }
    }
}
