import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { onnxModel } from "./onnxModel.js";

describe("onnxModel", () => {
  it("builds a MatMul model that onnxruntime runs correctly", async () => {
    const bytes = onnxModel(
      [{ op: "MatMul", inputs: ["A", "B"], outputs: ["C"] }],
      [
        { name: "A", shape: [2, 3] },
        { name: "B", shape: [3, 2] },
      ],
      [{ name: "C", shape: [2, 2] }],
    );
    const s = await ort.InferenceSession.create(bytes);
    const A = new ort.Tensor("float32", Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const B = new ort.Tensor("float32", Float32Array.from([7, 8, 9, 10, 11, 12]), [3, 2]);
    const out = await s.run({ A, B });
    expect([...(out.C!.data as Float32Array)]).toEqual([58, 64, 139, 154]);
    await s.release();
  });
  it("chains nodes (a*b+c)", async () => {
    const v = (name: string) => ({ name, shape: [3] });
    const bytes = onnxModel(
      [
        { op: "Mul", inputs: ["a", "b"], outputs: ["t"] },
        { op: "Add", inputs: ["t", "c"], outputs: ["r"] },
      ],
      [v("a"), v("b"), v("c")],
      [v("r")],
    );
    const s = await ort.InferenceSession.create(bytes);
    const t = (xs: number[]) => new ort.Tensor("float32", Float32Array.from(xs), [3]);
    const out = await s.run({ a: t([1, 2, 3]), b: t([4, 5, 6]), c: t([1, 1, 1]) });
    expect([...(out.r!.data as Float32Array)]).toEqual([5, 11, 19]);
    await s.release();
  });
});
