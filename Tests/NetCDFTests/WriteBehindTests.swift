import CChunks
import Foundation
import NetCDF
import Tensor
import TestSupport
import Testing

/// Write-behind (``fd_write_behind``): what a file gained is started to disk, and one call later waited for and
/// dropped from the page cache, with every byte intact; libhdf5's descriptor of an output file is found for it.
@Suite("Write-behind: stored ranges reach the disk and leave the page cache, nothing lost")
struct WriteBehindTests {
    static let segment = Int(FD_WRITE_BEHIND_STEP)

    @Test("Less than a step, then three steps: the marks follow the file by steps, the first step leaves the page cache, the bytes read back")
    func dropsWrittenRanges() throws {
        let path = try Scratch.folder() + "/grown.bin"
        let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var random = SplitMix64(state: 7), written: [UInt8] = []
        var marks: [Int64] = [0, 0]
        func append(_ count: Int) {
            let words = (0..<(count / 8)).map { _ in random.next() }
            let bytes = words.withUnsafeBytes { Array($0) }
            #expect(bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, count, off_t(written.count)) } == count)
            written += bytes
        }
        append(Self.segment / 2)
        #expect(fd_write_behind(descriptor, &marks) == 0 && marks == [0, 0], "half a step: nothing started")
        append(Self.segment / 2)
        for k in 1...3 {
            let previous = marks[0]
            #expect(fd_write_behind(descriptor, &marks) == 0)
            #expect(marks == [Int64(k * Self.segment), previous], "marks \(marks) after step \(k)")
            append(Self.segment)
        }
        if Self.isTemporaryMemory(path) {
            print("WriteBehindTests: the scratch folder is tmpfs, whose pages are the file itself: residency not checked")
        } else {
            let resident = try Self.residentPages(descriptor, bytes: Self.segment)
            #expect(resident.resident * 20 < resident.total, "\(resident.resident) of \(resident.total) pages of segment 1 still cached")
        }
        let back = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(back.count == written.count && back.elementsEqual(written))
    }

    @Test("No descriptor (-1): nothing to do, no error")
    func noDescriptor() {
        var marks: [Int64] = [0, 0]
        #expect(fd_write_behind(-1, &marks) == 0 && marks == [0, 0])
    }

    @Test("An output file libhdf5 opened: its descriptor is the file's")
    func descriptorOfOutput() throws {
        let path = try Scratch.folder() + "/forecast.nc"
        try ForecastWriterTests.write(.float32, days: 2, to: path)
        let file = fd_h5_open(path)
        try #require(file >= 0)
        defer { _ = fd_h5_close(file) }
        let descriptor = fd_h5_descriptor(file)
        var status = stat()
        #expect(descriptor >= 0 && fstat(descriptor, &status) == 0)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(Int(status.st_size) == size)
    }

    /// Whether the file lies on tmpfs (`stat -f`).
    static func isTemporaryMemory(_ path: String) -> Bool {
        Scratch.run("stat", ["-f", "-c", "%T", path])?.output.hasPrefix("tmpfs") == true
    }

    /// Pages of the file's first `bytes` bytes in the page cache, and how many pages that is.
    static func residentPages(_ descriptor: Int32, bytes: Int) throws -> (resident: Int, total: Int) {
        let map = try #require(mmap(nil, bytes, PROT_READ, MAP_SHARED, descriptor, 0))
        try #require(map != MAP_FAILED)
        defer { munmap(map, bytes) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE))), pages = (bytes + page - 1) / page
        var vector = [UInt8](repeating: 0, count: pages)
        try #require(mincore(map, bytes, &vector) == 0)
        return (vector.filter { $0 & 1 != 0 }.count, pages)
    }
}
