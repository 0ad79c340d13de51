"""The surrogate's config.json as the Python tools read it: hyperparameters, derived sizes and the list of
PyTorch parameter names and shapes. Shared by the numpy reference, the model generator and the ONNX exporter."""
import json
import math
import os

DEFAULTS = {"mlp_ratio": 4.0, "group_norm_groups": 32, "norm_eps": 1e-5}


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    return {**DEFAULTS, **cfg}


def stage_dims(cfg):
    return [cfg["embed_dim"] * 2 ** i for i in range(len(cfg["depths"]))]


def pad_multiple(cfg):
    """Height and width are zero-padded (bottom, right) to a multiple of 2 * patch * window * 2^(stages - 1)."""
    return 2 * cfg["patch_size"] * cfg["window_size"] * 2 ** (len(cfg["depths"]) - 1)


def padded_size(cfg, height, width):
    m = pad_multiple(cfg)
    return math.ceil(height / m) * m, math.ceil(width / m) * m


def hidden(cfg, dim):
    return int(dim * cfg["mlp_ratio"])


def parameter_shapes(cfg):
    """Every parameter's PyTorch name and shape, in definition order."""
    d, p = cfg["embed_dim"], cfg["patch_size"]
    s, f = cfg["state_channels"], cfg["flux_channels"]
    shapes = {}

    def conv(name, cout, cin, k):
        shapes[f"{name}.weight"] = (cout, cin, k, k)
        shapes[f"{name}.bias"] = (cout,)

    def norm(name, c):
        shapes[f"{name}.weight"] = (c,)
        shapes[f"{name}.bias"] = (c,)

    def residual_convs(prefix):
        conv(f"{prefix}.conv1", d, d, 3)
        norm(f"{prefix}.norm1", d)
        conv(f"{prefix}.conv2", d, d, 3)
        norm(f"{prefix}.norm2", d)

    def blocks(prefix, depth, dim, heads):
        w = cfg["window_size"]
        for b in range(depth):
            q = f"{prefix}.blocks.{b}"
            norm(f"{q}.norm1", dim)
            shapes[f"{q}.attn.qkv.weight"] = (3 * dim, dim)
            shapes[f"{q}.attn.qkv.bias"] = (3 * dim,)
            shapes[f"{q}.attn.relative_position_bias_table"] = ((2 * w - 1) ** 2, heads)
            shapes[f"{q}.attn.proj.weight"] = (dim, dim)
            shapes[f"{q}.attn.proj.bias"] = (dim,)
            norm(f"{q}.norm2", dim)
            shapes[f"{q}.mlp.fc1.weight"] = (hidden(cfg, dim), dim)
            shapes[f"{q}.mlp.fc1.bias"] = (hidden(cfg, dim),)
            shapes[f"{q}.mlp.fc2.weight"] = (dim, hidden(cfg, dim))
            shapes[f"{q}.mlp.fc2.bias"] = (dim,)

    for branch, cin in (("state", s), ("flux", f)):
        conv(f"{branch}_embed", d, cin, p)
        conv(f"{branch}_down.conv", d, d, 3)
        residual_convs(f"{branch}_down")
    dims, depths, heads = stage_dims(cfg), cfg["depths"], cfg["num_heads"]
    for i in range(len(depths)):
        blocks(f"layers.{i}", depths[i], dims[i], heads[i])
        if i < len(depths) - 1:
            norm(f"layers.{i}.downsample.norm", 4 * dims[i])
            shapes[f"layers.{i}.downsample.reduction.weight"] = (dims[i + 1], 4 * dims[i])
    for i in reversed(range(len(depths) - 1)):
        shapes[f"layers_up.{i}.upsample.expand.weight"] = (2 * dims[i + 1], dims[i + 1])
        norm(f"layers_up.{i}.upsample.norm", dims[i])
        blocks(f"layers_up.{i}", depths[i], dims[i], heads[i])
    norm("norm", d)
    shapes["up.conv_transpose.weight"] = (d, d, 2, 2)
    shapes["up.conv_transpose.bias"] = (d,)
    residual_convs("up")
    shapes["head.weight"] = (s * p * p, d)
    shapes["head.bias"] = (s * p * p,)
    return shapes
