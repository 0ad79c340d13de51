import Foundation
import OceanGrid

/// Runs one forecast of a batch in a child process (`forecastd run`), so that whatever happens to it (a crash in
/// a library, a trap, a hang) is that forecast's failure: the batch goes on with the next and writes its report.
/// The child is asked to stop (SIGTERM: it stops at its next day boundary and removes its partial output) when
/// the batch is, and killed when it runs past ``timeLimit``.
public struct IsolatedForecast: Sendable {
    /// The program and the arguments that come before a request's own (e.g. this binary and `run`).
    public let executable: String
    /// A request's command-line arguments, after ``executable``'s.
    public let arguments: @Sendable (ForecastRequest) -> [String]
    /// Seconds one forecast may run.
    public let timeLimit: Double

    public init(executable: String, timeLimit: Double, arguments: @escaping @Sendable (ForecastRequest) -> [String]) {
        self.executable = executable
        self.timeLimit = timeLimit
        self.arguments = arguments
    }

    /// The child's status for a forecast asked to stop (sysexits' EX_TEMPFAIL).
    static let interruptedStatus: Int32 = 75

    /// Runs `request` in a child; its stderr lines go to `log`. Throws ``ForecastError/interrupted(path:day:)`` when
    /// it was stopped, ``IsolatedForecastError`` for any other end but success.
    func run(_ request: ForecastRequest, shouldStop: () -> Bool, log: (String) -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(request)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The child's lines are gathered on a reading queue and logged here, between polls.
        let lines = ChildLines()
        let reader = DispatchQueue(label: "forecastd.batch-child")
        reader.async {
            var pending = Data()
            while case let chunk = errors.fileHandleForReading.availableData, !chunk.isEmpty {
                pending += chunk
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                    pending = pending[(newline + 1)...]
                }
            }
        }
        var lastMessage: String?
        func forward() {
            for line in lines.take() {
                if line.hasPrefix("forecastd: ") { lastMessage = String(line.dropFirst("forecastd: ".count)) }
                log(line)
            }
        }
        let deadline = Date().addingTimeInterval(timeLimit)
        var askedToStop = false, late = false
        while process.isRunning {
            if !askedToStop && shouldStop() {
                askedToStop = true
                kill(process.processIdentifier, SIGTERM)
            }
            if Date() > deadline {
                late = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            forward()
            usleep(20_000)
        }
        process.waitUntilExit()
        reader.sync {}
        forward()
        if late { throw IsolatedForecastError.timedOut(path: request.output, seconds: timeLimit) }
        if process.terminationReason == .uncaughtSignal {
            throw IsolatedForecastError.crashed(path: request.output, signal: process.terminationStatus)
        }
        switch process.terminationStatus {
        case 0: return
        case Self.interruptedStatus where askedToStop || shouldStop(): throw ForecastError.interrupted(path: request.output, day: 0)
        case let status: throw IsolatedForecastError.failed(status: status, message: lastMessage ?? "exit status \(status)")
        }
    }

    /// The child's stderr lines not yet logged, appended on the reading queue.
    private final class ChildLines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        func take() -> [String] { lock.withLock { defer { lines = [] }; return lines } }
    }
}

/// How a forecast run in a child process ended, other than success or a requested stop.
public enum IsolatedForecastError: Error, CustomStringConvertible {
    /// It ended with a failure status and this message.
    case failed(status: Int32, message: String)
    /// It was killed by a signal (a crash, a trap, the out-of-memory killer).
    case crashed(path: String, signal: Int32)
    /// It ran past the time limit and was killed.
    case timedOut(path: String, seconds: Double)

    public var description: String {
        switch self {
        case .failed(_, let message): message
        case .crashed(let path, let signal): "\(path): the forecast's process was killed by signal \(signal) (a crash, or the system's out-of-memory killer); no output was left"
        case .timedOut(let path, let seconds): "\(path): the forecast ran past its time limit of \(Int(seconds)) s and was stopped"
        }
    }
}
