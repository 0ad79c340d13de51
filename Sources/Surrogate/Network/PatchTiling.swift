import Tensor

/// How the first and last layers see a channels-first field `[C, H, W]` as tokens: `p x p` patches, `tokensPerRow`
/// to a token row, the field's right edge (column `width`) cutting the last patches of a row and anything past
/// it being the network's zero padding, which is never stored. Both ``PatchEmbedding`` (field to tokens) and
/// ``OutputHead`` (tokens to field) walk the tokens this way, so a token row's patches make one contiguous
/// stretch of each field row.
struct PatchTiling {
    let patch: Int
    let tokensPerRow: Int
    /// The field's width W.
    let width: Int

    /// Splits `tokens` into blocks of ``PackedGEMM/stagedRows(width:)`` tokens and calls `body(first, count,
    /// staging)` for each on the context's pool; `staging` is the calling thread's `block x stagingWidth` floats
    /// from the context's arena (released on return).
    static func forEachBlock(tokens: Int, stagingWidth: Int, context: ExecutionContext,
                             _ body: (_ first: Int, _ count: Int, _ staging: UnsafeMutablePointer<Float>) -> Void) {
        let block = PackedGEMM.stagedRows(width: stagingWidth), arena = context.arena, pool = context.pool
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let scratch = arena.tensor(Dimensions(pool.threadCount, block * stagingWidth)).pointer
        pool.parallelFor((tokens + block - 1) / block) { task, thread in
            let first = task * block
            body(first, min(block, tokens - first), scratch + thread * block * stagingWidth)
        }
    }

    /// Calls `body(offset, row, column, run, inside)` for each run of consecutive tokens within one token row
    /// among tokens `first ..< first + count`: `offset` is the run's first token counted from `first`, `row`
    /// and `column` its token coordinates, `inside` how many of the run's tokens lie wholly inside the field.
    func forEachRun(first: Int, count: Int, _ body: (_ offset: Int, _ row: Int, _ column: Int, _ run: Int, _ inside: Int) -> Void) {
        var offset = 0
        while offset < count {
            let row = (first + offset) / tokensPerRow, column = (first + offset) % tokensPerRow
            let run = min(count - offset, tokensPerRow - column)
            body(offset, row, column, run, max(0, min(run, (width - column * patch) / patch)))
            offset += run
        }
    }

    /// Columns of the patch of the token at `column` that lie inside the field: 0 ... patch.
    func columnsInside(tokenColumn column: Int) -> Int { max(0, min(patch, width - column * patch)) }

    /// Copies one patch row of each of `count` tokens: `patch` floats from `source + t * sourceStride` to
    /// `destination + t * destinationStride`; one 16-byte move per token when the patch is 4 wide.
    func copyPatchRows(_ count: Int, from source: UnsafePointer<Float>, stride sourceStride: Int,
                       to destination: UnsafeMutablePointer<Float>, stride destinationStride: Int) {
        if patch == 4 {
            for t in 0..<count {
                UnsafeMutableRawPointer(destination + t * destinationStride).storeBytes(
                    of: UnsafeRawPointer(source + t * sourceStride).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
            }
        } else {
            for t in 0..<count { (destination + t * destinationStride).update(from: source + t * sourceStride, count: patch) }
        }
    }
}
