@testable import ForecastService
import Foundation
import Testing

/// ``ComputeSlot``: the job holding the compute slot past its time limit is what readiness reports.
@Suite("Compute slot: overdue jobs")
struct ComputeSlotTests {
    @Test("free or within its limit: nothing overdue; past its deadline: the job; released: nothing")
    func overdue() {
        let slot = ComputeSlot()
        #expect(slot.overdueJob == nil)
        slot.take("a", deadline: Date().addingTimeInterval(60))
        #expect(slot.overdueJob == nil)
        slot.take("b", deadline: Date().addingTimeInterval(-1))
        #expect(slot.overdueJob == "b")
        slot.release()
        #expect(slot.overdueJob == nil)
    }
}
