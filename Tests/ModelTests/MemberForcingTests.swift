import Foundation
import NetCDF
import OceanGrid
import Surrogate
import Tensor
import TestSupport
import Testing

/// Ensembles forced by a forcing file's own members (ERA5's `number`, CF's `realization`): member k of the
/// ensemble is forced by member k of the file, whatever sets the initial states apart.
@Suite("Member forcing", .enabled(if: Scratch.python(has: ["xarray", "netCDF4"]), "needs python3 with xarray and netCDF4 to write the member files"))
struct MemberForcingTests {
    typealias E = EnsembleForecastTests

    /// In `folder`: `warm.nc`, the sample forcing with t2m 3 K warmer; `number.nc`, the sample and warm forcing as two
    /// members along ERA5's leading `number` dimension; `t2m-only.nc`, the same two members with only t2m holding
    /// them, along a `realization` dimension after time (the other variables shared).
    static func memberFiles(_ folder: String) throws {
        try ForeignInputTests.python("""
            d = xr.open_dataset(sys.argv[1])
            for v in d.variables.values(): v.encoding = {}
            warm = d.copy(deep=True)
            with xr.set_options(keep_attrs=True): warm['t2m'] = warm['t2m'] + np.float32(3)
            warm.to_netcdf(sys.argv[2] + '/warm.nc')
            e = d.copy()
            for v in ['u10', 'v10', 'msl', 't2m', 'd2m', 'ssr', 'strd', 'mtpr']: e[v] = xr.concat([d[v], warm[v]], dim='number')
            e['number'] = ('number', np.array([0, 1], dtype='int64'), {'long_name': 'ensemble member numerical id', 'units': '1'})
            e.to_netcdf(sys.argv[2] + '/number.nc')
            t = d.copy()
            t['t2m'] = xr.concat([d['t2m'], warm['t2m']], dim='realization').transpose('time', 'realization', 'latitude', 'longitude')
            t['realization'] = ('realization', np.array([1, 2], dtype='int32'), {'standard_name': 'realization'})
            t.to_netcdf(sys.argv[2] + '/t2m-only.nc')
            """, [E.sample + "/data/forcing.nc", folder])
    }

    @Test("Member k is forced by the file's member k: bit for bit the single forecast from that member's forcing, the member dimension first or after time, on every variable or one")
    func membersForcedByTheirOwn() throws {
        let folder = try Scratch.folder("member-forcing")
        try Self.memberFiles(folder)
        let pool = ThreadPool(threads: 2)
        func run(_ out: String, forcing: String?, members: Int, perturbation: Perturbation = .forcing) throws {
            var r = E.request(folder + "/" + out, members: members, perturbation: perturbation)
            if let forcing { r.forcing = folder + "/" + forcing }
            _ = try ForecastJob.run(r, pool: pool)
        }
        try run("plain.nc", forcing: nil, members: 1)
        try run("warm-single.nc", forcing: "warm.nc", members: 1)
        try run("number.nc", forcing: "number.nc", members: 2)
        try run("t2m-only.nc", forcing: "t2m-only.nc", members: 2)
        let plain = try E.contents(folder + "/plain.nc"), warm = try E.contents(folder + "/warm-single.nc")
        #expect(plain["thetao"]! != warm["thetao"]!, "3 K warmer air did not change the forecast")
        for name in ["number", "t2m-only"] {
            #expect(E.bits(try E.contents(folder + "/\(name)_member01.nc")) == E.bits(plain), "\(name): member 1 is not the forecast from member 1's forcing")
            #expect(E.bits(try E.contents(folder + "/\(name)_member02.nc")) == E.bits(warm), "\(name): member 2 is not the forecast from member 2's forcing")
        }
        let description = try CFDataset(path: folder + "/number_member02.nc").file.root.attributes()["forecastd_ensemble"]?.text
        #expect(description == "member 2 of 2: the forcing file's members, the initial state unperturbed", "\(description ?? "none")")
        // With Gaussian perturbations as well, member 1 (forced by the sample forcing) is member 1 of the ensemble
        // on the sample forcing alone; member 2 is not member 2 of it (other air, other spread of its own).
        try run("gaussian.nc", forcing: "number.nc", members: 2, perturbation: .gaussian)
        try run("gaussian-plain.nc", forcing: nil, members: 2, perturbation: .gaussian)
        #expect(E.bits(try E.contents(folder + "/gaussian_member01.nc")) == E.bits(try E.contents(folder + "/gaussian-plain_member01.nc")))
        #expect(try E.contents(folder + "/gaussian_member02.nc")["thetao"]! != E.contents(folder + "/gaussian-plain_member02.nc")["thetao"]!)
    }

    @Test("Refused before anything is written: a member count other than the file's, the forcing perturbation without members, the stepper on member forcing")
    func refusals() throws {
        let folder = try Scratch.folder("member-forcing-refusals")
        try Self.memberFiles(folder)
        let outputs = try Scratch.folder("member-forcing-refusals-out")
        let pool = ThreadPool(threads: 1)
        for members in [1, 3] {
            var r = E.request(outputs + "/m\(members).nc", members: members)
            r.forcing = folder + "/number.nc"
            do {
                _ = try ForecastJob.run(r, pool: pool)
                Issue.record("\(members) members on a 2-member forcing ran")
            } catch let error as ForecastError {
                let text = "\(error)"
                #expect(text.contains("number.nc") && text.contains("2 members along 'number'") && text.contains("asks for \(members)"), "\(text)")
            }
        }
        let unforced = E.request(outputs + "/none.nc", members: 2, perturbation: .forcing)
        do {
            _ = try ForecastJob.run(unforced, pool: pool)
            Issue.record("the forcing perturbation ran on a forcing without members")
        } catch let error as ForecastError {
            #expect("\(error)".contains("forcing.nc") && "\(error)".contains("has no members"), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outputs).isEmpty, "a refused ensemble left files")
        guard let binary = Scratch.forecastd else { print("skipped: the stepper's refusal needs the forecastd binary"); return }
        let stepper = try #require(Scratch.run(binary, ["simulate", "--config", E.sample + "/stepper-config.json", "--init", E.sample + "/data/init.nc",
                                                        "--forcing", folder + "/number.nc", "--days", "1", "--out", outputs + "/stepper.nc"]))
        #expect(stepper.status == 65 && stepper.output.contains("number.nc") && stepper.output.contains("2 members along 'number'"), "\(stepper.output)")
        let run = try #require(Scratch.run(binary, ["run", "--model", E.sample, "--init", E.sample + "/data/init.nc", "--forcing", folder + "/number.nc",
                                                    "--days", "1", "--members", "3", "--out", outputs + "/cli.nc"]))
        #expect(run.status == 65 && run.output.contains("asks for 3"), "\(run.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outputs).isEmpty, "a refused forecast left files")
    }
}
