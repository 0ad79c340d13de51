#!/usr/bin/env python3
"""Independent writer for forecastd's tests: saves reproducible tensors with the reference `safetensors`
package (numpy API) and prints their values as JSON. Usage: write_safetensors.py OUT.safetensors"""
import json
import sys

import numpy as np
from safetensors.numpy import save_file


def main():
    rng = np.random.default_rng(7)
    tensors = {
        "blocks.0.attn.qkv.weight": rng.standard_normal((6, 4)).astype(np.float32),
        "blocks.0.attn.qkv.bias": rng.standard_normal(6).astype(np.float16),
        "patch_embed.proj.weight": rng.standard_normal((3, 2, 2, 2)).astype(np.float64),
        "norm.weight": np.array([1.0, -2.0, 0.5], dtype=np.float32),
    }
    save_file(tensors, sys.argv[1], metadata={"format": "pt"})
    print(json.dumps({name: value.astype(np.float32).ravel().tolist() for name, value in tensors.items()}
                     | {"__shapes__": {name: list(value.shape) for name, value in tensors.items()}}))


if __name__ == "__main__":
    main()
