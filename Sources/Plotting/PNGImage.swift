import CDeflate
import Foundation

/// An 8-bit RGB raster and its PNG encoding (RFC 2083: IHDR, one zlib IDAT, IEND; every row filtered with
/// PNG's Sub filter). The zlib stream and CRCs come from libdeflate.
public struct PNGImage: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major RGB bytes, `width * height * 3`.
    public var pixels: [UInt8]

    /// An image filled with `background`.
    public init(width: Int, height: Int, background: RGB = .white) {
        precondition(width > 0 && height > 0, "an image needs at least one pixel")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.r
            pixels[3 * i + 1] = background.g
            pixels[3 * i + 2] = background.b
        }
    }

    /// The PNG file's bytes.
    public func encoded(level: Int32 = 6) -> Data {
        let stride = width * 3 + 1
        var filtered = [UInt8](repeating: 0, count: stride * height)
        pixels.withUnsafeBufferPointer { source in
            filtered.withUnsafeMutableBufferPointer { rows in
                for y in 0..<height {
                    let row = y * stride, from = y * width * 3
                    rows[row] = 1                                  // Sub: each byte less the one 3 bytes left
                    for x in 0..<(width * 3) {
                        rows[row + 1 + x] = x < 3 ? source[from + x] : source[from + x] &- source[from + x - 3]
                    }
                }
            }
        }
        let compressor = libdeflate_alloc_compressor(level)!
        defer { libdeflate_free_compressor(compressor) }
        var compressed = [UInt8](repeating: 0, count: libdeflate_zlib_compress_bound(compressor, filtered.count))
        let size = filtered.withUnsafeBytes { input in
            compressed.withUnsafeMutableBytes { output in
                libdeflate_zlib_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
            }
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header.append(contentsOf: [8, 2, 0, 0, 0])               // 8 bits, RGB, deflate, adaptive filters, no interlace
        png.appendChunk("IHDR", header)
        png.appendChunk("IDAT", Data(compressed[0..<size]))
        png.appendChunk("IEND", Data())
        return png
    }
}

/// A colour.
public struct RGB: Sendable, Equatable {
    public var r: UInt8, g: UInt8, b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)
    /// Land and missing cells on maps.
    public static let land = RGB(170, 170, 170)
    public static let grid = RGB(225, 225, 225)
}

extension Data {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    fileprivate mutating func appendChunk(_ type: String, _ body: Data) {
        appendBigEndian(UInt32(body.count))
        let typed = Data(type.utf8) + body
        append(typed)
        let crc = typed.withUnsafeBytes { libdeflate_crc32(0, $0.baseAddress, $0.count) }
        appendBigEndian(crc)
    }
}
