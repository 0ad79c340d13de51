import Foundation
import TestSupport
import Testing

/// A disk that fills while the forecast is written, stood in for by a file size limit (`ulimit -f`, with
/// SIGXFSZ ignored so that writes fail with EFBIG as they fail with ENOSPC on a full disk): exit 74 naming the
/// output, no signal, and nothing left under any name.
@Suite("Write failures: a full disk exits 74 and leaves nothing",
       .enabled(if: Scratch.forecastd != nil && Scratch.has("bash"), "needs the forecastd binary and bash"))
struct WriteFailureTests {
    @Test("One file or per-day files: exit 74 naming the output, no partial, per-day files stop at the first failed day",
          arguments: [false, true])
    func diskFull(perDay: Bool) throws {
        let folder = try HostileInputTests.copy()
        let out = folder + "/full/out.nc"
        try FileManager.default.createDirectory(atPath: folder + "/full", withIntermediateDirectories: true)
        let command = ([Scratch.forecastd!, "run", "--model", folder, "--init", folder + "/init.nc", "--forcing", folder + "/forcing.nc",
                        "--days", "15", "--out", out, "--threads", "1"] + (perDay ? ["--per-day-files"] : []))
            .map { "'\($0)'" }.joined(separator: " ")
        // 1000 blocks of 512 bytes: less than one day of the sample's output.
        let r = try #require(Scratch.run("bash", ["-c", "trap '' XFSZ; ulimit -f 1000; exec \(command)"]))
        #expect(!r.signaled && r.status == 74, "status \(r.status): \(r.output.suffix(600))")
        #expect(r.output.contains(perDay ? "out_day01.nc: cannot write" : "out.nc: cannot write") && !r.output.contains("HDF5-DIAG"),
                "\(r.output.suffix(600))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/full") == [])
    }
}
