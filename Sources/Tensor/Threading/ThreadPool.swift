import CProcessor
import Foundation
import Synchronization

/// One persistent pool of compute threads that every kernel forks and joins on.
///
/// Threads are created once, sized to the physical cores the process may use (``ThreadPool/defaultThreadCount``,
/// overridden by `FORECASTD_THREADS` or `--threads`). The calling thread takes part in every job, so a pool of
/// N threads starts N - 1 workers. Between jobs the workers spin briefly (a fork costs well under a
/// microsecond while kernels follow each other), yielding their core after the first microseconds so that a
/// busy machine's other threads run, then sleep on a condition variable. Every worker, and the
/// caller at the start of each job, runs with flush-to-zero and denormals-are-zero set.
///
/// Jobs are fork-join and not reentrant: a body must not call ``parallelFor(_:_:)`` on the same pool. Calls
/// from several threads are serialised.
///
/// `@unchecked Sendable`: its stored properties never change after init; the shared job state lives in `Job`,
/// whose comment says why it is safe.
public final class ThreadPool: @unchecked Sendable {
    /// Number of threads taking part in a job, the caller included.
    public let threadCount: Int
    private let job: Job

    /// A pool of `threads` threads (the caller plus `threads - 1` workers).
    public init(threads: Int = ThreadPool.defaultThreadCount) {
        threadCount = max(1, threads)
        job = Job(workers: threadCount - 1)
        fd_enable_flush_to_zero()
        for index in 1..<threadCount {
            let thread = Thread { [job] in job.workerLoop(thread: index) }
            thread.name = "forecastd-compute-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Stops the workers (they hold only the shared job state, never the pool).
    deinit { job.stop() }

    /// The pool kernels use unless given another: sized by `FORECASTD_THREADS` or the physical cores.
    public static let shared = ThreadPool()

    /// `FORECASTD_THREADS` when set to a positive integer, else ``physicalCoreCount``.
    public static var defaultThreadCount: Int {
        if let text = ProcessInfo.processInfo.environment["FORECASTD_THREADS"], let n = Int(text), n > 0 { return n }
        return physicalCoreCount
    }

    /// Physical cores among the CPUs this process may run on (its affinity mask, as set by Slurm or taskset);
    /// hyperthread siblings count once.
    public static var physicalCoreCount: Int {
        #if os(Linux)
        var cpus = [Int32](repeating: 0, count: 4096)
        let allowed = Int(fd_allowed_cpus(&cpus, Int32(cpus.count)))
        guard allowed > 0 else { return ProcessInfo.processInfo.activeProcessorCount }
        var cores = Set<String>()
        for cpu in cpus.prefix(allowed) {
            let topology = "/sys/devices/system/cpu/cpu\(cpu)/topology/"
            let core = (try? String(contentsOfFile: topology + "core_id", encoding: .utf8)) ?? "cpu\(cpu)"
            let package = (try? String(contentsOfFile: topology + "physical_package_id", encoding: .utf8)) ?? "0"
            cores.insert(package.trimmingCharacters(in: .whitespacesAndNewlines) + ":"
                         + core.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return max(1, cores.count)
        #else
        return ProcessInfo.processInfo.activeProcessorCount
        #endif
    }

    /// Runs `body(i)` once for every `i` in `0..<tasks`, spread over the pool's threads, and returns when all
    /// have finished. Tasks are handed out dynamically, so uneven tasks balance.
    /// The body also receives the index (`0..<threadCount`) of the thread running the task, for per-thread
    /// scratch memory.
    @inline(__always)
    public func parallelFor(_ tasks: Int, _ body: (_ task: Int, _ thread: Int) -> Void) {
        fd_enable_flush_to_zero()
        guard tasks > 0 else { return }
        if threadCount == 1 || tasks == 1 {
            for i in 0..<tasks { body(i, 0) }
            return
        }
        job.run(tasks, body)
    }

    /// Runs `body(thread)` exactly once on every thread of the pool, the caller included (for per-thread
    /// set-up such as the floating-point environment or a profiler's thread-local state).
    public func onEveryThread(_ body: (_ thread: Int) -> Void) {
        let arrived = Atomic<Int>(0)
        parallelFor(threadCount) { _, thread in
            body(thread)
            // Hold this thread here until every thread has taken a task, so no thread takes two.
            arrived.add(1, ordering: .sequentiallyConsistent)
            while arrived.load(ordering: .sequentiallyConsistent) < threadCount { fd_cpu_relax() }
        }
    }

    /// Splits `0..<count` into contiguous ranges of at least `grain` elements (about four per thread, for
    /// balance) and runs `body` on each in parallel.
    @inline(__always)
    public func parallelRanges(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = max(1, min((count + grain - 1) / max(grain, 1), threadCount * 4))
        let size = (count + chunks - 1) / chunks
        let tasks = (count + size - 1) / size
        parallelFor(tasks) { t, _ in body((t * size)..<min(count, (t + 1) * size)) }
    }
}

/// The state one pool's caller and workers share. Workers keep a reference to it, never to the pool, so a
/// pool that is dropped stops its workers.
///
/// The caller joins on tasks, not on workers: it returns as soon as every task of its job has finished, even
/// if a worker has not woken up yet (a descheduled worker must not stall every kernel launch of a pass on a
/// busy machine). A task is claimed by one compare-and-swap on `claim`, which holds the job's generation, its
/// task count and the next task index together; a late worker's claim fails as soon as the generation it saw
/// has moved on or the job's tasks are all taken, so it never runs a task of a job it did not see start, and
/// never runs one twice.
///
/// `@unchecked Sendable`: `body` is written by the caller before the generation in `claim` is bumped
/// (acquiring-and-releasing) and read by a worker only after it has claimed a task of that generation; while
/// a task is claimed and unfinished, the caller cannot return, so `body` stays valid for that worker.
private final class Job: @unchecked Sendable {
    let workers: Int
    /// first: the job's generation; second: task count << 32 | next task index.
    let claim = Atomic<WordPair>(WordPair(first: 0, second: 0))
    let finishedTasks = Atomic<Int>(0)
    let sleepers = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    let sleepLock = NSCondition()
    let callerLock = NSLock()
    /// The running job's body, as a pointer to the caller's local copy of the closure: storing the closure
    /// itself in this object would heap-allocate a context per job.
    var body: UnsafeRawPointer?

    /// Waits a worker makes for the next job before it sleeps: ``spinsBeforeYield`` pauses, then yields
    /// (under a millisecond in all while the machine is otherwise idle).
    static let spinsBeforeSleep = 3_000
    /// Spins a waiting thread makes before it yields its core at each further check instead: on a machine with
    /// more runnable threads than cores (a busy neighbour, the daemon's event loop), a thread spinning on a core
    /// holds off the very thread it waits for.
    static let spinsBeforeYield = 2_000

    init(workers: Int) { self.workers = workers }

    @inline(__always)
    func run(_ tasks: Int, _ body: (Int, Int) -> Void) {
        precondition(tasks < 1 << 31, "parallelFor: \(tasks) tasks")
        callerLock.lock()
        defer { callerLock.unlock() }
        withoutActuallyEscaping(body) { escaping in
            var local = escaping
            withUnsafePointer(to: &local) { pointer in
                self.body = UnsafeRawPointer(pointer)
                finishedTasks.store(0, ordering: .relaxed)
                let generation = claim.load(ordering: .relaxed).first &+ 1
                claim.store(WordPair(first: generation, second: UInt(tasks) << 32), ordering: .sequentiallyConsistent)
                wakeSleepers()
                runTasks(UnsafeRawPointer(pointer), generation: generation, thread: 0)
                var spins = 0
                while finishedTasks.load(ordering: .acquiring) < tasks { Self.pause(&spins) }
            }
        }
    }

    /// One wait of a spin loop: a pause hint, or past ``spinsBeforeYield``, a yield of the core.
    @inline(__always)
    static func pause(_ spins: inout Int) {
        spins += 1
        if spins < spinsBeforeYield { fd_cpu_relax() } else { sched_yield() }
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let current = claim.load(ordering: .relaxed)
        claim.store(WordPair(first: current.first &+ 1, second: 0), ordering: .sequentiallyConsistent)
        wakeSleepers()
    }

    private func wakeSleepers() {
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            sleepLock.lock()
            sleepLock.broadcast()
            sleepLock.unlock()
        }
    }

    /// Claims and runs tasks of job `generation` until none is left or another job has started. `body` points
    /// to the job's closure; it is dereferenced only while a claimed task is unfinished.
    private func runTasks(_ body: UnsafeRawPointer, generation: UInt, thread: Int) {
        while let task = claimTask(generation) {
            Self.run(body, task, thread)
            finishedTasks.add(1, ordering: .releasing)
        }
    }

    /// Calls the closure `body` points to. Not inlined: whatever reference the call takes to the closure's
    /// context is dropped before the task is counted as finished, so the caller's `withoutActuallyEscaping`
    /// never sees a worker still holding it.
    @inline(never)
    private static func run(_ body: UnsafeRawPointer, _ task: Int, _ thread: Int) {
        body.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee(task, thread)
    }

    private func claimTask(_ generation: UInt) -> Int? {
        var current = claim.load(ordering: .acquiring)
        while true {
            let tasks = current.second >> 32, next = current.second & 0xFFFF_FFFF
            guard current.first == generation, next < tasks else { return nil }
            let (exchanged, original) = claim.compareExchange(
                expected: current, desired: WordPair(first: generation, second: current.second + 1), ordering: .acquiringAndReleasing)
            if exchanged { return Int(next) }
            current = original
        }
    }

    func workerLoop(thread: Int) {
        fd_enable_flush_to_zero()
        // Generation 0 is the pool's initial state: a job published before this thread got here still counts.
        var seen: UInt = 0
        while true {
            var spins = 0
            var current = claim.load(ordering: .acquiring).first
            while current == seen {
                if spins < Self.spinsBeforeSleep {
                    Self.pause(&spins)
                } else {
                    sleepLock.lock()
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while claim.load(ordering: .sequentiallyConsistent).first == seen { sleepLock.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    sleepLock.unlock()
                }
                current = claim.load(ordering: .acquiring).first
            }
            seen = current
            if stopping.load(ordering: .acquiring) { return }
            guard let task = claimTask(seen) else { continue }
            // A task of job `seen` is claimed and unfinished: the caller is still waiting, `body` is that job's.
            let job = body!
            Self.run(job, task, thread)
            finishedTasks.add(1, ordering: .releasing)
            runTasks(job, generation: seen, thread: thread)
        }
    }
}
