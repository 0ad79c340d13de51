import Foundation
import NetCDF
import Testing

/// Scratch folders, fixtures and external tools for the NetCDF tests.
enum Scratch {
    /// A new empty folder under the system temporary directory.
    static func folder(_ label: String = #function) throws -> String {
        let name = label.filter { $0.isLetter || $0.isNumber }
        let path = NSTemporaryDirectory() + "forecastd-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The CDL fixtures folder.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// Runs a program; returns its exit status and output (stdout and stderr together), nil if it cannot start.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) -> (status: Int32, output: String, signaled: Bool)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), process.terminationReason == .uncaughtSignal)
    }

    /// True when `program` runs (`which` finds it).
    static func has(_ program: String) -> Bool { run("which", [program])?.status == 0 }

    /// True when python3 can import every module named.
    static func python(has modules: [String]) -> Bool {
        run("python3", ["-c", modules.map { "import \($0)" }.joined(separator: "; ")])?.status == 0
    }

    /// Builds a NetCDF file from a fixture CDL with ncgen (`kind`: nc4, classic, ...).
    static func generate(_ fixture: String, kind: String, into folder: String) throws -> String {
        let out = folder + "/" + fixture.replacingOccurrences(of: ".cdl", with: ".nc")
        let result = run("ncgen", ["-k", kind, "-o", out, fixtures + "/" + fixture])
        try #require(result?.status == 0, "ncgen failed: \(result?.output ?? "ncgen not found")")
        return out
    }
}
