/// Where Swin's windows lie on a `[height, width]` token grid: square windows of `window` tokens a side,
/// optionally cyclically shifted by `shift` (the shifted-window blocks), with the shift expressed as index
/// arithmetic: window cell `p` of window `w` reads and writes the token ``token(window:cell:)``.
public struct WindowGeometry: Sendable, Equatable {
    /// Grid height in tokens (a multiple of `window`).
    public let height: Int
    /// Grid width in tokens (a multiple of `window`).
    public let width: Int
    /// Window side in tokens.
    public let window: Int
    /// Cyclic shift in tokens (0 for plain windows, window / 2 for shifted ones).
    public let shift: Int

    /// A geometry; `height` and `width` must be multiples of `window`, and `shift < window`.
    public init(height: Int, width: Int, window: Int, shift: Int) {
        precondition(window > 0 && height % window == 0 && width % window == 0,
                     "a \(height)x\(width) grid does not tile into \(window)x\(window) windows")
        precondition(shift >= 0 && shift < window, "shift \(shift) for window \(window)")
        self.height = height
        self.width = width
        self.window = window
        self.shift = shift
    }

    /// Tokens per window.
    public var tokensPerWindow: Int { window * window }
    /// Windows across the grid.
    public var windowsAcross: Int { width / window }
    /// Number of windows.
    public var windowCount: Int { (height / window) * windowsAcross }

    /// The token (row-major index in the grid) that cell `cell` of window `index` holds after the shift.
    @inline(__always) public func token(window index: Int, cell: Int) -> Int {
        let y = ((index / windowsAcross) * window + cell / window + shift) % height
        let x = ((index % windowsAcross) * window + cell % window + shift) % width
        return y * width + x
    }

    /// Swin's region label of cell `cell` in window `index` of the shifted grid: tokens attend only within
    /// one region, so that the wrapped-around parts of a border window do not see each other.
    @inline(__always) public func region(window index: Int, cell: Int) -> Int {
        let y = (index / windowsAcross) * window + cell / window
        let x = (index % windowsAcross) * window + cell % window
        return 3 * band(y, height) + band(x, width)
    }

    /// True when window `index` mixes regions and so needs the shift mask.
    @inline(__always) public func needsMask(window index: Int) -> Bool {
        shift > 0 && ((index / windowsAcross) == height / window - 1 || (index % windowsAcross) == windowsAcross - 1)
    }

    @inline(__always) private func band(_ coordinate: Int, _ size: Int) -> Int {
        coordinate < size - window ? 0 : (coordinate < size - shift ? 1 : 2)
    }

    /// The additive value Swin puts between tokens of different regions.
    public static let maskValue: Float = -100
}
