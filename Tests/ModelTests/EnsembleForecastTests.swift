import Foundation
import NetCDF
import OceanGrid
import Surrogate
import Tensor
import TestSupport
import Testing

/// Ensemble forecasts on weights-sample, in process: members, their files, statistics and refusals.
@Suite("Ensemble forecasts")
struct EnsembleForecastTests {
    static let sample = Scratch.repository + "/weights-sample"

    static func request(_ out: String, members: Int, perturbation: Perturbation = .gaussian, seed: UInt64 = 7,
                        days: Int = 2) -> ForecastRequest {
        var r = ForecastRequest(model: sample, initial: sample + "/data/init.nc", forcing: sample + "/data/forcing.nc", output: out)
        r.days = days
        r.deflateLevel = 0
        r.ensemble.members = members
        r.ensemble.perturbation = perturbation
        r.ensemble.seed = seed
        return r
    }

    static func contents(_ path: String) throws -> [String: [Float]] { try ForecastJobTests.contents(path) }

    static func bits(_ fields: [String: [Float]]) -> [String: [UInt32]] { fields.mapValues { $0.map(\.bitPattern) } }

    @Test("Members (gaussian, bred): files per member with CF realization, reproducible for a seed, member k of 4 equals member k of 2, land and ranges kept",
          arguments: [Perturbation.gaussian, .bred])
    func members(perturbation: Perturbation) throws {
        let folder = try Scratch.folder("ensemble-\(perturbation.rawValue)")
        let pool = ThreadPool(threads: 2)
        let summary = try ForecastJob.run(Self.request(folder + "/four.nc", members: 4, perturbation: perturbation), pool: pool)
        #expect(summary.outputs == (1...4).map { folder + String(format: "/four_member%02d.nc", $0) })
        _ = try ForecastJob.run(Self.request(folder + "/again.nc", members: 4, perturbation: perturbation), pool: pool)
        _ = try ForecastJob.run(Self.request(folder + "/two.nc", members: 2, perturbation: perturbation), pool: pool)
        _ = try ForecastJob.run(Self.request(folder + "/other.nc", members: 2, perturbation: perturbation, seed: 8), pool: pool)
        _ = try ForecastJob.run(Self.request(folder + "/single.nc", members: 1), pool: pool)
        let single = try Self.contents(folder + "/single.nc")
        let four = try (1...4).map { try Self.contents(folder + String(format: "/four_member%02d.nc", $0)) }
        for m in 1...4 {
            let again = try Self.contents(folder + String(format: "/again_member%02d.nc", m))
            #expect(Self.bits(again) == Self.bits(four[m - 1]), "member \(m): two runs with one seed differ")
        }
        for m in 1...2 {
            let two = try Self.contents(folder + String(format: "/two_member%02d.nc", m))
            #expect(Self.bits(two) == Self.bits(four[m - 1]), "member \(m) of 2 differs from member \(m) of 4")
            let other = try Self.contents(folder + String(format: "/other_member%02d.nc", m))
            #expect(other["thetao"]! != four[m - 1]["thetao"]!, "another seed gave the same member \(m)")
        }
        for (m, member) in four.enumerated() {
            for name in single.keys {
                #expect(zip(member[name]!, single[name]!).allSatisfy { $0.isNaN == $1.isNaN }, "member \(m + 1), \(name): land moved")
            }
            #expect(member["thetao"]! != single["thetao"]!, "member \(m + 1) equals the deterministic forecast")
            #expect(member["thetao"]!.filter { !$0.isNaN }.allSatisfy { (-2.5...40).contains($0) })
            let file = try CFDataset(path: folder + String(format: "/four_member%02d.nc", m + 1))
            let realization = try file.variable("realization")
            #expect(try file.read(realization, start: [], count: []) == [Float(m + 1)])
            #expect(try realization.attributes()["standard_name"]?.text == "realization")
            #expect(try file.variable("thetao").attributes()["coordinates"]?.text == "realization")
        }
        // xarray stacks the member files along their realization coordinate.
        if Scratch.python(has: ["xarray", "netCDF4"]) {
            let files = (1...4).map { folder + String(format: "/four_member%02d.nc", $0) }
            let code = "import sys, xarray as xr; d = xr.concat([xr.open_dataset(f) for f in sys.argv[1:]], dim='realization'); "
                + "print(list(d['thetao'].dims), list(map(int, d['realization'].values)))"
            let result = try #require(Scratch.run("python3", ["-c", code] + files))
            #expect(result.status == 0 && result.output.contains("['realization', 'time', 'depth', 'latitude', 'longitude'] [1, 2, 3, 4]"),
                    "\(result.output)")
        } else {
            print("skipped: the xarray check of the member files needs python3 with xarray and netCDF4")
        }
        // Pairs start on opposite sides of the initial state: after one day they still straddle the deterministic day.
        let day = 8 * 128 * 128
        func departure(_ member: [String: [Float]]) -> [Double] {
            zip(member["thetao"]!.prefix(day), single["thetao"]!.prefix(day)).filter { !$0.0.isNaN }.map { Double($0.0 - $0.1) }
        }
        let up = departure(four[0]), down = departure(four[1])
        let product: Double = zip(up, down).map { $0 * $1 }.reduce(0, +)
        let norms: Double = up.map { $0 * $0 }.reduce(0, +) * down.map { $0 * $0 }.reduce(0, +)
        let correlation = product / norms.squareRoot()
        #expect(correlation < -0.5, "members 1 and 2 are not a pair of opposite perturbations (correlation \(correlation))")
    }

    @Test("Lagged members: member 1 is the forecast from the start, member 3 the forecast from two days earlier, two days on")
    func lagged() throws {
        let folder = try Scratch.folder("ensemble-lagged")
        let pool = ThreadPool(threads: 2)
        // truth.nc holds the sample's daily states 2004-06-02 ... 06-16: an init file with several times.
        func request(_ out: String, start: String, members: Int, days: Int) -> ForecastRequest {
            var r = Self.request(folder + "/" + out, members: members, perturbation: .lagged, days: days)
            r.initial = Self.sample + "/data/truth.nc"
            r.start = start
            return r
        }
        _ = try ForecastJob.run(request("lag.nc", start: "2004-06-05", members: 3, days: 2), pool: pool)
        _ = try ForecastJob.run(request("now.nc", start: "2004-06-05", members: 1, days: 2), pool: pool)
        _ = try ForecastJob.run(request("early.nc", start: "2004-06-03", members: 1, days: 4), pool: pool)
        let now = try Self.contents(folder + "/now.nc"), early = try Self.contents(folder + "/early.nc")
        let first = try Self.contents(folder + "/lag_member01.nc"), third = try Self.contents(folder + "/lag_member03.nc")
        #expect(Self.bits(first) == Self.bits(now), "the unlagged member is not the forecast from the start")
        for name in now.keys {
            let perDay = now[name]!.count / 2, lateDays = Array(early[name]![(2 * perDay)...])
            let worst = zip(third[name]!, lateDays).map { $0.isNaN && $1.isNaN ? 0 : abs(Double($0) - Double($1)) }.max() ?? .infinity
            let scale = lateDays.filter { !$0.isNaN }.map { abs(Double($0)) }.max() ?? 1
            #expect(worst <= 1e-5 * max(scale, 1), "\(name): the 2-day lagged member differs from the forecast from 06-03 by \(worst)")
        }
        let tooEarly = request("none.nc", start: "2004-06-03", members: 3, days: 1)
        #expect(throws: ForecastError.self) { _ = try ForecastJob.run(tooEarly, pool: pool) }
        #expect(!FileManager.default.fileExists(atPath: folder + "/none_member01.nc"))
    }

    @Test("Mean and spread files: the mean and standard deviation (N - 1) of the member files")
    func statistics() throws {
        let folder = try Scratch.folder("ensemble-statistics")
        var request = Self.request(folder + "/e.nc", members: 3, days: 2)
        request.ensemble.statistics = true
        let summary = try ForecastJob.run(request, pool: ThreadPool(threads: 2))
        #expect(summary.outputs.suffix(2) == [folder + "/e_mean.nc", folder + "/e_spread.nc"])
        let members = try (1...3).map { try Self.contents(folder + "/e_member0\($0).nc") }
        let mean = try Self.contents(folder + "/e_mean.nc"), spread = try Self.contents(folder + "/e_spread.nc")
        for name in mean.keys {
            var worst = 0.0
            for i in mean[name]!.indices {
                let values = members.map { Double($0[name]![i]) }
                guard !values[0].isNaN else {
                    #expect(mean[name]![i].isNaN && spread[name]![i].isNaN)
                    continue
                }
                let mu = values.reduce(0, +) / 3, sd = (values.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / 2).squareRoot()
                worst = max(worst, abs(Double(mean[name]![i]) - mu) / max(abs(mu), 1), abs(Double(spread[name]![i]) - sd) / max(abs(mu), 1))
            }
            #expect(worst < 1e-5, "\(name): mean or spread off by \(worst)")
            #expect(spread[name]!.contains { $0 > 0 }, "\(name): no spread")
        }
        let attributes = try CFDataset(path: folder + "/e_spread.nc").file.root.attributes()
        #expect(attributes["forecastd_ensemble"]?.text?.hasPrefix("standard deviation of 3 members") == true)
        // verify finds the members beside the run's --out and scores them; no members there is exit 66.
        guard let binary = Scratch.forecastd else { print("skipped: verify --ensemble needs the forecastd binary"); return }
        let verify = try #require(Scratch.run(binary, ["verify", "--truth", Self.sample + "/data/truth.nc", "--init", Self.sample + "/data/init.nc",
                                                       "--ensemble", "ens=" + folder + "/e.nc", "--json"]))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(verify.output.utf8)) as? [String: Any], "\(verify.output)")
        let scores = report["ensembleScores"] as? [[String: Any]] ?? []
        #expect(verify.status == 0 && scores.count == 2 * (4 * 8 + 1), "\(scores.count) ensemble scores")
        #expect(scores.allSatisfy { ($0["members"] as? Int) == 3 && (($0["crps"] as? Double) ?? -1) >= 0 })
        #expect((report["systems"] as? [[String: Any]])?.contains { $0["name"] as? String == "ens-mean" } == true)
        let missing = try #require(Scratch.run(binary, ["verify", "--truth", Self.sample + "/data/truth.nc", "--ensemble", folder + "/none.nc"]))
        #expect(missing.status == 66 && missing.output.contains("none_member01.nc"), "\(missing.output)")
    }

    @Test("Refused before anything is written: 0 members, statistics of one member, a scale out of range, bred shorter than its cycles")
    func refusals() throws {
        let folder = try Scratch.folder("ensemble-refusals")
        var zero = Self.request(folder + "/z.nc", members: 0)
        #expect(throws: ForecastRequestError(field: .members, problem: "must be 1 to 1024, got 0")) { try zero.validate() }
        zero.ensemble.members = 1
        zero.ensemble.statistics = true
        #expect(throws: ForecastRequestError(field: .ensembleStatistics, problem: "needs an ensemble of 2 members or more")) { try zero.validate() }
        var scale = Self.request(folder + "/s.nc", members: 2)
        scale.ensemble.amplitude = -1
        #expect(throws: ForecastRequestError.self) { try scale.validate() }
        #expect(throws: ForecastRequestError.self) { _ = try ForecastRequest.perturbation("lagged-by-magic") }
        let short = Self.request(folder + "/b.nc", members: 2, perturbation: .bred, days: 1)
        #expect(throws: ForecastRequestError.self) { _ = try ForecastJob.run(short, pool: ThreadPool(threads: 1)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "a refused ensemble left files")
    }

    @Test("Perturbation sizes per variable: X or VARIABLE=X; each channel's Gaussian field has its variable's size times its spread")
    func amplitudes() throws {
        var options = EnsembleOptions()
        options.seed = 9
        try options.setAmplitudes(entries: ["2", "zos=0", "so=0.5"])
        #expect(options.amplitude(of: .thetao) == 2 && options.amplitude(of: .zos) == 0 && options.amplitude(of: .so) == 0.5)
        #expect(options.amplitudeEntries == ["2.0", "so=0.5", "zos=0.0"])
        #expect(throws: ForecastRequestError.self) { try options.setAmplitudes(entries: ["speed=2"]) }
        #expect(throws: ForecastRequestError.self) { try options.setAmplitudes(entries: ["zos=big"]) }
        let model = try ForecastModel(folder: Self.sample, pool: ThreadPool(threads: 1))
        let spread = (0..<33).map { Float($0 + 1) / 10 }
        let field = MemberPerturbations.gaussian(member: 3, options: options, spread: spread, model: model, height: 64, width: 48)
        for (variable, size) in [(OceanVariable.thetao, Float(2)), (.so, 0.5), (.zos, 0)] {
            let channel = model.channel(variable), values = field.subtensor(channel).toArray()
            let rms = (values.map { Double($0) * Double($0) }.reduce(0, +) / Double(values.count)).squareRoot()
            #expect(abs(rms - Double(size * spread[channel])) <= 1e-4, "\(variable): RMS \(rms), expected \(size * spread[channel])")
        }
        let mirror = MemberPerturbations.gaussian(member: 2, options: options, spread: spread, model: model, height: 64, width: 48)
        #expect(zip(field.toArray(), mirror.toArray()).allSatisfy { $0 == -$1 }, "members 3 and 4 (indices 2, 3) are not a pair")
    }

    @Test("An ensemble too large for memory is refused with the estimate and the members that fit")
    func memory() throws {
        let model = try Surrogate(folder: Self.sample, pool: ThreadPool(threads: 1))
        var options = EnsembleOptions()
        options.members = 1000
        let one = EnsembleOptions().memoryBytes(model.configuration, height: 128, width: 128)
        #expect(options.memoryBytes(model.configuration, height: 128, width: 128) == 1000 * one)
        do {
            try options.requireMemory(model.configuration, height: 128, width: 128, weights: 1e6, available: 1e6 + 10.5 * one)
            Issue.record("1000 members fit in the memory of 10")
        } catch let error as ForecastRequestError {
            #expect(error.field == .members && error.problem.contains("about 10 would fit"), "\(error)")
        }
        try options.requireMemory(model.configuration, height: 128, width: 128, weights: 1e6, available: 1e6 + 1001 * one)
    }
}
