#!/usr/bin/env python3
"""Builds the ONNX files of crates/import/tests/data/ (committed; the Rust
tests never run Python).

Five files reproduce the paper's preset networks from the preset workload
documents (crates/model/presets/workloads/*.json): every convolution is
"valid" (no pads) with the preset's loop sizes, so the network input is as
large as the first layer reads. Where a preset does what ONNX cannot say
directly, an ONNX operator says it:

* resnet18 adds tensors of different sizes (layer 1's 155x155 to layer 3's
  151x151): a Slice crops the larger one first;
* resnet18 adds across a stage without a shortcut convolution (layer 7's
  64 x 147 x 147 to layer 9's 128 x 71 x 71): a Slice crops the rows and
  columns and a Pad adds zero channels, the identity shortcut of the ResNet
  paper's option A;
* dmcnnvd's layer 15 reads 778 columns of layer 14's 768: a Pad adds them.

Weights are initializers whose dims are real but that hold no data (the
importer reads dims only), so each file is a few KB. Around the layers the
graphs use the operators real exports have: BatchNormalization, Relu, Clip
(relu6), PRelu, Flatten, Reshape, Softmax. fsrcnn's input is dynamic
([N, 1, H, W]): importing it needs an input shape.

A few tiny files test refusals: an unsupported operator (Concat), a cycle,
an opset the importer does not read.

Usage: python3 make_presets.py  (needs `pip install onnx`)
"""

import json
import os

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
PRESETS = os.path.join(HERE, "..", "..", "model", "presets", "workloads")
OUT = os.path.join(HERE, "data")
OPSET = 17


def weight(name, dims):
    """An initializer with real dims and no data."""
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    return t


def ints(name, values):
    return helper.make_tensor(name, TensorProto.INT64, [len(values)], values)


def relation(layer, axis):
    """(stride, dilation) of axis 'x' or 'y' from the equation relations."""
    for r in layer.get("equation_relations", []):
        lhs, rhs = r.split("=")
        if lhs == "i" + axis:
            a, b = rhs.split("+")
            return int(a.split("*")[0]), int(b.split("*")[0])
    return 1, 1


def reads(layer):
    """(rows, columns) a valid window of the layer reads of its input."""
    d = layer["loop_dims"]
    if layer["kind"] == "elementwise_add" or "FX" not in d:
        return d["OY"], d["OX"]
    sy, dy = relation(layer, "y")
    sx, dx = relation(layer, "x")
    return (d["OY"] - 1) * sy + dy * (d["FY"] - 1) + 1, (d["OX"] - 1) * sx + dx * (d["FX"] - 1) + 1


