import Foundation
import NetCDF
import TestSupport
import Testing

/// NetCDF fixtures on top of the shared ``Scratch`` helpers.
extension Scratch {
    /// The CDL fixtures folder.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// Builds a NetCDF file from a fixture CDL with ncgen (`kind`: nc4, classic, ...).
    static func generate(_ fixture: String, kind: String, into folder: String) throws -> String {
        let out = folder + "/" + fixture.replacingOccurrences(of: ".cdl", with: ".nc")
        let result = run("ncgen", ["-k", kind, "-o", out, fixtures + "/" + fixture])
        try #require(result?.status == 0, "ncgen failed: \(result?.output ?? "ncgen not found")")
        return out
    }
}
