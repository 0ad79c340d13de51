#!/usr/bin/env python3
"""Exports a surrogate model folder (config.json + model.safetensors) to ONNX with the `onnx` package, so that
ONNX Runtime runs the identical network: inputs "state" [1, S, H, W] and "flux" [1, F, H, W], output "change"
[1, S, H, W]. The graph follows what PyTorch's exporter emits for this architecture: NCHW convolutions,
GroupNorm as Reshape + InstanceNormalization, Swin blocks on NHWC with windows as Reshape/Transpose and the
shift as Slice + Concat, the final Linear + pixel shuffle as a 1x1 Conv + DepthToSpace.

Usage: export_onnx.py FOLDER [FOLDER ...] [--run]
Writes FOLDER/model.onnx; with --run also runs ONNX Runtime (1 thread) on FOLDER/inputs.safetensors and writes
FOLDER/onnxruntime.safetensors (tensor "change")."""
import argparse
import os
import sys

import ml_dtypes  # noqa: F401  (registers bfloat16 with numpy for safetensors)
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file, save_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
import wenhai_config  # noqa: E402
from forward import relative_position_index, shift_mask  # noqa: E402  (Swin's own index and mask definitions)

OPSET = 17


class Graph:
    def __init__(self, weights):
        self.nodes, self.initializers, self.weights, self.count = [], [], weights, 0

    def const(self, value, dtype=np.float32):
        name = f"const_{len(self.initializers)}"
        self.initializers.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def weight(self, name, transform=None):
        value = self.weights[name].astype(np.float32)
        return self.const(transform(value) if transform else value)

    def op(self, kind, *inputs, **attrs):
        self.count += 1
        out = f"{kind.lower()}_{self.count}"
        self.nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    def ints(self, values):
        return self.const(values, np.int64)


