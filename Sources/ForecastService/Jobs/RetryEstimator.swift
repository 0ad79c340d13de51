/// The `Retry-After` of a 429: the jobs waiting ahead times the mean duration of the last finished jobs (10 s
/// until one has finished), at least 1 s.
struct RetryEstimator {
    /// Finished jobs the mean is taken over.
    static let window = 10
    private var recent: [Double] = []

    /// Notes how long a finished job took.
    mutating func record(seconds: Double) {
        recent = Array((recent + [seconds]).suffix(Self.window))
    }

    /// Seconds a client should wait before submitting again while `waiting` jobs wait.
    func retryAfter(waiting: Int) -> Int {
        let typical = recent.isEmpty ? 10 : recent.reduce(0, +) / Double(recent.count)
        return max(1, Int((typical * Double(waiting)).rounded(.up)))
    }
}
