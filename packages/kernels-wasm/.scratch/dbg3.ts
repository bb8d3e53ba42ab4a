import { WasmKernels, setNumThreads } from "../src/index";
const wt = (process as any).getBuiltinModule("node:worker_threads");
const Orig = wt.Worker;
wt.Worker = function (src: string, opts: any) { const w = new Orig(src, opts); w.on("error", (e: unknown) => console.error("worker error", e)); w.on("exit", (c: number) => console.error("exit", c)); return w; };
const k = WasmKernels.create({ initialPages: 512 });
setNumThreads(2);
const d = k.threads as any;
console.log(d.plan(1000));
setTimeout(() => { console.log("after", d.plan(1000)); }, 300);