class Exporter:
    def __init__(self, folder):
        self.cfg = wenhai_config.load(folder)
        weights = load_file(os.path.join(folder, "model.safetensors"))
        self.g = Graph(weights)
        self.eps = self.cfg["norm_eps"]

    # Layers on NCHW maps.
    def conv(self, x, name, stride, pad):
        w = self.g.weights[f"{name}.weight"]
        k = w.shape[2]
        return self.g.op("Conv", x, self.g.weight(f"{name}.weight"), self.g.weight(f"{name}.bias"),
                         kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4)

    def gn_silu(self, x, name, channels, h, w):
        g = self.g
        groups = self.cfg["group_norm_groups"]
        y = g.op("Reshape", x, g.ints([1, groups, -1]))
        y = g.op("InstanceNormalization", y, g.const(np.ones(groups)), g.const(np.zeros(groups)), epsilon=self.eps)
        y = g.op("Reshape", y, g.ints([1, channels, h, w]))
        y = g.op("Mul", y, g.weight(f"{name}.weight", lambda v: v.reshape(-1, 1, 1)))
        y = g.op("Add", y, g.weight(f"{name}.bias", lambda v: v.reshape(-1, 1, 1)))
        return g.op("Mul", y, g.op("Sigmoid", y))

    def residual_convs(self, x, prefix, channels, h, w):
        y = self.gn_silu(self.conv(x, f"{prefix}.conv1", 1, 1), f"{prefix}.norm1", channels, h, w)
        y = self.gn_silu(self.conv(y, f"{prefix}.conv2", 1, 1), f"{prefix}.norm2", channels, h, w)
        return self.g.op("Add", y, x)

    # Layers on NHWC tokens.
    def linear(self, x, name, bias=True):
        y = self.g.op("MatMul", x, self.g.weight(f"{name}.weight", lambda v: np.ascontiguousarray(v.T)))
        return self.g.op("Add", y, self.g.weight(f"{name}.bias")) if bias else y

    def ln(self, x, name):
        return self.g.op("LayerNormalization", x, self.g.weight(f"{name}.weight"), self.g.weight(f"{name}.bias"),
                         axis=-1, epsilon=self.eps)

    def gelu(self, x):
        g = self.g
        e = g.op("Erf", g.op("Mul", x, g.const(1 / np.sqrt(2.0))))
        return g.op("Mul", g.op("Mul", x, g.op("Add", e, g.const(1.0))), g.const(0.5))

    def roll(self, x, shift, h, w):
        """np.roll(x, (shift, shift), axes (1, 2)) for a shift in (-h, h)."""
        g = self.g
        for axis, size in ((1, h), (2, w)):
            cut = (-shift) % size
            head = g.op("Slice", x, g.ints([cut]), g.ints([size]), g.ints([axis]))
            tail = g.op("Slice", x, g.ints([0]), g.ints([cut]), g.ints([axis]))
            x = g.op("Concat", head, tail, axis=axis)
        return x

    def attention(self, x, name, heads, shift, h, w, c):
        g, ws = self.g, self.cfg["window_size"]
        n, nw, hd = ws * ws, (h // ws) * (w // ws), c // heads
        if shift:
            x = self.roll(x, -shift, h, w)
        x = g.op("Reshape", x, g.ints([1, h // ws, ws, w // ws, ws, c]))
        x = g.op("Reshape", g.op("Transpose", x, perm=[0, 1, 3, 2, 4, 5]), g.ints([nw, n, c]))
        qkv = g.op("Reshape", self.linear(x, f"{name}.qkv"), g.ints([nw, n, 3, heads, hd]))
        qkv = g.op("Transpose", qkv, perm=[2, 0, 3, 1, 4])
        q, k, v = (g.op("Gather", qkv, g.ints(i), axis=0) for i in range(3))
        q = g.op("Mul", q, g.const(hd ** -0.5))
        scores = g.op("MatMul", q, g.op("Transpose", k, perm=[0, 1, 3, 2]))
        table = self.g.weights[f"{name}.relative_position_bias_table"].astype(np.float32)
        index = relative_position_index(ws)
        bias = table[index.reshape(-1)].reshape(n, n, heads).transpose(2, 0, 1)
        scores = g.op("Add", scores, g.const(bias))
        if shift:
            scores = g.op("Add", scores, g.const(shift_mask(h, w, ws, shift)[:, None]))
        y = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        y = g.op("Reshape", g.op("Transpose", y, perm=[0, 2, 1, 3]), g.ints([nw, n, c]))
        y = g.op("Reshape", self.linear(y, f"{name}.proj"), g.ints([1, h // ws, w // ws, ws, ws, c]))
        y = g.op("Reshape", g.op("Transpose", y, perm=[0, 1, 3, 2, 4, 5]), g.ints([1, h, w, c]))
        return self.roll(y, shift, h, w) if shift else y

    def swin_block(self, x, name, heads, shift, h, w, c):
        g = self.g
        x = g.op("Add", x, self.attention(self.ln(x, f"{name}.norm1"), f"{name}.attn", heads, shift, h, w, c))
        y = self.gelu(self.linear(self.ln(x, f"{name}.norm2"), f"{name}.mlp.fc1"))
        return g.op("Add", x, self.linear(y, f"{name}.mlp.fc2"))

    def stage(self, x, prefix, depth, heads, h, w, c):
        for b in range(depth):
            shift = self.cfg["window_size"] // 2 if b % 2 == 1 else 0
            x = self.swin_block(x, f"{prefix}.blocks.{b}", heads, shift, h, w, c)
        return x

    def patch_merging(self, x, prefix, h, w):
        g = self.g
        parts = [g.op("Slice", x, g.ints([a, b]), g.ints([h, w]), g.ints([1, 2]), g.ints([2, 2]))
                 for a, b in ((0, 0), (1, 0), (0, 1), (1, 1))]
        return self.linear(self.ln(g.op("Concat", *parts, axis=-1), f"{prefix}.norm"), f"{prefix}.reduction", False)

    def patch_expanding(self, x, prefix, h, w, c):
        g = self.g
        y = g.op("Reshape", self.linear(x, f"{prefix}.expand", False), g.ints([1, h, w, 2, 2, c // 2]))
        y = g.op("Reshape", g.op("Transpose", y, perm=[0, 1, 3, 2, 4, 5]), g.ints([1, 2 * h, 2 * w, c // 2]))
        return self.ln(y, f"{prefix}.norm")

    def export(self):
        cfg, g = self.cfg, self.g
        s, f, p, d = cfg["state_channels"], cfg["flux_channels"], cfg["patch_size"], cfg["embed_dim"]
        height, width = cfg["grid"]["height"], cfg["grid"]["width"]
        hp, wp = wenhai_config.padded_size(cfg, height, width)
        h, w = hp // p // 2, wp // p // 2

        def branch(name, x):
            x = g.op("Pad", x, g.ints([0, 0, 0, 0, 0, 0, hp - height, wp - width]))
            x = self.conv(self.conv(x, f"{name}_embed", p, 0), f"{name}_down.conv", 2, 1)
            return self.residual_convs(x, f"{name}_down", d, h, w)

        x = g.op("Transpose", g.op("Add", branch("state", "state"), branch("flux", "flux")), perm=[0, 2, 3, 1])
        depths, heads, dims = cfg["depths"], cfg["num_heads"], wenhai_config.stage_dims(cfg)
        skips = []
        for i in range(len(depths)):
            x = self.stage(x, f"layers.{i}", depths[i], heads[i], h >> i, w >> i, dims[i])
            if i < len(depths) - 1:
                skips.append(x)
                x = self.patch_merging(x, f"layers.{i}.downsample", h >> i, w >> i)
        for i in reversed(range(len(depths) - 1)):
            x = self.patch_expanding(x, f"layers_up.{i}.upsample", h >> (i + 1), w >> (i + 1), dims[i + 1])
            x = self.stage(g.op("Add", x, skips[i]), f"layers_up.{i}", depths[i], heads[i], h >> i, w >> i, dims[i])
        x = g.op("Transpose", self.ln(x, "norm"), perm=[0, 3, 1, 2])
        u = g.op("ConvTranspose", x, g.weight("up.conv_transpose.weight"), g.weight("up.conv_transpose.bias"),
                 kernel_shape=[2, 2], strides=[2, 2])
        u = self.residual_convs(u, "up", d, 2 * h, 2 * w)
        y = g.op("Conv", u, g.weight("head.weight", lambda v: v.reshape(*v.shape, 1, 1)), g.weight("head.bias"),
                 kernel_shape=[1, 1])
        y = g.op("DepthToSpace", y, blocksize=p, mode="CRD")
        y = g.op("Slice", y, g.ints([0, 0]), g.ints([height, width]), g.ints([2, 3]))
        g.nodes.append(helper.make_node("Identity", [y], ["change"]))
        model = helper.make_model(
            helper.make_graph(g.nodes, "wenhai_swin", [
                helper.make_tensor_value_info("state", TensorProto.FLOAT, [1, s, height, width]),
                helper.make_tensor_value_info("flux", TensorProto.FLOAT, [1, f, height, width])],
                [helper.make_tensor_value_info("change", TensorProto.FLOAT, [1, s, height, width])],
                g.initializers),
            opset_imports=[helper.make_opsetid("", OPSET)], producer_name="forecastd export_onnx.py")
        onnx.checker.check_model(model, full_check=True)
        return model


def run(folder):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(os.path.join(folder, "model.onnx"), options, providers=["CPUExecutionProvider"])
    inputs = load_file(os.path.join(folder, "inputs.safetensors"))
    change = session.run(["change"], {"state": inputs["state"][None], "flux": inputs["flux"][None]})[0][0]
    save_file({"change": np.ascontiguousarray(change)}, os.path.join(folder, "onnxruntime.safetensors"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--run", action="store_true")
    args = parser.parse_args()
    for folder in args.folders:
        onnx.save(Exporter(folder).export(), os.path.join(folder, "model.onnx"))
        if args.run:
            run(folder)


if __name__ == "__main__":
    main()
