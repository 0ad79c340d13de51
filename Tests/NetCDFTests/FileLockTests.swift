import Foundation
import NetCDF
import TestSupport
import Testing

/// A lock another holder keeps on a file (as a child forked by another thread keeps a copy of every open
/// descriptor, with its lock, until it closes them) must not stop forecastd from opening the file again.
@Suite("File locks")
struct FileLockTests {
    @Test("A netCDF file under another process's exclusive flock opens for writing and reading")
    func openUnderAnotherLock() throws {
        let folder = try Scratch.folder()
        let path = try Scratch.generate("cmems-glo12.cdl", kind: "nc4", into: folder)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-x", path, "sleep", "5"]
        guard (try? holder.run()) != nil else {
            print("skipped: /usr/bin/flock (util-linux) is not installed")
            return
        }
        defer { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() }
        // Wait until the holder has the lock: a non-blocking attempt of our own then fails.
        var held = false
        for _ in 0..<200 where !held {
            held = Scratch.run("/usr/bin/flock", ["-n", "-x", path, "true"])?.status == 1
            if !held { usleep(20_000) }
        }
        try #require(held, "the holder did not take the lock")
        let file = try NetCDFFile.openForWriting(path)
        try file.root.setAttribute("checked", .text("under a lock"))
        try file.close()
        #expect(try CFDataset(path: path).file.root.attributes()["checked"]?.text == "under a lock")
    }
}
