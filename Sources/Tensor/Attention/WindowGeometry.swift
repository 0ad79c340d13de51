/// Where Swin's windows lie on a `[height, width]` token grid: square windows of `window` tokens a side,
/// optionally cyclically shifted by `shift` (the shifted-window blocks), with the shift expressed as index
/// arithmetic: window cell `p` of window `w` reads and writes the token ``token(window:cell:)``. Several
/// `images` of the same size (an ensemble's members) lie one after another in the tokens; windows, shifts and
/// masks stay within each image.
public struct WindowGeometry: Sendable, Equatable {
    /// Grid height in tokens of one image (a multiple of `window`).
    public let height: Int
    /// Grid width in tokens (a multiple of `window`).
    public let width: Int
    /// Window side in tokens.
    public let window: Int
    /// Cyclic shift in tokens (0 for plain windows, window / 2 for shifted ones).
    public let shift: Int
    /// Images of `height` x `width` tokens, one after another.
    public let images: Int

    /// A geometry; `height` and `width` must be multiples of `window`, and `shift < window`.
    public init(height: Int, width: Int, window: Int, shift: Int, images: Int = 1) {
        precondition(images > 0, "\(images) images")
        precondition(window > 0 && height % window == 0 && width % window == 0,
                     "a \(height)x\(width) grid does not tile into \(window)x\(window) windows")
        precondition(shift >= 0 && shift < window, "shift \(shift) for window \(window)")
        self.height = height
        self.width = width
        self.window = window
        self.shift = shift
        self.images = images
    }

    /// Tokens per window.
    public var tokensPerWindow: Int { window * window }
    /// Windows across the grid.
    public var windowsAcross: Int { width / window }
    /// Windows in one image.
    public var windowsPerImage: Int { (height / window) * windowsAcross }
    /// Number of windows in all images.
    public var windowCount: Int { images * windowsPerImage }
    /// Tokens in all images.
    public var tokenCount: Int { images * height * width }

    /// The tokens of every cell of window `index`, in cell order, into `tokens` (``tokensPerWindow`` of them):
    /// ``token(window:cell:)`` with the divisions done once per window.
    @inline(__always) public func tokens(window index: Int, into tokens: UnsafeMutablePointer<Int>) {
        let image = index / windowsPerImage, local = index - image * windowsPerImage
        let y0 = (local / windowsAcross) * window + shift, x0 = (local % windowsAcross) * window + shift
        for row in 0..<window {
            let y = y0 + row < height ? y0 + row : y0 + row - height, base = (image * height + y) * width
            for column in 0..<window {
                tokens[row * window + column] = base + (x0 + column < width ? x0 + column : x0 + column - width)
            }
        }
    }

    /// The token (row-major index in the images) that cell `cell` of window `index` holds after the shift.
    @inline(__always) public func token(window index: Int, cell: Int) -> Int {
        let image = index / windowsPerImage, local = index - image * windowsPerImage
        let y = ((local / windowsAcross) * window + cell / window + shift) % height
        let x = ((local % windowsAcross) * window + cell % window + shift) % width
        return (image * height + y) * width + x
    }

    /// Swin's region label of cell `cell` in window `index` of the shifted grid: tokens attend only within
    /// one region, so that the wrapped-around parts of a border window do not see each other.
    @inline(__always) public func region(window index: Int, cell: Int) -> Int {
        let index = index % windowsPerImage
        let y = (index / windowsAcross) * window + cell / window
        let x = (index % windowsAcross) * window + cell % window
        return 3 * band(y, height) + band(x, width)
    }

    /// True when window `index` mixes regions and so needs the shift mask.
    @inline(__always) public func needsMask(window index: Int) -> Bool {
        let index = index % windowsPerImage
        return shift > 0 && ((index / windowsAcross) == height / window - 1 || (index % windowsAcross) == windowsAcross - 1)
    }

    @inline(__always) private func band(_ coordinate: Int, _ size: Int) -> Int {
        coordinate < size - window ? 0 : (coordinate < size - shift ? 1 : 2)
    }

    /// The additive value Swin puts between tokens of different regions.
    public static let maskValue: Float = -100
}
