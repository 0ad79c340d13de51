import Foundation
import NetCDF
import Tensor
import OceanGrid
import TestSupport
import Testing

/// Truncated and byte-flipped copies of valid files, read by `forecastd inspect` in a child process (so that a
/// crash would show as a signal rather than take the test runner down): every copy must give either a clean
/// error with sysexits status 65 (damaged data, however deep the damage lies) or a complete read. For our own forecast files, whose
/// variables carry Fletcher-32 and content checksums, a complete read must be a correct one or report that the
/// content differs from what forecastd wrote.
@Suite("Corrupted inputs: a clean error or a correct read, never a crash")
struct CorruptionTests {
    static let forecastd = Scratch.forecastd

    /// Seconds the probe may read a small file in these tests (damage can make libhdf5 loop forever).
    static let probeSeconds = "FORECASTD_PROBE_SECONDS=10"

    /// Runs inspect on `path`; returns (status, JSON output).
    static func inspect(_ path: String) throws -> (Int32, String) {
        let program = try #require(forecastd)
        let result = try #require(Scratch.run("env", [probeSeconds, program, "inspect", "--json", path]))
        #expect(!result.signaled, "forecastd inspect crashed on \(path): \(result.output.suffix(400))")
        return (result.status, result.output)
    }

    static func corruptCopies(of original: String, seeds: Range<UInt64>, checkValues: Bool) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: original))
        let (status, clean) = try inspect(original)
        try #require(status == 0, "the original does not read: \(clean)")
        let folder = try Scratch.folder()
        var outcomes: [Int32: Int] = [:]
        for seed in seeds {
            var random = SplitMix64(state: seed)
            var copy = bytes
            if seed % 4 == 0 {
                copy = copy.prefix(Int(random.next() % UInt64(bytes.count)))
            } else {
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    let at = Int(random.next() % UInt64(bytes.count))
                    copy[at] ^= UInt8(1 << (random.next() % 8))
                }
            }
            let path = folder + "/copy-\(seed).nc"
            try copy.write(to: URL(fileURLWithPath: path))
            let (code, output) = try inspect(path)
            outcomes[code, default: 0] += 1
            #expect([0, 65].contains(code), "seed \(seed): exit \(code): \(output.suffix(300))")
            if code != 0 { #expect(output.contains(path), "seed \(seed): the error does not name the file: \(output)") }
            if checkValues && code == 0 {
                let got = Self.statistics(output), want = Self.statistics(clean), flagged = Self.checksumDiffers(output)
                let differing = (want ?? [:]).keys.filter { got?[$0] != want?[$0] && !flagged.contains($0) }.sorted()
                #expect(got != nil && differing.isEmpty,
                        "seed \(seed): a read that succeeded returned other values of \(differing) without reporting it: \(differing.map { "\(got?[$0] ?? [:]) vs \(want?[$0] ?? [:])" })")
            }
            if [0, 65].contains(code) { try? FileManager.default.removeItem(atPath: path) }
        }
        #expect(outcomes.values.reduce(0, +) == seeds.count)
    }

    /// The variables whose content inspect reports as differing from forecastd's checksum.
    static func checksumDiffers(_ json: String) -> Set<String> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let variables = object["variables"] as? [[String: Any]] else { return [] }
        return Set(variables.compactMap { v in
            ((v["statistics"] as? [String: Any])?["contentChecksum"] as? String)?.hasPrefix("differs") == true ? v["name"] as? String : nil
        })
    }

    /// The per-variable statistics of an inspect JSON report (nil if it does not parse).
    static func statistics(_ json: String) -> [String: [String: Double]]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let variables = object["variables"] as? [[String: Any]] else { return nil }
        var out: [String: [String: Double]] = [:]
        for v in variables {
            guard let name = v["name"] as? String else { return nil }
            out[name] = (v["statistics"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        return out
    }

    @Test("inspect: exit 66 for a missing file, 65 for a text file, 0 and a full report for a good one",
          .enabled(if: forecastd != nil, "needs the forecastd binary"))
    func inspectStatuses() throws {
        let folder = try Scratch.folder()
        let missing = try Self.inspect(folder + "/absent.nc")
        #expect(missing.0 == 66 && missing.1.contains(folder + "/absent.nc"))
        try "just text".write(toFile: folder + "/text.nc", atomically: true, encoding: .utf8)
        let text = try Self.inspect(folder + "/text.nc")
        #expect(text.0 == 65 && text.1.contains("not a readable NetCDF file"))
        let path = folder + "/forecast.nc"
        try ForecastWriterTests.write(.int16, days: 2, to: path)
        let (status, json) = try Self.inspect(path)
        #expect(status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let time = try #require(report["time"] as? [String: Any])
        #expect(time["first"] as? String == "2024-01-02T00:00:00" && time["count"] as? Int == 2)
        let stats = try #require(Self.statistics(json)?["zos"])
        #expect(stats["nanCount"] == 2 && stats["count"] == 24)
    }

    @Test("CMEMS-style NetCDF-4 and classic files", .enabled(if: forecastd != nil && Scratch.has("ncgen"), "needs the forecastd binary and ncgen"),
          arguments: ["nc4", "classic"])
    func cmemsCopies(kind: String) throws {
        let original = try Scratch.generate("cmems-glo12.cdl", kind: kind, into: try Scratch.folder())
        try Self.corruptCopies(of: original, seeds: 0..<120, checkValues: false)
    }

    @Test("Our checksummed forecast files", .enabled(if: forecastd != nil, "needs the forecastd binary"))
    func forecastCopies() throws {
        let original = try Scratch.folder() + "/forecast.nc"
        try ForecastWriterTests.write(.float32, days: 2, to: original)
        try Self.corruptCopies(of: original, seeds: 1000..<1120, checkValues: true)
    }

    @Test("A damaged forecast file on which libhdf5 reads forever (ncdump hangs too): the probe is killed past its time limit, exit 65 naming the file")
    func endlessRead() throws {
        let program = try #require(Self.forecastd)
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/endless-chunk-read.nc").path
        let start = Date()
        let result = try #require(Scratch.run("env", ["FORECASTD_PROBE_SECONDS=3", program, "inspect", fixture]))
        #expect(result.status == 65 && result.output.contains("endless-chunk-read.nc") && result.output.contains("did not end within 3 s"),
                "\(result.output)")
        #expect(Date().timeIntervalSince(start) < 60, "the probe was not stopped at its limit")
    }
}
