"""forecastd's network matched against a graph's events: hyperparameters inferred, weights collected under
forecastd's (PyTorch) names, every mismatch named."""
import numpy as np
import onnx

from .events import find_events
from .graph import Graph, Mismatch, check



class Cursor:
    """Reads events in order, each expected of a kind and checked; a mismatch names the event and the rule."""

    def __init__(self, events, where):
        self.events, self.i, self.where = [e for e in events if e.kind not in ("softmax",)], 0, where

    def peek(self, offset=0):
        j = self.i + offset
        return self.events[j] if j < len(self.events) else None

    def next(self, kind, what):
        e = self.peek()
        if e is None:
            raise Mismatch(f"{self.where}: expected {what}, the graph ends")
        if e.kind != kind:
            raise Mismatch(f"{self.where}: expected {what}, found {e.describe()}")
        self.i += 1
        return e

    def done(self):
        if self.peek() is not None:
            raise Mismatch(f"{self.where}: unexpected {self.peek().describe()} after the structure's last layer")


class Importer:
    """Matches the events against forecastd's network and collects the weights under forecastd's names."""

    def __init__(self, graph, events):
        self.g, self.weights, self.eps = graph, {}, set()
        state_input, flux_input = self.identify_inputs()
        by_branch = {}
        for e in events:
            by_branch.setdefault(e.branch, []).append(e)
        self.state = Cursor(by_branch.get(frozenset({state_input}), []), "state branch")
        self.flux = Cursor(by_branch.get(frozenset({flux_input}), []), "flux branch")
        self.body = Cursor(by_branch.get(frozenset({0, 1}), []), "body")
        self.groups = set()

    def identify_inputs(self):
        shapes = [self.g.shapes.get(i.name) for i in self.g.inputs]
        out = self.g.shapes.get(self.g.model.graph.output[0].name)
        for i, s in zip(self.g.inputs, shapes):
            check(s is not None and len(s) == 4 and None not in s and s[0] == 1,
                  f"input {i.name} is {s}; WenHai's inputs are [1, channels, height, width] with fixed sizes")
        check(shapes[0][2:] == shapes[1][2:], f"the inputs cover different grids: {shapes[0]} and {shapes[1]}")
        self.height, self.width = shapes[0][2], shapes[0][3]
        state = 0 if out is None or out[1] == shapes[0][1] or out[1] != shapes[1][1] else 1
        check(out is None or (out[1] == shapes[state][1] and out[2:] == shapes[state][2:]),
              f"the output {out} is not the daily change of the state input {shapes[state]}")
        self.state_channels, self.flux_channels = shapes[state][1], shapes[1 - state][1]
        return state, 1 - state

    def put(self, name, value):
        self.weights[name] = np.ascontiguousarray(value)

    def conv(self, cursor, name, what, cin, cout, kernel, stride, pad):
        e = cursor.next("conv", what)
        w = e.weight
        check(e.group == 1 and e.dilations == [1, 1], f"{cursor.where}: {what} is grouped or dilated")
        check(list(w.shape) == [cout, cin, kernel, kernel] and e.strides == [stride, stride] and e.pads == [pad] * 4,
              f"{cursor.where}: {what} should be a {kernel}x{kernel} conv {cin}->{cout}, stride {stride}, padding {pad}; "
              f"found kernel {list(w.shape)}, stride {e.strides}, padding {e.pads}")
        check(e.bias is not None, f"{cursor.where}: {what} has no bias")
        self.put(f"{name}.weight", w)
        self.put(f"{name}.bias", e.bias)

    def group_norm(self, cursor, name, what, channels):
        e = cursor.next("group_norm", what)
        check(e.weight.size == channels, f"{cursor.where}: {what} over {e.weight.size} channels, expected {channels}")
        self.groups.add(e.groups)
        self.eps.add(e.epsilon)
        self.put(f"{name}.weight", e.weight)
        self.put(f"{name}.bias", e.bias)
        cursor.next("silu", f"the SiLU after {what}")

    def layer_norm(self, cursor, name, what, channels):
        e = cursor.next("layer_norm", what)
        check(e.weight.size == channels and e.bias is not None,
              f"{cursor.where}: {what} over {e.weight.size} channels, expected {channels} with a bias")
        self.eps.add(e.epsilon)
        self.put(f"{name}.weight", e.weight)
        self.put(f"{name}.bias", e.bias)

    def linear(self, cursor, name, what, out, inp, bias=True):
        e = cursor.next("linear", what)
        check(list(e.weight.shape) == [out, inp], f"{cursor.where}: {what} should map {inp} to {out} features; "
                                                  f"found {list(e.weight.shape[::-1])}")
        check((e.bias is not None) == bias, f"{cursor.where}: {what} {'lacks' if bias else 'has'} a bias")
        self.put(f"{name}.weight", e.weight)
        if bias:
            self.put(f"{name}.bias", e.bias)

    def branch(self, cursor, prefix, channels):
        first = cursor.peek()
        if first is not None and first.kind == "pad":
            pads = cursor.next("pad", "padding").pads
            check(pads is not None, f"{cursor.where}: the padding is computed at run time")
            self.pads = [int(p) for p in pads]
        e = cursor.peek()
        check(e is not None and e.kind == "conv", f"{cursor.where}: expected the patch embedding conv, found "
                                                  f"{e.describe() if e else 'nothing'}")
        d, p = e.weight.shape[0], e.weight.shape[2]
        self.embed_dim, self.patch = getattr(self, "embed_dim", d), getattr(self, "patch", p)
        check((d, p) == (self.embed_dim, self.patch), f"{cursor.where}: embedding {d} channels, patch {p}; the other "
                                                      f"branch has {self.embed_dim} and {self.patch}")
        self.conv(cursor, f"{prefix}_embed", "the patch embedding", channels, d, p, p, 0)
        self.conv(cursor, f"{prefix}_down.conv", "the stride-2 down conv", d, d, 3, 2, 1)
        self.conv(cursor, f"{prefix}_down.conv1", "the down block's first conv", d, d, 3, 1, 1)
        self.group_norm(cursor, f"{prefix}_down.norm1", "the down block's first GroupNorm", d)
        self.conv(cursor, f"{prefix}_down.conv2", "the down block's second conv", d, d, 3, 1, 1)
        self.group_norm(cursor, f"{prefix}_down.norm2", "the down block's second GroupNorm", d)
        cursor.done()

    def is_block(self, dim):
        a, b = self.body.peek(), self.body.peek(1)
        return (a is not None and b is not None and a.kind == "layer_norm" and a.weight.size == dim
                and b.kind == "linear" and b.weight.shape[0] == 3 * dim)

    def block(self, name, dim, index):
        c, where = self.body, f"{name}"
        self.layer_norm(c, f"{name}.norm1", f"{where} norm1", dim)
        self.linear(c, f"{name}.attn.qkv", f"{where} qkv", 3 * dim, dim)
        attention = c.next("attention", f"{where} attention scores")
        bias = c.next("position_bias", f"{where} relative position bias").value
        check(bias.ndim >= 3 and all(s == 1 for s in bias.shape[:-3]) and bias.shape[-1] == bias.shape[-2],
              f"{where}: relative position bias of shape {list(bias.shape)}, expected [heads, N, N]")
        bias = bias.reshape(bias.shape[-3:])
        heads, n = bias.shape[0], bias.shape[1]
        window = int(round(n ** 0.5))
        check(window * window == n, f"{where}: {n} tokens per window is not a square window")
        check(dim % heads == 0, f"{where}: {dim} channels do not split into {heads} heads")
        expected_scale = (dim // heads) ** -0.5
        check(abs(attention.scale - expected_scale) <= 2e-3 * expected_scale,
              f"{where}: attention scale {attention.scale:.6g}, Swin's is head_dim^-0.5 = {expected_scale:.6g}")
        self.put(f"{name}.attn.relative_position_bias_table", self.bias_table(bias, window, where))
        shifted = c.peek() is not None and c.peek().kind == "shift_mask"
        if shifted:
            mask = c.next("shift_mask", f"{where} shift mask").value
            check(set(np.unique(mask)).issubset({0.0, -100.0}) and mask.shape[-1] == n,
                  f"{where}: the added mask is not Swin's shifted-window mask (values 0 and -100 over N x N)")
        check(shifted == (index % 2 == 1), f"{where}: block {index} is {'' if shifted else 'not '}shifted; forecastd "
                                           "shifts the odd blocks of a stage")
        self.linear(c, f"{name}.attn.proj", f"{where} attention projection", dim, dim)
        self.layer_norm(c, f"{name}.norm2", f"{where} norm2", dim)
        fc1 = c.peek()
        check(fc1 is not None and fc1.kind == "linear" and fc1.weight.shape[1] == dim,
              f"{where}: expected the MLP's first linear layer, found {fc1.describe() if fc1 else 'nothing'}")
        hidden = fc1.weight.shape[0]
        self.linear(c, f"{name}.mlp.fc1", f"{where} mlp.fc1", hidden, dim)
        c.next("gelu", f"{where} GELU (erf form)")
        self.linear(c, f"{name}.mlp.fc2", f"{where} mlp.fc2", dim, hidden)
        return heads, window, hidden / dim

    @staticmethod
    def bias_table(bias, window, where):
        """The [(2w-1)^2, heads] table whose gather by Swin's relative position index gives `bias` [heads, N, N]."""
        coords = np.stack(np.meshgrid(np.arange(window), np.arange(window), indexing="ij")).reshape(2, -1)
        rel = (coords[:, :, None] - coords[:, None, :]).transpose(1, 2, 0) + (window - 1)
        index = (rel[:, :, 0] * (2 * window - 1) + rel[:, :, 1]).reshape(-1)
        heads = bias.shape[0]
        flat = bias.reshape(heads, -1).T
        table = np.zeros(((2 * window - 1) ** 2, heads), dtype=bias.dtype)
        table[index] = flat
        check(np.array_equal(table[index], flat), f"{where}: the attention bias is not a relative position bias "
                                                  "(pairs at the same offset get different values)")
        return table

    def stage(self, prefix, dim):
        heads, windows, ratios, depth = set(), set(), set(), 0
        while self.is_block(dim):
            h, w, r = self.block(f"{prefix}.blocks.{depth}", dim, depth)
            heads.add(h)
            windows.add(w)
            ratios.add(r)
            depth += 1
        check(depth > 0, f"body: expected Swin blocks at {dim} channels, found "
                         f"{self.body.peek().describe() if self.body.peek() else 'nothing'}")
        check(len(heads) == 1, f"{prefix}: blocks with different head counts {sorted(heads)}")
        self.windows.update(windows)
        self.ratios.update(ratios)
        return depth, heads.pop()

    def run(self):
        self.windows, self.ratios, self.pads = set(), set(), None
        self.branch(self.state, "state", self.state_channels)
        self.branch(self.flux, "flux", self.flux_channels)
        d, c = self.embed_dim, self.body
        depths, heads, dim = [], [], d
        while True:
            depth, h = self.stage(f"layers.{len(depths)}", dim)
            depths.append(depth)
            heads.append(h)
            e = c.peek()
            if e is not None and e.kind == "layer_norm" and e.weight.size == 4 * dim:
                i = len(depths) - 1
                self.layer_norm(c, f"layers.{i}.downsample.norm", f"stage {i} patch merging norm", 4 * dim)
                self.linear(c, f"layers.{i}.downsample.reduction", f"stage {i} patch merging", 2 * dim, 4 * dim, bias=False)
                dim *= 2
                continue
            break
        for i in reversed(range(len(depths) - 1)):
            self.linear(c, f"layers_up.{i}.upsample.expand", f"decoder stage {i} patch expanding", 2 * dim, dim, bias=False)
            dim //= 2
            self.layer_norm(c, f"layers_up.{i}.upsample.norm", f"decoder stage {i} expanding norm", dim)
            depth, h = self.stage(f"layers_up.{i}", dim)
            check((depth, h) == (depths[i], heads[i]), f"decoder stage {i} has {depth} blocks of {h} heads; forecastd's "
                                                      f"decoder mirrors the encoder ({depths[i]} blocks of {heads[i]})")
        self.layer_norm(c, "norm", "the final LayerNorm", d)
        e = c.next("conv_transpose", "the up block's transposed conv")
        check(list(e.weight.shape) == [d, d, 2, 2] and e.strides == [2, 2] and e.pads == [0, 0, 0, 0] and e.bias is not None,
              f"body: the transposed conv should be {d}->{d}, 2x2, stride 2; found {list(e.weight.shape)} stride {e.strides}")
        self.put("up.conv_transpose.weight", e.weight)
        self.put("up.conv_transpose.bias", e.bias)
        self.conv(c, "up.conv1", "the up block's first conv", d, d, 3, 1, 1)
        self.group_norm(c, "up.norm1", "the up block's first GroupNorm", d)
        self.conv(c, "up.conv2", "the up block's second conv", d, d, 3, 1, 1)
        self.group_norm(c, "up.norm2", "the up block's second GroupNorm", d)
        p, s = self.patch, self.state_channels
        head = c.peek()
        if head is not None and head.kind == "conv" and list(head.weight.shape[2:]) == [1, 1]:
            # The same Linear written as a 1x1 convolution on the channels-first map.
            c.next("conv", "the output head")
            check(list(head.weight.shape[:2]) == [s * p * p, d] and head.strides == [1, 1] and head.pads == [0] * 4
                  and head.group == 1 and head.bias is not None,
                  f"body: the output head should map {d} to {s * p * p} channels; found kernel {list(head.weight.shape)}")
            self.put("head.weight", head.weight.reshape(s * p * p, d))
            self.put("head.bias", head.bias)
        else:
            self.linear(c, "head", "the output head", s * p * p, d)
        shuffle = c.next("pixel_shuffle", "the pixel shuffle")
        check(shuffle.blocksize == p and shuffle.mode == "CRD",
              f"body: pixel shuffle of block {shuffle.blocksize}, mode {shuffle.mode}; expected {p}, CRD (PyTorch's)")
        c.done()
        check(len(self.windows) == 1, f"windows of different sizes: {sorted(self.windows)}")
        check(len(self.ratios) == 1, f"MLPs of different widths: ratios {sorted(self.ratios)}")
        check(len(self.groups) == 1, f"GroupNorms with different group counts: {sorted(self.groups)}")
        check(len(self.eps) == 1 or max(self.eps) - min(self.eps) <= 1e-9, f"norms with different epsilons: {sorted(self.eps)}")
        window = self.windows.pop()
        config = {"model_type": "wenhai-swin", "grid": {"height": self.height, "width": self.width},
                  "state_channels": s, "flux_channels": self.flux_channels, "patch_size": p, "embed_dim": d,
                  "depths": depths, "num_heads": heads, "window_size": window, "mlp_ratio": self.ratios.pop(),
                  "group_norm_groups": self.groups.pop(), "norm_eps": shortest(min(self.eps))}
        self.check_padding(config)
        return config

    def check_padding(self, config):
        multiple = 2 * config["patch_size"] * config["window_size"] * 2 ** (len(config["depths"]) - 1)
        want = (-self.height % multiple, -self.width % multiple)
        got = (0, 0)
        if self.pads is not None:
            rank = len(self.pads) // 2
            begin, end = self.pads[:rank], self.pads[rank:]
            check(not any(begin), f"the inputs are padded at the start {begin}; forecastd pads bottom and right")
            got = (end[-2], end[-1])
        check(got == want, f"the inputs are padded by {got} (rows, columns); forecastd pads the {self.height}x{self.width} "
                           f"grid by {want} to a multiple of {multiple}")


def shortest(x):
    """A float32 value as the shortest decimal that reads back to it (0.494, not 0.49399998784065247)."""
    return float(str(np.float32(x)))


def convert(onnx_path):
    try:
        model = onnx.load(onnx_path)
    except FileNotFoundError:
        raise  # a missing file is exit 66, not a mismatch
    except Exception as error:  # the protobuf parser's errors have no common type
        raise Mismatch(f"not an ONNX model: {error}") from None
    graph = Graph(model)
    importer = Importer(graph, find_events(graph))
    config = importer.run()
    dtypes = {graph.values[i.name].dtype for i in model.graph.initializer if graph.values[i.name].dtype.kind == "f"}
    storage = np.float16 if dtypes == {np.dtype(np.float16)} else np.float32
    weights = {k: v.astype(storage) for k, v in importer.weights.items()}
    return config, weights