class Builder:
    def __init__(self, name):
        self.name = name
        self.nodes, self.inits = [], []
        self.shape = {}  # tensor -> (c, h, w)
        self.n = 0

    def tmp(self, stem):
        self.n += 1
        return f"{stem}_{self.n}"

    def node(self, op, inputs, name, **attrs):
        out = self.tmp(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def fit(self, tensor, rows, cols, consumer, channels=None):
        """A crop (Slice) or padding (Pad) so the consumer reads rows x cols
        (and `channels`: a zero padding of channels)."""
        c, h, w = self.shape[tensor]
        if h > rows or w > cols:
            rows_kept, cols_kept = min(h, rows), min(w, cols)
            s, e, a = self.tmp("starts"), self.tmp("ends"), self.tmp("axes")
            oy, ox = (h - rows_kept) // 2, (w - cols_kept) // 2
            self.inits += [ints(s, [oy, ox]), ints(e, [oy + rows_kept, ox + cols_kept]), ints(a, [2, 3])]
            tensor = self.node("Slice", [tensor, s, e, a], f"crop for {consumer}")
            h, w = rows_kept, cols_kept
            self.shape[tensor] = (c, h, w)
        want = channels or c
        if (c, h, w) != (want, rows, cols):
            p = self.tmp("pads")
            pc, py, px = want - c, rows - h, cols - w
            self.inits.append(ints(p, [0, 0, py // 2, px // 2, 0, pc, py - py // 2, px - px // 2]))
            tensor = self.node("Pad", [tensor, p], f"pad for {consumer}", mode="constant")
            self.shape[tensor] = (want, rows, cols)
        return tensor

    def bn(self, tensor, c, name):
        names = [self.tmp(f"{name}_bn_{k}") for k in ("scale", "bias", "mean", "var")]
        self.inits += [weight(n, [c]) for n in names]
        out = self.node("BatchNormalization", [tensor] + names, f"{name} bn")
        self.shape[out] = self.shape[tensor]
        return out

    def act(self, tensor, style, name):
        if style == "relu":
            out = self.node("Relu", [tensor], f"{name} relu")
        elif style == "relu6":
            lo, hi = self.tmp("min"), self.tmp("max")
            self.inits += [helper.make_tensor(lo, TensorProto.FLOAT, [], [0.0]),
                           helper.make_tensor(hi, TensorProto.FLOAT, [], [6.0])]
            out = self.node("Clip", [tensor, lo, hi], f"{name} relu6")
        else:
            slope = self.tmp("slope")
            self.inits.append(weight(slope, [self.shape[tensor][0], 1, 1]))
            out = self.node("PRelu", [tensor, slope], f"{name} prelu")
        self.shape[out] = self.shape[tensor]
        return out


def build(net, style, bn, fc, dynamic=False, value_info=False):
    w = json.load(open(os.path.join(PRESETS, f"{net}.json")))
    layers = w["layers"]
    b = Builder(net)
    first = layers[1]
    rows, cols = reads(first)
    channels = layers[0]["loop_dims"]["K"]
    b.shape["input"] = (channels, rows, cols)
    tensor_of = {-1: "input"}
    last = None
    for l in layers[1:]:
        d, kind, lid = l["loop_dims"], l["kind"], l["id"]
        name = f"L{lid}" + (f" {l['label']}" if l.get("label") else "")
        srcs = l["operand_sources"]
        if kind == "elementwise_add":
            x = b.fit(tensor_of[srcs["X"][-1]], d["OY"], d["OX"], name, d["G"])
            y = b.fit(tensor_of[srcs["Y"][-1]], d["OY"], d["OX"], name, d["G"])
            out = b.node("Add", [x, y], name)
            b.shape[out] = (d["G"], d["OY"], d["OX"])
            out = b.act(out, style, name)
        elif kind == "pooling":
            src = tensor_of[srcs["I"][-1]]
            c, h, wd = b.shape[src]
            if d["OX"] == 1 and (h, wd) == (d["FY"], d["FX"]) and net == "resnet18":
                out = b.node("GlobalAveragePool", [src], name)
            else:
                sy, _ = relation(l, "y")
                sx, _ = relation(l, "x")
                src = b.fit(src, *reads(l), name)
                op = "MaxPool" if "max" in (l.get("label") or "") else "AveragePool"
                out = b.node(op, [src], name, kernel_shape=[d["FY"], d["FX"]], strides=[sy, sx])
            b.shape[out] = (d["G"], d["OY"], d["OX"])
        elif kind == "conv" and d["OX"] == 1 and d["OY"] == 1:
            src = tensor_of[srcs["I"][-1]]
            wname, bname = b.tmp(f"L{lid}_W"), b.tmp(f"L{lid}_B")
            if fc == "gemm":
                flat = b.node("Flatten", [src], f"{name} flatten", axis=1)
                b.inits += [weight(wname, [d["K"], d["C"]]), weight(bname, [d["K"]])]
                out = b.node("Gemm", [flat, wname, bname], name, transB=1)
            else:
                s = b.tmp("shape")
                b.inits += [ints(s, [1, -1]), weight(wname, [d["C"], d["K"]]), weight(bname, [d["K"]])]
                flat = b.node("Reshape", [src, s], f"{name} reshape")
                mm = b.node("MatMul", [flat, wname], name)
                out = b.node("Add", [mm, bname], f"{name} bias")
            b.shape[out] = (d["K"], 1, 1)
        else:
            src = b.fit(tensor_of[srcs["I"][-1]], *reads(l), name)
            sy, dy = relation(l, "y")
            sx, dx = relation(l, "x")
            fy, fx = d.get("FY", 1), d.get("FX", 1)
            wname = b.tmp(f"L{lid}_W")
            if kind == "depthwise_conv":
                b.inits.append(weight(wname, [d["G"], 1, fy, fx]))
                out = b.node("Conv", [src, wname], name, kernel_shape=[fy, fx], strides=[sy, sx],
                             dilations=[dy, dx], group=d["G"])
                k = d["G"]
            else:
                b.inits.append(weight(wname, [d["K"], d["C"], fy, fx]))
                out = b.node("Conv", [src, wname], name, kernel_shape=[fy, fx], strides=[sy, sx],
                             dilations=[dy, dx])
                k = d["K"]
            b.shape[out] = (k, d["OY"], d["OX"])
            if bn:
                out = b.bn(out, k, name)
            if lid != layers[-1]["id"]:
                out = b.act(out, style, name)
        tensor_of[lid] = out
        last = out
    if fc is not None:
        out = b.node("Softmax", [last], "softmax", axis=1)
        last = out
    dims = ["N", channels, "H", "W"] if dynamic else [1, channels, rows, cols]
    graph = helper.make_graph(
        b.nodes, net,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info(last, TensorProto.FLOAT, None)],
        initializer=b.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="make_presets.py")
    model.ir_version = 8
    model.doc_string = (f"The preset workload {net} of the DeFiNES playground as an ONNX graph; "
                        "weights have dims only (no data).")
    if value_info:
        model = onnx.shape_inference.infer_shapes(model)
    return model


def small(nodes, inits, opset=OPSET, inp=(1, 3, 8, 8), out="y", name="small"):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(inp))],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="make_presets.py")
    model.ir_version = 8
    return model


def save(model, name):
    path = os.path.join(OUT, name)
    onnx.save(model, path)
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    save(build("fsrcnn", "prelu", bn=False, fc=None, dynamic=True), "fsrcnn.onnx")
    save(build("resnet18", "relu", bn=True, fc="gemm", value_info=True), "resnet18.onnx")
    save(build("mobilenetv1", "relu6", bn=True, fc="matmul", value_info=True), "mobilenetv1.onnx")
    save(build("dmcnnvd", "relu", bn=False, fc=None), "dmcnnvd.onnx")
    save(build("mccnn", "relu", bn=False, fc=None), "mccnn.onnx")
    # Concat: a conv, then the input and the conv's output side by side.
    save(small([helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
                helper.make_node("Concat", ["x", "c"], ["cat"], name="join", axis=1),
                helper.make_node("Conv", ["cat", "w2"], ["y"], name="after")],
               [weight("w", [3, 3, 3, 3]), weight("w2", [4, 6, 1, 1])]), "concat.onnx")
    # A cycle: a's input is b's output and b's input is a's output.
    save(small([helper.make_node("Relu", ["b_out"], ["a_out"], name="a"),
                helper.make_node("Relu", ["a_out"], ["b_out"], name="b"),
                helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
               [weight("w", [3, 3, 3, 3])]), "cycle.onnx")
    # An opset the importer does not read.
    save(small([helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
               [weight("w", [3, 3, 3, 3])], opset=6), "opset6.onnx")


if __name__ == "__main__":
    main()
