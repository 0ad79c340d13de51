import Metrics
import Prometheus

/// The service's metrics, kept through swift-metrics with swift-prometheus as its backend and served as
/// Prometheus text on `GET /metrics`:
///
/// - `forecastd_jobs{state=...}`: jobs in each state (accepted, running, successful, failed, dismissed);
/// - `forecastd_queue_depth`: jobs waiting;
/// - `forecastd_forecast_day_seconds`: histogram of the time one forecast day takes (read, fluxes, network, write);
/// - `forecastd_forecast_days_total`: forecast days computed;
/// - `forecastd_models_ready`: 1 once every model is loaded;
/// - HTTP request counts and durations by route (Hummingbird's metrics middleware).
final class ServiceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let jobs: [JobStatus: Metrics.Gauge]
    private let queueDepth: Metrics.Gauge
    private let dayDuration: Metrics.Timer
    private let daysComputed: Metrics.Counter
    private let modelsReady: Metrics.Gauge

    /// Makes the registry and bootstraps swift-metrics with it; call once per process.
    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["forecastd_forecast_day_seconds"] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
        jobs = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map {
            ($0, Metrics.Gauge(label: "forecastd_jobs", dimensions: [("state", $0.rawValue)]))
        })
        queueDepth = Metrics.Gauge(label: "forecastd_queue_depth")
        dayDuration = Metrics.Timer(label: "forecastd_forecast_day_seconds", preferredDisplayUnit: .seconds)
        daysComputed = Metrics.Counter(label: "forecastd_forecast_days_total")
        modelsReady = Metrics.Gauge(label: "forecastd_models_ready")
        modelsReady.record(0)
    }

    func record(jobCounts: [JobStatus: Int]) {
        for (status, gauge) in jobs { gauge.record(jobCounts[status] ?? 0) }
        queueDepth.record(jobCounts[.accepted] ?? 0)
    }

    func recordDay(seconds: Double) {
        dayDuration.recordNanoseconds(Int64(seconds * 1e9))
        daysComputed.increment()
    }

    func recordModelsReady() { modelsReady.record(1) }

    /// The Prometheus text exposition of every metric.
    func exposition() -> String { registry.emitToString() }
}
