import OceanGrid
import Foundation

/// Initial states a configuration can describe without a file (see ``StepperConfiguration/Initial``).
public enum InitialOcean {
    /// Temperature and salinity [nz][ny][nx] for `initial` on `grid`.
    public static func tracers(_ initial: StepperConfiguration.Initial?, grid: StepperGrid, path: String) throws
        -> (temperature: [Double], salinity: [Double]) {
        let i = initial ?? .init(kind: "stratified")
        let plane = grid.ny * grid.nx
        switch i.kind {
        case "uniform":
            return ([Double](repeating: i.temperature ?? 10, count: grid.nz * plane),
                    [Double](repeating: i.salinity ?? 35, count: grid.nz * plane))
        case "stratified":
            let warm = i.equatorTemperature ?? 27, cold = i.poleTemperature ?? 0, deep = i.deepTemperature ?? 2
            let scale = i.thermoclineDepth ?? 500, s0 = i.salinity ?? 34.7, sSurface = i.surfaceSalinity ?? 35.5
            var t = [Double](repeating: 0, count: grid.nz * plane), s = t
            for k in 0..<grid.nz {
                let decay = exp(-grid.levels[k] / scale)
                for j in 0..<grid.ny {
                    let sine = sin(grid.latitudes[j] * .pi / 180)
                    let surface = warm - (warm - cold) * sine * sine
                    for n in 0..<grid.nx {
                        t[k * plane + j * grid.nx + n] = deep + (max(surface, deep) - deep) * decay
                        s[k * plane + j * grid.nx + n] = s0 + (sSurface - s0) * decay
                    }
                }
            }
            return (t, s)
        default:
            throw StepperError.configuration(path: path, field: "initial.kind", detail: "'\(i.kind)' is not uniform or stratified")
        }
    }
}
