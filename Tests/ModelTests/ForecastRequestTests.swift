import Foundation
import OceanGrid
import Surrogate
import TestSupport
import Testing

@Suite("ForecastRequest: every rule once, errors naming the field")
struct ForecastRequestTests {
    static func request(days: Int = 15, deflate: Int = 1) -> ForecastRequest {
        var r = ForecastRequest(model: "model", initial: "in/init.nc", forcing: "in/forcing.nc", output: "out/forecast.nc")
        r.days = days
        r.deflateLevel = deflate
        return r
    }

    @Test("Defaults and the edges of every range pass")
    func valid() throws {
        try Self.request().validate()
        try Self.request(days: 1, deflate: 0).validate()
        try Self.request(days: 366, deflate: 9).validate()
    }

    @Test("Out-of-range days and deflate name their field and the allowed range")
    func ranges() {
        #expect(throws: ForecastRequestError(field: .days, problem: "must be 1 to 366, got 0")) { try Self.request(days: 0).validate() }
        #expect(throws: ForecastRequestError(field: .days, problem: "must be 1 to 366, got 367")) { try Self.request(days: 367).validate() }
        #expect(throws: ForecastRequestError(field: .deflate, problem: "must be 0-9, got 10")) { try Self.request(deflate: 10).validate() }
        #expect("\(ForecastRequestError(field: .forcingMode, problem: "x"))" == "forcing_mode x")
    }

    @Test("An empty path, or an output that is one of the inputs (also through a symbolic link), is refused")
    func paths() throws {
        var empty = Self.request()
        empty.forcing = ""
        #expect(throws: ForecastRequestError.self) { try empty.validate() }
        var same = Self.request()
        same.output = same.initial
        #expect { try same.validate() } throws: { ($0 as? ForecastRequestError)?.field == .output }
        let folder = try Scratch.folder()
        FileManager.default.createFile(atPath: folder + "/init.nc", contents: Data())
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.nc", withDestinationPath: folder + "/init.nc")
        var linked = Self.request()
        linked.initial = folder + "/init.nc"
        linked.output = folder + "/./link.nc"
        #expect { try linked.validate() } throws: { ($0 as? ForecastRequestError)?.field == .output }
    }

    @Test("State variable names from VARIABLE=NAME pairs and from a map; unknown variables and empty names refused")
    func stateNames() throws {
        #expect(try ForecastRequest.stateNames(pairs: ["thetao=votemper", "zos=ssh"]) == [.thetao: "votemper", .zos: "ssh"])
        #expect(try ForecastRequest.stateNames(["so": "vosaline"]) == [.so: "vosaline"])
        #expect { try ForecastRequest.stateNames(pairs: ["temperature=votemper"]) } throws: {
            ($0 as? ForecastRequestError)?.field == .variables && "\($0)".contains("'temperature' is not one of uo, vo, thetao, so, zos")
        }
        #expect(throws: ForecastRequestError.self) { try ForecastRequest.stateNames(pairs: ["thetao"]) }
        #expect(throws: ForecastRequestError.self) { try ForecastRequest.stateNames(["thetao": ""]) }
    }

    @Test("Quantize: BITS for every variable, VARIABLE=BITS for one (later wins); 1-23 bits, float32 output only")
    func quantize() throws {
        let all = try ForecastRequest.quantizeBits(entries: ["12", "thetao=16"])
        #expect(all == [.uo: 12, .vo: 12, .thetao: 16, .so: 12, .zos: 12])
        #expect { try ForecastRequest.quantizeBits(entries: ["temperature=12"]) } throws: {
            ($0 as? ForecastRequestError)?.field == .quantize && "\($0)".contains("'temperature=12'")
        }
        #expect(throws: ForecastRequestError.self) { try ForecastRequest.quantizeBits(entries: ["thetao=many"]) }
        var request = Self.request()
        request.quantizeBits = [.thetao: 1, .so: 23]
        try request.validate()
        request.quantizeBits = [.thetao: 24]
        #expect(throws: ForecastRequestError(field: .quantize, problem: "keeps 1 to 23 significant bits, got 24 for thetao")) {
            try request.validate()
        }
        request.quantizeBits = [.thetao: 12]
        request.encoding = .int16
        #expect { try request.validate() } throws: { ($0 as? ForecastRequestError)?.field == .quantize }
    }

    @Test("Accumulation periods: 1h, 24h, 1d, 90min, 3600s; CF cell_methods intervals of a sum; anything else refused")
    func accumulationPeriods() throws {
        for (text, seconds) in [("1h", 3_600.0), ("24h", 86_400), ("1d", 86_400), ("90min", 5_400), ("3600s", 3_600), (" 3 h", 10_800)] {
            #expect(try ForecastRequest.accumulationPeriod(text).seconds == seconds, "\(text)")
        }
        for text in ["soon", "0h", "40d", "h", "-1h", "1 fortnight", ""] {
            #expect(throws: ForecastRequestError.self, "\(text)") { try ForecastRequest.accumulationPeriod(text) }
        }
        #expect(AccumulationPeriod(cellMethods: "time: sum (interval: 1 hour)")?.seconds == 3_600)
        #expect(AccumulationPeriod(cellMethods: "time: mean (interval: 1 day) time: sum (interval: 3 hours)")?.seconds == 10_800)
        #expect(AccumulationPeriod(cellMethods: "time: sum") == nil)
        #expect(AccumulationPeriod(cellMethods: "time: mean (interval: 1 hour)") == nil)
    }
}
