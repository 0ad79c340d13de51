import Foundation
import OceanGrid
import Surrogate

/// A job as `GET /jobs/{id}` shows it: OGC API - Processes' statusInfo, with forecastd's fields beside it.
struct StatusInfo: Encodable {
    struct Link: Encodable {
        let href: String
        let rel: String
        let type: String?
    }

    let jobID: String
    let processID = "forecast"
    let type = "process"
    let status: JobStatus
    let message: String?
    let created: Date
    let started: Date?
    let finished: Date?
    let updated: Date
    /// Percent of the forecast days done.
    let progress: Int
    let day: Int
    let days: Int
    let attempts: Int
    let inputs: JobInputs
    /// Seconds per phase (read, fluxes, network, write) of a successful forecast.
    let timings: ForecastTimings?
    let resultBytes: Int?
    let links: [Link]

    init(_ record: JobRecord) {
        jobID = record.id
        status = record.status
        message = record.message
        created = record.created
        started = record.started
        finished = record.finished
        updated = record.updated
        day = record.status == .successful ? record.inputs.days : record.day
        days = record.inputs.days
        progress = 100 * day / max(1, days)
        attempts = record.attempts
        inputs = record.inputs
        timings = record.timings
        resultBytes = record.resultBytes
        var links = [Link(href: "/jobs/\(record.id)", rel: "self", type: "application/json")]
        if record.status == .successful {
            links.append(Link(href: "/jobs/\(record.id)/results", rel: "http://www.opengis.net/def/rel/ogc/1.0/results",
                              type: "application/x-netcdf"))
        }
        self.links = links
    }
}
