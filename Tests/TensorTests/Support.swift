import Tensor
@_exported import TestSupport
import Testing

/// Sizes that exercise vector tails: empty, one, below, at and around multiples of 16.
let awkwardCounts = [0, 1, 3, 15, 16, 17, 31, 33, 100, 1000, 4099]
