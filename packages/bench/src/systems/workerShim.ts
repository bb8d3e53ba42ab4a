/**
 * A Web Worker shim over `node:worker_threads`, so that jax-js's WASM backend (which starts a
 * pool of Web Workers from a Blob URL when `SharedArrayBuffer` and `Worker` exist) can use threads
 * in Node. It records Blob sources as they are made, runs them in an eval'd worker with a
 * `self`/`postMessage`/`onmessage` prelude, and sets `navigator.hardwareConcurrency` (the pool size).
 */
import { Worker as NodeWorker } from "node:worker_threads";

const PRELUDE = `const { parentPort } = require("node:worker_threads");
globalThis.self = globalThis;
globalThis.postMessage = (m) => parentPort.postMessage(m);
parentPort.on("message", (data) => { if (typeof self.onmessage === "function") self.onmessage({ data }); });
`;

type MessageHandler = (ev: { data: unknown }) => void;

/** Installs `Worker`, a recording `Blob`/`URL.createObjectURL`, and `navigator.hardwareConcurrency`. */
export function installWorkerShim(threads: number): void {
  const g = globalThis as Record<string, unknown>;
  const sources = new Map<string, string>();
  const texts = new WeakMap<Blob, string>();
  const BaseBlob = globalThis.Blob;
  class RecordingBlob extends BaseBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === "string")) texts.set(this, parts.join(""));
    }
  }
  g.Blob = RecordingBlob;
  const create = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj: Blob) => {
    const url = create(obj);
    const text = texts.get(obj);
    if (text !== undefined) sources.set(url, text);
    return url;
  };
  class ShimWorker {
    onmessage: MessageHandler | null = null;
    onerror: ((e: { message: string }) => void) | null = null;
    readonly #w: NodeWorker;
    constructor(url: string | URL) {
      const src = sources.get(String(url));
      if (src === undefined)
        throw new Error("worker shim: only Blob URLs made after the shim are supported");
      this.#w = new NodeWorker(PRELUDE + src, { eval: true });
      this.#w.on("message", (data: unknown) => this.onmessage?.({ data }));
      this.#w.on("error", (e: Error) => this.onerror?.({ message: e.message }));
    }
    postMessage(m: unknown): void {
      this.#w.postMessage(m);
    }
    terminate(): void {
      void this.#w.terminate();
    }
  }
  g.Worker = ShimWorker;
  Object.defineProperty(globalThis, "navigator", {
    value: { ...(g.navigator as object | undefined), hardwareConcurrency: threads },
    configurable: true,
    writable: true,
  });
}
