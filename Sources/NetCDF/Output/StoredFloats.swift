import CChunks

/// How a float32 variable holds its values: NaN (no data) as the fill value, every other value rounded to a
/// number of significant bits as netCDF-C's BitRound quantization rounds it (half of the dropped mantissa added,
/// then the dropped bits cleared; 23 bits keep values as they are), so that a file quantized by forecastd holds
/// the values netCDF-C would have stored. The rule itself is CChunks' (`fd_float_store`), which applies it while
/// chunks are encoded.
public struct StoredFloats: Sendable {
    let rule: fd_float_store

    /// NaN stored as `fill`, the other values rounded to `bits` significant bits.
    public init(fill: Float, keeping bits: Int) {
        rule = fd_float_store_make(Int32(bits), fill)
    }

    /// `values` as stored, written to `out` (which may be `values`' own memory), `values.count` of them.
    public func store(_ values: UnsafeBufferPointer<Float>, into out: UnsafeMutablePointer<Float>) {
        guard let base = values.baseAddress else { return }
        withUnsafePointer(to: rule) { fd_store_floats(base, values.count, $0, out) }
    }
}
