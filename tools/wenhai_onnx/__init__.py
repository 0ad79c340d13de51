"""Reading WenHai-structured ONNX files into forecastd model folders (tools/import_wenhai.py is the command):
graph.py evaluates what the exporter folded, events.py lists the parameterised operations along the data flow,
structure.py matches them against forecastd's network, pipeline.py reads the authors' normalisation and mask files."""
from .graph import Mismatch, check  # noqa: F401
