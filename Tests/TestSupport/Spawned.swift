import Foundation

/// A program started in the background, its stderr read until a given text appears (a forecast's first day,
/// say), so that a test can act on it mid-run.
public final class Spawned {
    public let process = Process()
    private let pipe = Pipe()
    /// What the program has written on stderr so far.
    public private(set) var seen = ""

    public init(_ program: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Reads stderr until `text` has appeared or the program has closed it.
    public func wait(for text: String) {
        while !seen.contains(text) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { return }
            seen += String(decoding: chunk, as: UTF8.self)
        }
    }

    /// Reads the rest of stderr and waits for the program to end.
    public func finish() {
        seen += String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
    }
}
