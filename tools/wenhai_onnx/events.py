"""The parameterised operations of a graph along its data flow (convolutions, norms, linear layers, attention and
its folded bias and mask, activations), each tagged with the inputs it depends on."""
import numpy as np

from .graph import Mismatch

# Operations a WenHai-structured graph is made of; any other is reported, not guessed at.
KNOWN_OPS = {"Add", "Cast", "Concat", "Constant", "ConstantOfShape", "Conv", "ConvTranspose", "DepthToSpace", "Div",
             "Equal", "Erf", "Expand", "Flatten", "Gather", "Gemm", "Identity", "InstanceNormalization",
             "LayerNormalization", "MatMul", "Mul", "Pad", "Pow", "Range", "Reshape", "Shape", "Sigmoid", "Slice",
             "Softmax", "Split", "Sqrt", "Squeeze", "Sub", "Transpose", "Unsqueeze", "Where"}


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
