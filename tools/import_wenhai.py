#!/usr/bin/env python3
"""Converts a WenHai-structured ONNX file (the published WenHai.onnx, or one exported the same way from a PyTorch
model of the same structure) into a forecastd model folder.

Usage: import_wenhai.py MODEL.onnx OUT_FOLDER [--pipeline DIR] [--levels M ...] [--force]

The network's hyperparameters (channels, patch, embedding width, stages, blocks, heads, window, MLP ratio,
GroupNorm groups, epsilon) are read from the graph and its initializers' shapes, and every weight is found by the
graph's structure: which operation consumes it, in which order along the data flow from the two inputs, never by
its name. Tensors the exporter folded (the relative position bias gathered from its table, Swin's shift mask, the
attention scale) are evaluated with ONNX Runtime and checked: the bias table is recovered from the gathered bias,
the mask and scale must be Swin's. Anything that does not match forecastd's network is refused with a report of
each mismatch, and nothing is written.

With --pipeline DIR, the folder holding the authors' pipeline files (min_GLORYS.npy, max_GLORYS.npy,
min_flux.npy, max_flux.npy, mask_GLORYS.nc), the model folder is made ready to forecast: min-max normalisation,
states clipped to [0, 1] normalised (the channels' min and max), normalised fluxes clipped to [0, 1], the
per-channel ocean mask, the grid's coordinates and depths (from mask_GLORYS.nc, or --levels), and the flux recipe
the published pipeline computes ("fluxes": "wenhai").

Exit status (sysexits): 0 written, 64 bad usage, 65 not a WenHai-structured graph or inconsistent pipeline files,
66 an input missing, 73 the folder cannot be written (it exists without --force, or the disk refuses)."""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_CANTCREAT = 64, 65, 66, 73

# Operations a WenHai-structured graph is made of; any other is reported, not guessed at.
KNOWN_OPS = {"Add", "Cast", "Concat", "Constant", "ConstantOfShape", "Conv", "ConvTranspose", "DepthToSpace", "Div",
             "Equal", "Erf", "Expand", "Flatten", "Gather", "Gemm", "Identity", "InstanceNormalization",
             "LayerNormalization", "MatMul", "Mul", "Pad", "Pow", "Range", "Reshape", "Shape", "Sigmoid", "Slice",
             "Softmax", "Split", "Sqrt", "Squeeze", "Sub", "Transpose", "Unsqueeze", "Where"}


class Mismatch(Exception):
    """The graph is not WenHai-structured; the message says where and how."""


