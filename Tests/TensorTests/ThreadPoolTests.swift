import Foundation
import Synchronization
import Tensor
import Testing

/// Holds a pool worker inside a signal handler, off its job loop, while the caller goes on.
private let workerHeld = Atomic<Bool>(false)
private let workerInHandler = Atomic<Bool>(false)

@Suite("ThreadPool: the caller joins on tasks, not on workers", .serialized)
struct ThreadPoolTests {
    /// Runs `jobs` jobs of 1-7 tasks and checks that every task of every job ran exactly once, before the job
    /// returned; returns how many tasks the worker (thread 1) ran.
    static func runJobs(_ pool: ThreadPool, jobs: Range<Int>) -> Int {
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: 8)
        defer { slots.deallocate() }
        let runs = Atomic<Int>(0), onWorker = Atomic<Int>(0)
        for job in jobs {
            let tasks = 1 + job % 7
            slots.initialize(repeating: -1, count: 8)
            pool.parallelFor(tasks) { task, thread in
                #expect(slots[task] == -1, "task \(task) of job \(job) ran twice")
                slots[task] = job
                runs.add(1, ordering: .relaxed)
                if thread == 1 { onWorker.add(1, ordering: .relaxed) }
            }
            for task in 0..<tasks where slots[task] != job {
                Issue.record("job \(job): task \(task) had not run when parallelFor returned")
            }
        }
        #expect(runs.load(ordering: .relaxed) == jobs.reduce(0) { $0 + 1 + $1 % 7 })
        return onWorker.load(ordering: .relaxed)
    }

    @Test("With its only worker held off the CPU, a 2-thread pool finishes every job on the caller; the worker, let go mid-stream, takes tasks of later jobs only, none twice")
    func workerHeldOff() throws {
        let pool = ThreadPool(threads: 2)
        let worker = Mutex<pthread_t?>(nil)
        pool.onEveryThread { thread in
            guard thread == 1 else { return }
            // Threads started from the test runner's threads inherit a mask that blocks most signals.
            var unblock = sigset_t()
            sigemptyset(&unblock)
            sigaddset(&unblock, SIGUSR2)
            pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            worker.withLock { $0 = pthread_self() }
        }
        let handle = try #require(worker.withLock { $0 })
        let previous = signal(SIGUSR2) { _ in
            workerInHandler.store(true, ordering: .sequentiallyConsistent)
            while workerHeld.load(ordering: .sequentiallyConsistent) { usleep(100) }
            workerInHandler.store(false, ordering: .sequentiallyConsistent)
        }
        defer { signal(SIGUSR2, previous) }
        workerHeld.store(true, ordering: .sequentiallyConsistent)
        #expect(pthread_kill(handle, SIGUSR2) == 0)
        while !workerInHandler.load(ordering: .sequentiallyConsistent) { usleep(100) }
        // A caller that waited for every worker to check in would never return from the first job here.
        #expect(Self.runJobs(pool, jobs: 0..<2_000) == 0)
        workerHeld.store(false, ordering: .sequentiallyConsistent)
        _ = Self.runJobs(pool, jobs: 2_000..<6_000)
        while workerInHandler.load(ordering: .sequentiallyConsistent) { usleep(100) }
        #expect(Self.runJobs(pool, jobs: 6_000..<8_000) >= 0)
    }

    @Test("Many short jobs on 1, 2 and 4 threads: every task exactly once", arguments: [1, 2, 4])
    func shortJobs(threads: Int) {
        _ = Self.runJobs(ThreadPool(threads: threads), jobs: 0..<5_000)
    }
}
