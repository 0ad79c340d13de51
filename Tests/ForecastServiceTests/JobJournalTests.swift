@testable import ForecastService
import Foundation
import TestSupport
import Testing

@Suite("JobJournal: JSON lines, the latest line of a job wins, a torn line skipped, compacted on opening")
struct JobJournalTests {
    @Test("Reopened after appends and a line cut short by a crash: each job's latest record, oldest job first, one line each")
    func reopen() throws {
        let folder = try Scratch.folder()
        let (journal, empty) = try JobJournal.open(folder: folder)
        #expect(empty.isEmpty)
        var first = JobRecord(id: "a", inputs: JobQueueTests.inputs, created: JobQueueTests.now)
        let second = JobRecord(id: "b", inputs: JobQueueTests.inputs, created: JobQueueTests.now)
        try journal.append(first)
        try journal.append(second)
        first.status = .running
        first.day = 3
        try journal.append(first)
        let handle = try #require(FileHandle(forWritingAtPath: journal.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"id\":\"c\",\"stat".utf8))
        try handle.close()

        let (reopened, records) = try JobJournal.open(folder: folder)
        #expect(records.map(\.id) == ["a", "b"])
        #expect(records[0].status == .running && records[0].day == 3 && records[0].inputs == JobQueueTests.inputs)
        #expect(reopened.skippedLines == 1)
        let lines = try String(contentsOfFile: reopened.path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
    }
}
