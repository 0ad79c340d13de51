import Foundation
import Tensor
import TestSupport
import Testing

/// Random-weight model folders made once per test run by the Python tools: tools/reference/make_models.py
/// (configs, weights, inputs), tools/reference/forward.py (the numpy reference's output, exact and with bf16 emulated) and
/// tools/export_onnx.py --run (the same model exported to ONNX and run by ONNX Runtime).
enum ModelFixtures {
    /// Python modules the fixtures need.
    static let modules = ["numpy", "safetensors", "ml_dtypes", "onnx", "onnxruntime"]
    /// True when python3 has every module the fixtures need.
    static let available = Scratch.python(has: modules)
    static let unavailableReason: Comment = "needs python3 with numpy, safetensors, ml_dtypes, onnx, onnxruntime (scripts/install-dependencies.sh --test)"

    /// The test configurations, by folder name (tools/reference/make_models.py TEST_CONFIGS).
    static let names = ["w7-p4-depth2", "w8-p8-depth6", "w8-p4-stages", "w7-p8-stages-f16", "w8-p4-depth4-bf16"]

    /// The folder holding one subfolder per name, with reference outputs; built on first use.
    static let root: Result<String, FixtureError> = {
        do {
            let root = try Scratch.folder("models")
            let folders = names.map { root + "/" + $0 }
            try python(["reference/make_models.py", root, "--inputs"])
            try python(["reference/forward.py"] + folders)
            try python(["reference/forward.py", "--bf16"] + folders)
            try python(["export_onnx.py", "--run"] + folders)
            return .success(root)
        } catch let error as FixtureError {
            return .failure(error)
        } catch {
            return .failure(FixtureError(detail: "\(error)"))
        }
    }()

    /// A model folder that exists (fails the test otherwise).
    static func folder(_ name: String) throws -> String {
        try root.get() + "/" + name
    }

    /// Tensor `name` of `file` in `folder`.
    static func tensor(_ folder: String, _ file: String, _ name: String) throws -> Tensor {
        try SafeTensorsFile(path: folder + "/" + file).tensor(name)
    }

    private static func python(_ arguments: [String]) throws {
        let script = Scratch.tools + "/" + arguments[0]
        guard let result = Scratch.run("python3", [script] + arguments.dropFirst()), result.status == 0 else {
            throw FixtureError(detail: "python3 \(arguments.joined(separator: " ")) failed")
        }
    }
}

/// A fixture script failed.
struct FixtureError: Error, CustomStringConvertible {
    let detail: String
    var description: String { detail }
}
