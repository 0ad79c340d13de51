import Foundation

/// Scratch folders, the repository's tools and external programs, for every test target.
public enum Scratch {
    /// The repository root.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The repository's `tools/` folder (Python references and exporters).
    public static let tools = repository + "/tools"

    /// The forecastd executable next to the test binary, if it was built.
    public static let forecastd: String? = {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("forecastd").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    /// The folder that holds this test process's scratch folders, removed with everything in it when the process
    /// exits (set FORECASTD_KEEP_SCRATCH=1 to keep it for a look).
    static let root: String = {
        let path = NSTemporaryDirectory() + "forecastd-tests-\(UUID().uuidString.prefix(8))"
        if ProcessInfo.processInfo.environment["FORECASTD_KEEP_SCRATCH"] == nil {
            atexit { try? FileManager.default.removeItem(atPath: Scratch.root) }
        }
        return path
    }()

    /// A new empty folder under the process's scratch root.
    public static func folder(_ label: String = #function) throws -> String {
        let name = label.filter { $0.isLetter || $0.isNumber }
        let path = root + "/\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs a program; returns its exit status and output (stdout and stderr together), nil if it cannot start.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String]) -> (status: Int32, output: String, signaled: Bool)? {
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
    public static func has(_ program: String) -> Bool { run("which", [program])?.status == 0 }

    /// True when python3 can import every module named.
    public static func python(has modules: [String]) -> Bool {
        run("python3", ["-c", modules.map { "import \($0)" }.joined(separator: "; ")])?.status == 0
    }
}
