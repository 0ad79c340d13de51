import OceanGrid
import Testing

/// ``GridPlacement``: which file orders hold the model's points, and that reordering restores the model's order.
@Suite("Grid placement: north-to-south latitudes and rotated longitudes onto the model's grid")
struct GridPlacementTests {
    static let latitudes: [Double] = [-60, -20, 20, 60]
    static let longitudes: [Double] = [-180, -90, 0, 90]

    /// Values of a 4 x 4 plane in the model's order: row * 10 + column.
    static let model: [Float] = (0..<16).map { Float($0 / 4 * 10 + $0 % 4) }

    @Test("A file in 0..360 starting at 0 and running north to south is found and put back in the model's order")
    func rotatedAndReversed() throws {
        let fileLongitudes: [Double] = [0, 90, 180, 270]
        let placement = try #require(GridPlacement.matching(fileLatitudes: Self.latitudes.reversed(), fileLongitudes: fileLongitudes,
                                                            latitudes: Self.latitudes, longitudes: Self.longitudes, tolerance: 1e-6))
        #expect(placement == GridPlacement(reversedLatitudes: true, longitudeShift: 2))
        // The file's plane: file row r is model row 3 - r; file column c is model column (c + 2) % 4.
        var file = (0..<16).map { i -> Float in
            let (r, c) = (i / 4, i % 4)
            return Self.model[(3 - r) * 4 + (c + 2) % 4]
        }
        var scratch = [Float](repeating: 0, count: 16)
        file.withUnsafeMutableBufferPointer { f in
            scratch.withUnsafeMutableBufferPointer { placement.reorder(f.baseAddress!, planes: 1, height: 4, width: 4, scratch: $0.baseAddress!) }
        }
        #expect(file == Self.model)
        #expect(placement.note?.contains("north to south") == true)
    }

    @Test("The model's own order is the identity and says nothing; other points are no placement")
    func identityAndMismatch() {
        #expect(GridPlacement.matching(fileLatitudes: Self.latitudes, fileLongitudes: Self.longitudes, latitudes: Self.latitudes,
                                       longitudes: Self.longitudes, tolerance: 1e-6) == .identity)
        #expect(GridPlacement.identity.note == nil)
        #expect(GridPlacement.matching(fileLatitudes: [-60, -20, 20, 61], fileLongitudes: Self.longitudes, latitudes: Self.latitudes,
                                       longitudes: Self.longitudes, tolerance: 1e-6) == nil)
        #expect(GridPlacement.matching(fileLatitudes: Self.latitudes, fileLongitudes: [0, 90, 180, 271], latitudes: Self.latitudes,
                                       longitudes: Self.longitudes, tolerance: 1e-6) == nil)
        #expect(GridPlacement.matching(fileLatitudes: [0], fileLongitudes: Self.longitudes, latitudes: Self.latitudes,
                                       longitudes: Self.longitudes, tolerance: 1e-6) == nil)
    }
}
