"""The MiniLM encoder's transformer as an ONNX graph, built at run time from the shipped weights
(nothing downloaded, no exported file kept) and run by onnxruntime's CPU provider.

The graph is the NumPy forward pass of `embeddings.MiniLMEncoder._hidden`, op for op: word +
position (+ token type 0) embeddings, LayerNorm, then 6 layers of fused query/key/value
product (the query pre-scaled), masked softmax attention, output product, residual LayerNorm,
feed-forward with exact (erf) GELU, residual LayerNorm. It returns the last layer's states;
pooling and normalisation stay in NumPy. onnxruntime's matrix products use the wider vector
units a CPU has (AVX-512 where present) that the NumPy wheel's OpenBLAS may not select, about
half the CPU time of the NumPy pass. One intra-op thread per session run, so a batch's
arithmetic does not depend on the thread count: the same texts give the same vectors.

`quantised_model` is the faster, approximate variant (the `onnxruntime-int8` backend):
onnxruntime's dynamic quantisation turns every matrix product with a weight into an int8
product, the weights quantised once per output channel, the activations per run from their own
range. It takes about half the CPU time of the float graph (the products run on the CPU's int8
dot-product instructions) and moves the vectors by a cosine of about 0.006 on average (0.016 at
worst, against 1e-7 for the float graph); README "Semantic view" gives what that does to the
grouping. Since a run's activations share one range, the caller runs one text per run, so a
text's vector never depends on the texts beside it.

Needs the `onnx` and `onnxruntime` packages (the `gcmdash[embeddings]` extra)."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gcmdash.topics.embeddings import MiniLMEncoder

OPSET = 20  # the first with Gelu


def available() -> bool:
    """Whether onnx and onnxruntime can be imported."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def version() -> str:
    """'onnxruntime X.Y.Z' for the provenance."""
    import onnxruntime
    return f"onnxruntime {onnxruntime.__version__}"


class _Graph:
    """Nodes and initializers of the graph being built, each output named once."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.initializers: list = []

    def const(self, name: str, array: np.ndarray) -> str:
        from onnx import numpy_helper
        self.initializers.append(numpy_helper.from_array(np.require(array, requirements="C"),
                                                         name))
        return name

    def op(self, op_type: str, *inputs: str, **attributes) -> str:
        from onnx import helper
        out = f"t{len(self.nodes)}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attributes))
        return out

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        return self.op("Add", self.op("MatMul", x, self.const(f"{name}.w", weight)),
                       self.const(f"{name}.b", bias))

    def layer_norm(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str,
                   eps: float) -> str:
        return self.op("LayerNormalization", x, self.const(f"{name}.w", weight),
                       self.const(f"{name}.b", bias), axis=-1, epsilon=eps)


def _attention(g: _Graph, x: str, mask_bias: str, w: dict, i: int, heads: int,
               size: int, hidden: int) -> str:
    qkv = g.op("Reshape", g.linear(x, w["qkv.weight"], w["qkv.bias"], f"l{i}.qkv"),
               g.const(f"l{i}.split", np.array([0, 0, 3, heads, size], dtype=np.int64)))
    qkv = g.op("Transpose", qkv, perm=[2, 0, 3, 1, 4])  # (3, batch, heads, length, size)
    q, k, v = (g.op("Gather", qkv, g.const(f"l{i}.part{j}", np.array(j, dtype=np.int64)),
                    axis=0) for j in range(3))
    scores = g.op("Add", g.op("MatMul", q, g.op("Transpose", k, perm=[0, 1, 3, 2])), mask_bias)
    context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]),
                   g.const(f"l{i}.merge", np.array([0, 0, hidden], dtype=np.int64)))
    return g.linear(context, w["attention_out.weight"], w["attention_out.bias"], f"l{i}.out")


def build_model(encoder: MiniLMEncoder, eps: float) -> bytes:
    """The serialised ONNX model of the encoder's transformer: inputs input_ids (int64,
    batch x length) and mask (float32, 1 for a token, 0 for padding); output hidden (float32,
    batch x length x hidden)."""
    from onnx import TensorProto, helper

    g, t = _Graph(), encoder.t
    hidden, heads = encoder.hidden, encoder.n_heads
    length = g.op("Gather", g.op("Shape", "input_ids"),
                  g.const("one", np.array(1, dtype=np.int64)), axis=0)
    positions = g.op("Range", g.const("zero", np.array(0, dtype=np.int64)), length, "one")
    x = g.op("Add", g.op("Gather", g.const("word", t["embeddings.word_embeddings.weight"]),
                         "input_ids"),
             g.op("Gather", g.const("position", t["embeddings.position_embeddings.weight"]),
                  positions))
    x = g.op("Add", x, g.const("token_type", t["embeddings.token_type"]))
    x = g.layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"],
                     "embeddings.norm", eps)
    mask_bias = g.op("Mul", g.op("Sub", g.const("f1", np.array(1, dtype=np.float32)), "mask"),
                     g.const("fmin", np.array(np.finfo(np.float32).min, dtype=np.float32)))
    mask_bias = g.op("Unsqueeze", mask_bias, g.const("axes12", np.array([1, 2], dtype=np.int64)))
    for i, w in enumerate(encoder.layers):
        attended = _attention(g, x, mask_bias, w, i, heads, hidden // heads, hidden)
        x = g.layer_norm(g.op("Add", attended, x), w["attention_norm.weight"],
                         w["attention_norm.bias"], f"l{i}.attention_norm", eps)
        inner = g.op("Gelu", g.linear(x, w["intermediate.weight"], w["intermediate.bias"],
                                      f"l{i}.intermediate"))
        out = g.linear(inner, w["output.weight"], w["output.bias"], f"l{i}.output")
        x = g.layer_norm(g.op("Add", out, x), w["output_norm.weight"], w["output_norm.bias"],
                         f"l{i}.output_norm", eps)
    g.nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        g.nodes, "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "length"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT,
                                       ["batch", "length", hidden])],
        initializer=g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              ir_version=10)
    return model.SerializeToString()


def quantised_model(model: bytes) -> bytes:
    """The serialised model with the weights of its matrix products in int8 (per output
    channel, signed) and those products quantising their input per run: deterministic, the
    same bytes for the same model."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantiser_log = logging.getLogger()  # it advises, on the root logger, a pre-processing pass
    level = quantiser_log.level          # that only matters for static quantisation
    quantiser_log.setLevel(logging.ERROR)
    try:
        with tempfile.TemporaryDirectory(prefix="gcmdash-int8-") as folder:
            source, target = Path(folder, "float.onnx"), Path(folder, "int8.onnx")
            source.write_bytes(model)
            quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul"])
            return target.read_bytes()
    finally:
        quantiser_log.setLevel(level)


def session(encoder: MiniLMEncoder, eps: float,
            int8: bool = False):  # noqa: ANN201 - onnxruntime's type
    """An onnxruntime session of the encoder's graph (its int8 variant with `int8`): CPU
    provider, one thread per run (the caller runs batches in its own threads), deterministic
    compute."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.use_deterministic_compute = True
    options.log_severity_level = 3
    model = build_model(encoder, eps)
    return ort.InferenceSession(quantised_model(model) if int8 else model, options,
                                providers=["CPUExecutionProvider"])