class Graph:
    """An ONNX graph with inferred shapes, its constants, and what each tensor is computed from."""

    def __init__(self, model):
        # ONNX Runtime's symbolic shape inference follows shapes through Shape/Gather/Concat arithmetic, which
        # onnx's own leaves unknown after Swin's window reshapes.
        from onnxruntime.tools.symbolic_shape_infer import SymbolicShapeInference

        try:
            self.model = SymbolicShapeInference.infer_shapes(model)
        except Exception:  # noqa: BLE001  (it raises bare Exceptions on graphs it cannot follow)
            self.model = onnx.shape_inference.infer_shapes(model, data_prop=True)
        g = self.model.graph
        self.nodes = list(g.node)
        self.values = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        for n in self.nodes:
            if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
                self.values[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        self.shapes, self.types = {}, {}
        for v in list(g.input) + list(g.output) + list(g.value_info):
            dims = v.type.tensor_type.shape.dim
            self.types[v.name] = v.type.tensor_type.elem_type
            self.shapes[v.name] = [d.dim_value if d.HasField("dim_value") else None for d in dims]
        self.inputs = [i for i in g.input if i.name not in self.values]
        self.producer = {o: n for n in self.nodes for o in n.output}
        self.consumers = {}
        for n in self.nodes:
            for x in n.input:
                self.consumers.setdefault(x, []).append(n)
        # Static: computable without the inputs (constants, and shapes of tensors whose shape is known).
        self.static = set(self.values)
        for n in self.nodes:
            if n.op_type == "Shape":
                shape = self.shapes.get(n.input[0])
                if shape and None not in shape:
                    self.static.add(n.output[0])
            elif n.op_type != "Constant" and all(x == "" or x in self.static for x in n.input):
                self.static.update(n.output)
        self.evaluated = {}

    def is_static(self, name):
        return name in self.static

    def value(self, name):
        """The value of a static tensor (evaluated with ONNX Runtime when it is computed)."""
        if name in self.values:
            return self.values[name]
        if name not in self.evaluated:
            self.evaluate([name])
        return self.evaluated[name]

    def evaluate(self, names):
        """Evaluates static tensors in one ONNX Runtime run of the subgraph that computes them, shapes of
        tensors replaced by their inferred values."""
        import onnxruntime as ort

        wanted, needed, stack = [n for n in names if n not in self.values], set(), list(names)
        while stack:
            name = stack.pop()
            if name in needed or name in self.values or name == "":
                continue
            needed.add(name)
            node = self.producer[name]
            if node.op_type != "Shape":
                stack.extend(node.input)
        nodes, used = [], set()
        for n in self.nodes:
            if not any(o in needed for o in n.output):
                continue
            if n.op_type == "Shape":
                shape = np.array(self.shapes[n.input[0]], dtype=np.int64)
                start = next((a.i for a in n.attribute if a.name == "start"), 0)
                end = next((a.i for a in n.attribute if a.name == "end"), len(shape))
                nodes.append(helper.make_node("Constant", [], [n.output[0]],
                                              value=numpy_helper.from_array(shape[start:end])))
            else:
                nodes.append(n)
                used.update(n.input)
        initializers = [numpy_helper.from_array(self.values[x], x) for x in used if x in self.values
                        and x not in {o for n in nodes for o in n.output}]
        outputs = [helper.make_tensor_value_info(n, self.types.get(n, onnx.TensorProto.UNDEFINED), None) for n in wanted]
        graph = helper.make_graph(nodes, "static", [], outputs, initializers)
        model = helper.make_model(graph, opset_imports=self.model.opset_import)
        model.ir_version = self.model.ir_version
        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        for name, value in zip(wanted, session.run(wanted, {})):
            self.evaluated[name] = value

    def attr(self, node, name, default=None):
        for a in node.attribute:
            if a.name == name:
                return helper.get_attribute_value(a)
        return default

    def only_consumer(self, name, op=None):
        users = self.consumers.get(name, [])
        if len(users) == 1 and (op is None or users[0].op_type == op):
            return users[0]
        return None


class Event:
    """One parameterised operation found along the data flow."""

    def __init__(self, kind, node, **fields):
        self.kind, self.node, self.fields = kind, node, fields

    def __getattr__(self, name):
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def describe(self):
        shapes = {k: list(v.shape) for k, v in self.fields.items() if isinstance(v, np.ndarray)}
        scalars = {k: v for k, v in self.fields.items() if not isinstance(v, np.ndarray) and k != "branch"}
        return f"{self.kind} (node {self.node.name or self.node.op_type}, {shapes or ''}{scalars or ''})"


def find_events(graph):
    """The parameterised operations in the graph's order, each tagged with the inputs it depends on; also what
    cannot belong to the structure (operations forecastd does not know, parameters no operation explains)."""
    g = graph
    unknown = sorted({n.op_type for n in g.nodes} - KNOWN_OPS)
    if unknown:
        raise Mismatch(f"operations a WenHai-structured network does not use: {', '.join(unknown)}")
    if len(g.inputs) != 2:
        raise Mismatch(f"{len(g.inputs)} inputs ({', '.join(i.name for i in g.inputs)}); WenHai has two, the ocean "
                       "state and the bulk fluxes")
    depends = {i.name: {k} for k, i in enumerate(g.inputs)}
    explained = set()
    events, scores = [], set()

    def static(name):
        return name and g.is_static(name)

    def take(name):
        """A static operand's value; it and every constant it is computed from are explained."""
        stack = [name]
        while stack:
            x = stack.pop()
            if x and x not in explained:
                explained.add(x)
                if x not in g.values and x in g.producer:
                    stack.extend(g.producer[x].input)
        return np.asarray(g.value(name), dtype=np.float32) if g.value(name).dtype.kind == "f" else g.value(name)

    def bias_after(output, size):
        """The bias added to `output` by its only consumer, if it is an Add of a static [size] tensor."""
        add = g.only_consumer(output, "Add")
        if add is None:
            return None, output
        other = add.input[1] if add.input[0] == output else add.input[0]
        if static(other) and list(g.value(other).shape) == [size]:
            return take(other), add.output[0]
        return None, output

    consumed_adds = set()
    for n in g.nodes:
        deps = set().union(*(depends.get(x, set()) for x in n.input)) if n.input else set()
        for o in n.output:
            depends[o] = deps
        branch = frozenset(deps)
        if not deps or id(n) in consumed_adds:
            continue
        op = n.op_type
        if op in ("Conv", "ConvTranspose"):
            if not static(n.input[1]):
                raise Mismatch(f"{op} {n.name} has a computed kernel")
            bias = take(n.input[2]) if len(n.input) > 2 and n.input[2] else None
            events.append(Event("conv" if op == "Conv" else "conv_transpose", n, branch=branch, weight=take(n.input[1]),
                                bias=bias, strides=list(g.attr(n, "strides", [1, 1])),
                                pads=list(g.attr(n, "pads", [0, 0, 0, 0])), group=g.attr(n, "group", 1),
                                dilations=list(g.attr(n, "dilations", [1, 1]))))
        elif op == "InstanceNormalization":
            scale, shift = take(n.input[1]), take(n.input[2])
            if not (np.all(scale == 1) and np.all(shift == 0)):
                raise Mismatch(f"InstanceNormalization {n.name} has its own scale and shift; a GroupNorm's are ones "
                               "and zeros, its affine parameters follow it")
            reshape = g.only_consumer(n.output[0], "Reshape")
            mul = reshape and g.only_consumer(reshape.output[0], "Mul")
            add = mul and g.only_consumer(mul.output[0], "Add")
            if add is None:
                raise Mismatch(f"InstanceNormalization {n.name} is not followed by a GroupNorm's reshape, scale and shift")
            gamma = next((x for x in mul.input if static(x)), None)
            beta = next((x for x in add.input if static(x)), None)
            if gamma is None or beta is None:
                raise Mismatch(f"GroupNorm at {n.name} has no affine parameters")
            consumed_adds.update((id(mul), id(add)))
            events.append(Event("group_norm", n, branch=branch, groups=int(scale.size), epsilon=float(g.attr(n, "epsilon", 1e-5)),
                                weight=take(gamma).reshape(-1), bias=take(beta).reshape(-1)))
        elif op == "LayerNormalization":
            if g.attr(n, "axis", -1) not in (-1, len(g.shapes.get(n.input[0], [])) - 1):
                raise Mismatch(f"LayerNormalization {n.name} normalises over axis {g.attr(n, 'axis')}, not the channels")
            bias = take(n.input[2]) if len(n.input) > 2 and n.input[2] else None
            events.append(Event("layer_norm", n, branch=branch, weight=take(n.input[1]), bias=bias,
                                epsilon=float(g.attr(n, "epsilon", 1e-5))))
        elif op in ("MatMul", "Gemm"):
            a, b = n.input[0], n.input[1]
            if static(b) and g.value(b).ndim == 2:
                w = take(b)
                if op == "Gemm":
                    if g.attr(n, "transA", 0) or g.attr(n, "alpha", 1.0) != 1.0 or g.attr(n, "beta", 1.0) != 1.0:
                        raise Mismatch(f"Gemm {n.name} is not a plain linear layer")
                    weight = w if g.attr(n, "transB", 0) else w.T
                    bias = take(n.input[2]).reshape(-1) if len(n.input) > 2 and n.input[2] else None
                    out = n.output[0]
                else:
                    weight = w.T
                    bias, out = bias_after(n.output[0], weight.shape[0])
                    if bias is not None:
                        consumed_adds.add(id(g.only_consumer(n.output[0], "Add")))
                events.append(Event("linear", n, branch=branch, weight=np.ascontiguousarray(weight), bias=bias))
            elif not static(a) and not static(b):
                scale = scale_of(g, a)
                if scale is not None:
                    events.append(Event("attention", n, branch=branch, scale=scale))
                    scores.add(n.output[0])
            else:
                raise Mismatch(f"MatMul {n.name} multiplies by a static tensor that is not a weight matrix")
        elif op == "Add" and any(x in scores for x in n.input):
            other = next(x for x in n.input if x not in scores)
            if not static(other):
                raise Mismatch(f"attention scores at {n.name} receive a computed term")
            # Swin adds the relative position bias first, then (shifted blocks only) the shift mask.
            kind = "shift_mask" if events and events[-1].kind == "position_bias" else "position_bias"
            events.append(Event(kind, n, branch=branch, value=take(other)))
            scores.add(n.output[0])
        elif op == "Softmax" and any(x in scores for x in n.input):
            events.append(Event("softmax", n, branch=branch))
        elif op == "Erf":
            events.append(Event("gelu", n, branch=branch))
        elif op == "Sigmoid":
            events.append(Event("silu", n, branch=branch))
        elif op == "DepthToSpace":
            events.append(Event("pixel_shuffle", n, branch=branch, blocksize=g.attr(n, "blocksize"),
                                mode=g.attr(n, "mode", b"DCR").decode() if isinstance(g.attr(n, "mode", b"DCR"), bytes) else g.attr(n, "mode")))
        elif op == "Pad":
            pads = take(n.input[1]) if len(n.input) > 1 and static(n.input[1]) else None
            events.append(Event("pad", n, branch=branch, pads=pads, mode=g.attr(n, "mode", b"constant")))
        elif op in ("Mul", "Add", "Sub", "Div"):
            for x in n.input:
                if static(x) and g.value(x).dtype.kind == "f" and g.value(x).size > 1:
                    raise Mismatch(f"{op} {n.name} applies a parameter of shape {list(g.value(x).shape)} that is no "
                                   "part of a WenHai-structured network")
    stray = [name for name, v in g.values.items()
             if v.dtype.kind == "f" and v.size > 1 and name not in explained and name in g.consumers
             and any(depends.get(o) for c in g.consumers[name] for o in c.output)]
    if stray:
        raise Mismatch(f"parameters no part of the structure explains: {', '.join(stray[:8])}")
    return events


def scale_of(graph, name):
    """The attention scale applied to the queries feeding a scores MatMul: Mul(q, static scalar), possibly
    through a Transpose; None when `name` is not such a product (the weights-times-values MatMul)."""
    g = graph
    node = g.producer.get(name)
    while node is not None and node.op_type in ("Transpose", "Reshape", "Cast"):
        node = g.producer.get(node.input[0])
    if node is None or node.op_type != "Mul":
        return None
    for x in node.input:
        if g.is_static(x) and g.value(x).size == 1:
            return float(np.asarray(g.value(x), dtype=np.float64).reshape(-1)[0])
    return None


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


def check(condition, message):
    if not condition:
        raise Mismatch(message)


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
        raise
    except Exception as error:  # the protobuf parser's errors have no common type
        raise Mismatch(f"not an ONNX model: {error}") from None
    graph = Graph(model)
    importer = Importer(graph, find_events(graph))
    config = importer.run()
    dtypes = {graph.values[i.name].dtype for i in model.graph.initializer if graph.values[i.name].dtype.kind == "f"}
    storage = np.float16 if dtypes == {np.dtype(np.float16)} else np.float32
    weights = {k: v.astype(storage) for k, v in importer.weights.items()}
    return config, weights


def read_pipeline(folder, config, levels):
    """The forecast block, normalisation and mask from the authors' pipeline files."""
    import xarray as xr

    def load(name):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            raise FileNotFoundError(path)
        return np.load(path).astype(np.float64).reshape(-1)

    s, f = config["state_channels"], config["flux_channels"]
    lo, hi, flo, fhi = load("min_GLORYS.npy"), load("max_GLORYS.npy"), load("min_flux.npy"), load("max_flux.npy")
    for name, v, n in (("min_GLORYS.npy", lo, s), ("max_GLORYS.npy", hi, s), ("min_flux.npy", flo, f), ("max_flux.npy", fhi, f)):
        check(v.size == n and np.all(np.isfinite(v)), f"{os.path.join(folder, name)}: {v.size} values, expected {n} finite ones")
    for name, a, b in (("GLORYS", lo, hi), ("flux", flo, fhi)):
        check(np.all(b > a), f"{folder}: max_{name}.npy is not above min_{name}.npy for every channel")
    mask_path = os.path.join(folder, "mask_GLORYS.nc")
    if not os.path.exists(mask_path):
        raise FileNotFoundError(mask_path)
    with xr.open_dataset(mask_path) as ds:
        check("mask" in ds, f"{mask_path}: no variable 'mask'")
        mask = np.nan_to_num(ds["mask"].values.astype(np.float64))
        lat = next((ds[n].values for n in ("latitude", "lat", "nav_lat") if n in ds.variables), None)
        lon = next((ds[n].values for n in ("longitude", "lon", "nav_lon") if n in ds.variables), None)
        depth = next((ds[n].values for n in ("depth", "deptht", "lev") if n in ds.variables), None)
    h, w = config["grid"]["height"], config["grid"]["width"]
    mask = mask.reshape((-1,) + mask.shape[-2:])
    check(mask.shape == (s, h, w), f"{mask_path}: mask is {list(mask.shape)}, expected [{s}, {h}, {w}] (one per state channel)")
    check(lat is not None and lon is not None and lat.shape == (h,) and lon.shape == (w,),
          f"{mask_path}: needs 1-D latitude ({h}) and longitude ({w}) coordinates")
    if levels is None:
        check(depth is not None, f"{mask_path} has no depth coordinate: give --levels")
        levels = [shortest(x) for x in np.asarray(depth).reshape(-1)]
    check(4 * len(levels) + 1 == s, f"{len(levels)} levels, but {s} state channels need {(s - 1) / 4:g} "
                                   "(uo, vo, thetao, so on each level, then zos)")
    block = {"levels": levels, "normalization": "minmax", "flux_range": [0.0, 1.0], "fluxes": "wenhai"}
    normalization = {"state_offset": lo, "state_scale": hi - lo, "state_lower": lo, "state_upper": hi,
                     "flux_offset": flo, "flux_scale": fhi - flo}
    normalization = {k: v.astype(np.float32) for k, v in normalization.items()}
    normalization["latitude"] = np.asarray(lat, dtype=np.float64)
    normalization["longitude"] = np.asarray(lon, dtype=np.float64)
    return block, normalization, {"ocean": (mask > 0.5).astype(np.uint8)}


def write_folder(out, config, weights, pipeline, source):
    from safetensors.numpy import save_file

    parent = os.path.dirname(os.path.abspath(out))
    staging = tempfile.mkdtemp(prefix=".import-", dir=parent)
    try:
        if pipeline is not None:
            block, normalization, mask = pipeline
            config = config | {"forecast": block}
            save_file(normalization, os.path.join(staging, "normalization.safetensors"))
            save_file(mask, os.path.join(staging, "mask.safetensors"))
        config = config | {"source": source}
        with open(os.path.join(staging, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
        save_file(weights, os.path.join(staging, "model.safetensors"), metadata={"format": "pt"})
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("onnx")
    parser.add_argument("out")
    parser.add_argument("--pipeline", help="folder of min_GLORYS.npy, max_GLORYS.npy, min_flux.npy, max_flux.npy, mask_GLORYS.nc")
    parser.add_argument("--levels", type=float, nargs="+", help="depth of each level in m (default: mask_GLORYS.nc's depth)")
    parser.add_argument("--force", action="store_true", help="replace OUT_FOLDER if it exists")
    try:
        args = parser.parse_args()
    except SystemExit as exit:
        sys.exit(EX_USAGE if exit.code else 0)
    if os.path.exists(args.out) and not args.force:
        print(f"import_wenhai: {args.out} exists; give --force to replace it", file=sys.stderr)
        sys.exit(EX_CANTCREAT)
    try:
        config, weights = convert(args.onnx)
        pipeline = read_pipeline(args.pipeline, config, args.levels) if args.pipeline else None
    except FileNotFoundError as error:
        print(f"import_wenhai: {error.filename or error}: no such file", file=sys.stderr)
        sys.exit(EX_NOINPUT)
    except Mismatch as error:
        print(f"import_wenhai: {args.onnx}: not a WenHai-structured network forecastd runs: {error}", file=sys.stderr)
        sys.exit(EX_DATAERR)
    with open(args.onnx, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    source = {"onnx": os.path.basename(args.onnx), "sha256": digest, "importer": "tools/import_wenhai.py"}
    try:
        write_folder(args.out, config, weights, pipeline, source)
    except OSError as error:
        print(f"import_wenhai: {args.out}: cannot write the model folder: {error}", file=sys.stderr)
        sys.exit(EX_CANTCREAT)
    c = config
    print(f"{args.out}: {c['state_channels']} state + {c['flux_channels']} flux channels on {c['grid']['height']}x"
          f"{c['grid']['width']}, patch {c['patch_size']}, dim {c['embed_dim']}, depths {c['depths']}, heads "
          f"{c['num_heads']}, window {c['window_size']}, {sum(v.size for v in weights.values())} parameters"
          + (", ready to forecast" if pipeline else ""))


if __name__ == "__main__":
    main()
