"""Writes the torch.save test inputs beside this file with real PyTorch (1.13, CPU):

    /usr/bin/python3 torchSave.py

- mixed.pt: a real state dict (Linear + BatchNorm1d, with `_metadata`, an int64 0-d buffer) plus
  tensors that share one storage (views at an offset, a transpose), a 0-d float64, int32, uint8,
  bool, half and bfloat16 tensors, an int64 beyond 2^32 and negative; a tied pair (one tensor
  object under two names).
- params.pt: `state_dict(keep_vars=True)` (Parameters: `_rebuild_parameter`), pickle protocol 4
  (SHORT_BINUNICODE, MEMOIZE, FRAME, STACK_GLOBAL).
- evil.pt: a pickle that calls `os.system` (`posix.system` on Linux; written here, never loaded).
- plain2.pkl, plain5.pkl: plain data (ints of every width, floats, str, tuples, lists, dicts,
  None, bools; bytes in protocol 5) pickled with protocols 2 and 5, no torch at all.
- torchSave.json (one line per tensor, infinities as "inf"): the expected values (dtype, shape, strides, storage offset, flat values in
  logical order) and which names share a storage.
"""
import io
import json
import math
import os
import pickle
import zipfile
from collections import OrderedDict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


def num(v):
    """A float as JSON allows it: infinities and NaN as the fixtures' strings."""
    return v if math.isfinite(v) else "nan" if math.isnan(v) else "inf" if v > 0 else "-inf"


def describe(t):
    flat = t.detach().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()
    return {
        "dtype": str(t.dtype).replace("torch.", ""),
        "shape": list(t.shape),
        "stride": list(t.stride()),
        "offset": t.storage_offset(),
        "values": [num(v) if t.is_floating_point() else int(v) for v in flat.tolist()],
        "requires_grad": t.requires_grad,
    }


model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
model.train()
model(torch.randn(4, 3))  # num_batches_tracked = 1, running stats updated
sd = model.state_dict()
base = torch.arange(12, dtype=torch.float32).view(3, 4)
sd["shared.base"] = base
sd["shared.row"] = base[1]  # offset 4
sd["shared.t"] = base.t()  # non-contiguous
sd["shared.col"] = base[:, 2]  # offset 2, stride 4
sd["scalar"] = torch.tensor(2.5, dtype=torch.float64)
sd["i32"] = torch.tensor([[-7, 0], [2147483647, -2147483648]], dtype=torch.int32)
sd["u8"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
sd["mask"] = torch.tensor([True, False, True])
sd["half"] = torch.tensor([1.5, -0.0, 65504.0, 6e-8, float("inf")], dtype=torch.float16)
sd["bf16"] = torch.tensor([1.5, -3.0, 1e30, float("-inf")], dtype=torch.bfloat16)
sd["big"] = torch.tensor([2**40 + 3, -5, -(2**50)], dtype=torch.int64)
sd["empty"] = torch.zeros(0, 3)
tied = torch.randn(2, 2)
sd["tied.a"] = tied
sd["tied.b"] = tied
torch.save(sd, os.path.join(HERE, "mixed.pt"))

params = torch.nn.Linear(2, 2).state_dict(keep_vars=True)
params["weight"].requires_grad_(False)
torch.save(params, os.path.join(HERE, "params.pt"), pickle_protocol=4)


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


evil_pickle = pickle.dumps(OrderedDict([("weight", Evil())]), protocol=2)
with zipfile.ZipFile(os.path.join(HERE, "evil.pt"), "w", zipfile.ZIP_STORED) as z:
    z.writestr("evil/data.pkl", evil_pickle)
    z.writestr("evil/version", "3\n")

PLAIN = {
    "ints": [0, 1, 255, 256, 65535, 65536, -1, -(2**31), 2**31 - 1, 2**40, -(2**60), 2**70],
    "floats": [0.5, -1e300, float("inf")],
    "s": "h\u00e9llo \u2713",
    "long": "a" * 300,
    "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
    "none": None,
    "bools": [True, False],
    "nested": {"x": [[]], 3: "three"},
}
with open(os.path.join(HERE, "plain2.pkl"), "wb") as f:
    pickle.dump(PLAIN, f, protocol=2)
with open(os.path.join(HERE, "plain5.pkl"), "wb") as f:
    pickle.dump(dict(PLAIN, b=b"\x00\x01\xff"), f, protocol=5)

loaded = torch.load(os.path.join(HERE, "mixed.pt"))
pl = torch.load(os.path.join(HERE, "params.pt"))
out = {
    "mixed": {k: describe(v) for k, v in loaded.items()},
    "mixed_shared": [
        sorted(k for k in loaded if loaded[k].storage().data_ptr() == loaded[name].storage().data_ptr())
        for name in ["shared.base", "tied.a"]
    ],
    "params": {k: describe(v) for k, v in pl.items()},
    "params_types": {k: type(v).__name__ for k, v in pl.items()},
}
with open(os.path.join(HERE, "torchSave.json"), "w") as f:
    # one line per tensor: short and diffable
    f.write("{\n")
    for i, (k, v) in enumerate(out.items()):
        f.write(f" {json.dumps(k)}: ")
        if isinstance(v, dict):
            rows = [f"  {json.dumps(n)}: {json.dumps(d)}" for n, d in v.items()]
            f.write("{\n" + ",\n".join(rows) + "\n }")
        else:
            f.write(json.dumps(v))
        f.write(",\n" if i + 1 < len(out) else "\n")
    f.write("}\n")
