/**
 * Builds small ONNX models in code (no .onnx files in git): a hand-written protobuf encoder for
 * the few fields of ModelProto that a one-graph model of float32 inputs needs.
 * Field numbers from onnx/onnx.proto: ModelProto{ir_version=1, graph=7, opset_import=8},
 * GraphProto{node=1, name=2, input=11, output=12}, NodeProto{input=1, output=2, name=3,
 * op_type=4}, ValueInfoProto{name=1, type=2}, TypeProto{tensor_type=1},
 * TypeProto.Tensor{elem_type=1, shape=2}, TensorShapeProto{dim=1}, Dimension{dim_value=1},
 * OperatorSetIdProto{domain=1, version=2}.
 */

const FLOAT = 1; // TensorProto.DataType.FLOAT

class Writer {
  readonly bytes: number[] = [];

  varint(v: number): this {
    let n = v;
    while (n >= 0x80) {
      this.bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.bytes.push(n);
    return this;
  }

  /** A varint field. */
  int(field: number, v: number): this {
    return this.varint(field << 3).varint(v);
  }

  /** A length-delimited field: bytes, a string or an embedded message. */
  bytesField(field: number, b: Uint8Array | number[]): this {
    this.varint((field << 3) | 2).varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  str(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  msg(field: number, build: (w: Writer) => void): this {
    const w = new Writer();
    build(w);
    return this.bytesField(field, w.bytes);
  }
}

/** One node of the graph: `op` applied to named inputs, writing named outputs. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** A graph's float32 value: its name and fixed shape. */
export interface OnnxValue {
  readonly name: string;
  readonly shape: readonly number[];
}

function valueInfo(w: Writer, v: OnnxValue): void {
  w.str(1, v.name).msg(2, (t) =>
    t.msg(1, (tt) =>
      tt.int(1, FLOAT).msg(2, (s) => {
        for (const d of v.shape) s.msg(1, (dim) => dim.int(1, d));
      }),
    ),
  );
}

/**
 * Serializes a model (opset 13, IR version 7) of `nodes` from `inputs` to `outputs`.
 *
 * @example
 * const bytes = onnxModel([{ op: "MatMul", inputs: ["A", "B"], outputs: ["C"] }],
 *   [{ name: "A", shape: [2, 3] }, { name: "B", shape: [3, 2] }], [{ name: "C", shape: [2, 2] }]);
 * await ort.InferenceSession.create(bytes);
 */
export function onnxModel(
  nodes: readonly OnnxNode[],
  inputs: readonly OnnxValue[],
  outputs: readonly OnnxValue[],
): Uint8Array {
  const w = new Writer();
  w.int(1, 7);
  w.msg(7, (g) => {
    nodes.forEach((n, i) => {
      g.msg(1, (nw) => {
        for (const s of n.inputs) nw.str(1, s);
        for (const s of n.outputs) nw.str(2, s);
        nw.str(3, `n${i}`);
        nw.str(4, n.op);
      });
    });
    g.str(2, "bench");
    for (const v of inputs) g.msg(11, (vw) => valueInfo(vw, v));
    for (const v of outputs) g.msg(12, (vw) => valueInfo(vw, v));
  });
  w.msg(8, (o) => o.str(1, "").int(2, 13));
  return Uint8Array.from(w.bytes);
}
