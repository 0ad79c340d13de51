/// Drawing on an image: rectangles, lines, text in ``BitmapFont``. Everything is clipped to the image.
extension PNGImage {
    /// Sets one pixel (ignored outside the image).
    public mutating func set(_ x: Int, _ y: Int, _ color: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 3 * (y * width + x)
        pixels[i] = color.r
        pixels[i + 1] = color.g
        pixels[i + 2] = color.b
    }

    /// Fills the rectangle with its top-left corner at (x, y).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: RGB) {
        let x0 = max(0, x), x1 = min(width, x + w), y0 = max(0, y), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            for column in x0..<x1 { set(column, row, color) }
        }
    }

    /// The outline of a rectangle, one pixel wide.
    public mutating func frame(x: Int, y: Int, width w: Int, height h: Int, _ color: RGB) {
        fill(x: x, y: y, width: w, height: 1, color)
        fill(x: x, y: y + h - 1, width: w, height: 1, color)
        fill(x: x, y: y, width: 1, height: h, color)
        fill(x: x + w - 1, y: y, width: 1, height: h, color)
    }

    /// A straight line (Bresenham), `thickness` pixels wide.
    public mutating func line(from a: (Int, Int), to b: (Int, Int), _ color: RGB, thickness: Int = 1) {
        var (x, y) = a
        let dx = abs(b.0 - x), dy = -abs(b.1 - y), sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
        var error = dx + dy
        let offset = (thickness - 1) / 2
        while true {
            fill(x: x - offset, y: y - offset, width: thickness, height: thickness, color)
            if x == b.0 && y == b.1 { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// Writes `text` with its top-left corner at (x, y), each font pixel `scale` pixels square.
    public mutating func text(_ text: String, x: Int, y: Int, scale: Int = 1, _ color: RGB = .black) {
        var left = x
        for character in text {
            for (row, bits) in BitmapFont.rows(of: character).enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> column) != 0 {
                    fill(x: left + column * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            left += BitmapFont.advance * scale
        }
    }

    /// Width and height in pixels of `text` at `scale`.
    public static func textSize(_ text: String, scale: Int = 1) -> (width: Int, height: Int) {
        (max(0, text.count * BitmapFont.advance - 1) * scale, BitmapFont.glyphHeight * scale)
    }
}
