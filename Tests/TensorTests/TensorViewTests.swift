import Tensor
import Testing

@Suite("Tensor storage and views")
struct TensorViewTests {
    @Test("Storage is 64-byte aligned and zero-filled")
    func alignment() {
        for count in [0, 1, 17, 1000] {
            let t = Tensor(zeros: [count])
            #expect(Int(bitPattern: t.storage.base) % 64 == 0)
            #expect(t.toArray().allSatisfy { $0 == 0 })
        }
    }

    @Test("Slices, transposes and permutations are views with the right elements")
    func views() {
        let values = (0..<24).map(Float.init)
        let t = Tensor(shape: [2, 3, 4], values: values)
        #expect(t.strides == [12, 4, 1])
        let s = t.slice(1, 1..<3)
        #expect(s.shape == [2, 2, 4])
        #expect(s[1, 0, 2] == 18)
        #expect(s.storage === t.storage)
        let p = t.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(p[3, 1, 2] == t[1, 2, 3])
        #expect(!p.isContiguous)
        let packed = p.contiguous()
        #expect(packed.isContiguous)
        #expect(packed[3, 1, 2] == 23)
        let tt = t.reshaped([6, 4]).transposed(0, 1)
        #expect(tt[2, 5] == t[1, 2, 2])
        // Writing through a view writes the storage.
        s[0, 0, 0] = -1
        #expect(t[0, 1, 0] == -1)
    }

    @Test("Copy between views of different strides")
    func stridedCopy() {
        let a = Tensor(shape: [3, 5], values: (0..<15).map(Float.init))
        let b = Tensor(zeros: [5, 3])
        a.transposed(0, 1).copy(to: b)
        for i in 0..<3 { for j in 0..<5 { #expect(b[j, i] == a[i, j]) } }
        let column = a.slice(1, 2..<3)
        #expect(column.toArray() == [2, 7, 12])
        let empty = a.slice(0, 1..<1)
        #expect(empty.count == 0 && empty.toArray().isEmpty)
    }

    @Test("Fill writes every element of a strided view and nothing else")
    func fillView() {
        let a = Tensor(zeros: [4, 4])
        a.transposed(0, 1).slice(0, 1..<2).fill(7)
        for i in 0..<4 { for j in 0..<4 { #expect(a[i, j] == (j == 1 ? 7 : 0)) } }
    }
}
