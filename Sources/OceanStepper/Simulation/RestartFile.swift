import OceanGrid
import Foundation
import NetCDF

/// A stepper's whole state at the end of a day as NetCDF: every field a step reads from the one before
/// (velocities on their faces, tracers, vertical velocity, free surface, barotropic velocities, the
/// Adams-Bashforth history, the salinity restoring reference)
/// in double precision, the step count and history depth, the run's reference time and the state's date, and
/// the identity of the run that wrote it. Written under a temporary name, flushed and renamed into place: a
/// restart file is whole or absent. Reading one back continues a run bit for bit.
public struct RestartFile: Sendable {
    /// What was read: the day of the run it ends, the run's start and the state's date.
    public struct Header: Sendable {
        public var day: Int
        public var reference: CFDateTime
        public var date: CFDateTime
        public var identity: String
    }

    static let fields: [StepperField] = [.u, .v, .t, .s, .w, .eta, .ubt, .vbt, .gu0, .gu1, .gu2, .gv0, .gv1, .gv2,
                                          .sssReference]
    /// The global attribute that marks a restart file.
    static let marker = "forecastd_restart"

    /// Writes `stepper`'s state after `day` days of the run started at `reference`.
    static func write(_ stepper: OceanStepper, day: Int, reference: CFDateTime, identity: String, to path: String) throws {
        let output = try AtomicOutput(path: path)
        do {
            let file = try NetCDFFile.create(output.temporaryPath)
            let grid = stepper.grid, root = file.root
            let z = try root.defineDimension("level", length: grid.nz)
            let y = try root.defineDimension("y", length: grid.ny), x = try root.defineDimension("x", length: grid.nx)
            var variables: [(StepperField, Variable)] = []
            for field in fields {
                let dims = field.levels(grid.nz) > 1 ? [z, y, x] : [y, x]
                variables.append((field, try root.defineVariable(field.rawValue, type: .double, dimensions: dims)))
            }
            let date = AtmosphereForcing.date(reference, plus: day)
            try root.setAttribute(marker, .text("1"))
            try root.setAttribute("day", .numbers([Double(day)], type: .int))
            try root.setAttribute("steps", .numbers([Double(stepper.steps)], type: .int))
            try root.setAttribute("history", .numbers([Double(stepper.history)], type: .int))
            try root.setAttribute("reference_time", .text(reference.description))
            try root.setAttribute("date", .text(date.description))
            try root.setAttribute("run", .text(identity))
            try file.endDefinitions()
            for (field, variable) in variables {
                let values = stepper.read(field)
                try variable.write(values, start: variable.shape.map { _ in 0 }, count: variable.shape)
            }
            try file.close()
            try output.commit(sync: true)
        } catch {
            output.abandon()
            throw error
        }
    }

    /// Whether `path` is a restart file (rather than a CF initial state).
    static func isRestart(_ path: String) -> Bool {
        guard let file = try? NetCDFFile.open(path) else { return false }
        defer { try? file.close() }
        return (try? file.root.attributes()[marker]) != nil
    }

    /// Reads the header of `path`.
    static func header(_ path: String) throws -> Header {
        let file = try NetCDFFile.open(path)
        defer { try? file.close() }
        return try header(file.root.attributes(), path: path)
    }

    private static func header(_ a: [String: AttributeValue], path: String) throws -> Header {
        guard let day = a["day"]?.number, let reference = a["reference_time"]?.text.flatMap({ CFDateTime(parsing: $0) }),
              let date = a["date"]?.text.flatMap({ CFDateTime(parsing: $0) }), let identity = a["run"]?.text else {
            throw StepperError.input(path: path, variable: nil, detail: "not a forecastd restart file (day, reference_time, date or run missing)")
        }
        return Header(day: Int(day), reference: reference, date: date, identity: identity)
    }

    /// Sets `stepper`'s state from `path`; the grid must be the stepper's.
    static func read(_ path: String, into stepper: OceanStepper) throws -> Header {
        let file = try NetCDFFile.open(path)
        defer { try? file.close() }
        let grid = stepper.grid, root = file.root, attributes = try root.attributes()
        let header = try header(attributes, path: path)
        for field in fields {
            let variable: Variable
            do { variable = try root.variable(field.rawValue) } catch {
                throw StepperError.input(path: path, variable: field.rawValue, detail: "missing from the restart file")
            }
            let expected = field.levels(grid.nz) > 1 ? [grid.nz, grid.ny, grid.nx] : [grid.ny, grid.nx]
            guard variable.shape == expected else {
                throw StepperError.input(path: path, variable: field.rawValue,
                                         detail: "shape \(variable.shape), but the configuration's grid needs \(expected)")
            }
            let values = try variable.readRaw()
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw StepperError.input(path: path, variable: field.rawValue, detail: "non-finite value at index \(bad)")
            }
            stepper.write(field, values)
        }
        stepper.restoreCounters(steps: Int(attributes["steps"]?.number ?? 0), history: Int(attributes["history"]?.number ?? 3))
        return header
    }
}
