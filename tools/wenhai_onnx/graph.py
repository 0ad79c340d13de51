"""An ONNX graph with inferred shapes, its constants, and the static tensors (computable without the inputs)
evaluated with ONNX Runtime; the mismatch a WenHai-structured graph is refused with."""
import numpy as np
import onnx
from onnx import helper, numpy_helper


class Mismatch(Exception):
    """The graph is not WenHai-structured; the message says where and how."""


def check(condition, message):
    if not condition:
        raise Mismatch(message)


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
