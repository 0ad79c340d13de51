import Tensor
import Testing

/// ``ProcessorCapabilities``: the highest path from the features, and FORECASTD_ISA lowering it.
@Suite("Processor capabilities and FORECASTD_ISA")
struct ProcessorCapabilitiesTests {
    static let zen4 = ProcessorCapabilities(avx2: true, fma: true, avx512f: true, avx512bf16: true, amxTile: false, amxBF16: false,
                                            amxPermitted: false)
    static let sapphireRapids = ProcessorCapabilities(avx2: true, fma: true, avx512f: true, avx512bf16: true, amxTile: true,
                                                      amxBF16: true, amxPermitted: true)

    @Test("the highest path follows the features; AMX also needs Linux's permission")
    func highest() {
        #expect(Self.zen4.highest == .avx512bf16)
        #expect(Self.sapphireRapids.highest == .amx)
        var refused = Self.sapphireRapids
        refused.amxPermitted = false
        #expect(refused.highest == .avx512bf16)
        #expect(refused.missing(for: .amx) == ["Linux's permission for AMX tile data"])
        let haswell = ProcessorCapabilities(avx2: true, fma: true, avx512f: false, avx512bf16: false, amxTile: false, amxBF16: false,
                                            amxPermitted: false)
        #expect(haswell.highest == .avx2 && haswell.missing(for: .avx512bf16) == ["AVX-512F", "AVX512-BF16"])
    }

    @Test("FORECASTD_ISA lowers the path; above the processor or unknown is an error naming what is missing")
    func selection() throws {
        #expect(try Self.zen4.selected(environment: [:]) == .avx512bf16)
        #expect(try Self.zen4.selected(environment: ["FORECASTD_ISA": "avx2"]) == .avx2)
        #expect(try Self.zen4.selected(environment: ["FORECASTD_ISA": "x86-64"]) == .baseline)
        #expect(throws: InstructionPathError.unavailable(.amx, missing: ["AMX-TILE", "AMX-BF16"], highest: .avx512bf16)) {
            try Self.zen4.selected(environment: ["FORECASTD_ISA": "amx"])
        }
        #expect(throws: InstructionPathError.unknown("sse9")) { try Self.zen4.selected(environment: ["FORECASTD_ISA": "sse9"]) }
    }

    @Test("this machine: the detected path is one it can take, and every lower one too")
    func thisMachine() throws {
        let current = ProcessorCapabilities.current
        print("this machine: \(current.report)")
        for path in InstructionPath.allCases where path <= current.highest {
            #expect(current.missing(for: path).isEmpty, "\(path)")
            #expect(try current.selected(environment: ["FORECASTD_ISA": path.description]) == path)
        }
    }

    @Test("precision choices on every path: fp32 anywhere, bf16 only from avx512-bf16 up (else an error naming AVX512-BF16), auto follows")
    func precision() throws {
        for path in InstructionPath.allCases {
            let bf16 = path >= .avx512bf16
            #expect(try PrecisionChoice.fp32.resolve(on: path) == .fp32)
            #expect(try PrecisionChoice.auto.resolve(on: path) == (bf16 ? .bf16 : .fp32), "\(path)")
            if bf16 {
                #expect(try PrecisionChoice.bf16.resolve(on: path) == .bf16)
            } else {
                #expect(throws: PrecisionError.unavailable(path: path)) { try PrecisionChoice.bf16.resolve(on: path) }
                #expect("\(PrecisionError.unavailable(path: path))".contains("AVX512-BF16"))
            }
        }
    }
}
