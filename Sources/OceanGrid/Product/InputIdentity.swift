import Foundation

/// What a forecast was computed from, recorded in its output (global attribute ``attribute``) so that a batch
/// skips a forecast only when its recorded inputs are the entry's inputs as they are now: each file's path, size
/// and a 64-bit hash of its bytes, and the start asked for. A line whose init was changed, or whose file was
/// rewritten in place, is computed again.
public enum InputIdentity {
    /// The output's global attribute holding the identity.
    public static let attribute = "forecastd_inputs"

    /// The identity of a forecast from `initial` and `forcing` (and `start`, when one was asked for).
    public static func of(initial: String, forcing: String, start: String?) throws -> String {
        var parts = [try describe("init", initial), try describe("forcing", forcing)]
        if let start { parts.append("start=\(start)") }
        return parts.joined(separator: "; ")
    }

    /// `ROLE=PATH (N bytes, hash H)` with the path made absolute.
    static func describe(_ role: String, _ path: String) throws -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ForecastError.inputData(path: path, variable: nil, detail: "cannot be read to record its identity")
        }
        defer { try? handle.close() }
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15, size = 0
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            hash = mix(hash, chunk)
            size += chunk.count
        }
        return "\(role)=\(absolute) (\(size) bytes, hash \(String(hash, radix: 16)))"
    }

    /// Folds `bytes` into `hash`, eight bytes at a time (a multiply-rotate hash: fast, not cryptographic; it tells
    /// apart files, not adversaries).
    static func mix(_ hash: UInt64, _ bytes: Data) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            var h = hash
            let words = raw.count / 8
            for i in 0..<words {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                h = ((h ^ word) &* 0xFF51_AFD7_ED55_8CCD).rotatedLeft(31)
            }
            for i in (8 * words)..<raw.count { h = ((h ^ UInt64(raw[i])) &* 0xC4CE_B9FE_1A85_EC53).rotatedLeft(17) }
            return h ^ UInt64(raw.count)
        }
    }
}

private extension UInt64 {
    func rotatedLeft(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
