import Foundation
import NetCDF
import TestSupport
import Testing

@Suite("AtomicOutput: a file appears under its name only when complete")
struct AtomicOutputTests {
    @Test("Written under .NAME.partial-PID in the same folder; commit renames, abandon removes")
    func commitAndAbandon() throws {
        let folder = try Scratch.folder(), path = folder + "/out.nc"
        let output = try AtomicOutput(path: path)
        #expect(output.temporaryPath == folder + "/.out.nc.partial-\(getpid())")
        FileManager.default.createFile(atPath: output.temporaryPath, contents: Data("day 1".utf8))
        #expect(!FileManager.default.fileExists(atPath: path))
        try output.commit(sync: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "day 1")
        #expect(!FileManager.default.fileExists(atPath: output.temporaryPath))

        let second = try AtomicOutput(path: folder + "/other.nc")
        FileManager.default.createFile(atPath: second.temporaryPath, contents: Data())
        second.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.nc"])
    }

    @Test("A missing or read-only folder is refused before anything is written; a failed commit leaves nothing")
    func unwritable() throws {
        #expect { try AtomicOutput(path: "/nonexistent/out.nc") } throws: {
            if case NetCDFError.cannotWrite(let path, _) = $0 { path == "/nonexistent/out.nc" } else { false }
        }
        let folder = try Scratch.folder()
        let output = try AtomicOutput(path: folder + "/never.nc")
        #expect(throws: NetCDFError.self) { try output.commit() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test("write() replaces a file whole; removeStale clears any process's temporaries of that name and no other")
    func writeAndStale() throws {
        let folder = try Scratch.folder(), path = folder + "/state.json"
        try AtomicOutput.write(Data("one".utf8), to: path)
        try AtomicOutput.write(Data("two".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        for name in [".a.nc.partial-1", ".a.nc.partial-99999", ".b.nc.partial-1", "a.nc"] {
            FileManager.default.createFile(atPath: folder + "/" + name, contents: Data())
        }
        AtomicOutput.removeStale(of: folder + "/a.nc")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [".b.nc.partial-1", "a.nc", "state.json"])
    }
}
