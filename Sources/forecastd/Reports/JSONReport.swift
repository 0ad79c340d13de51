import Foundation

/// A report a command prints as text or, with --json, as pretty-printed JSON with sorted keys.
protocol JSONReport: Encodable {}

extension JSONReport {
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
