"""The surrogate network in JAX, batched, with the parameter names and PyTorch layouts forecastd reads
(tools/reference/wenhai_config.py lists them): patch embedding of state and fluxes, a stride-2 convolution with
residual GroupNorm/SiLU convolutions, Swin stages (shifted windows, relative position bias) with patch merging
and expanding, a transposed convolution back to patch resolution, residual convolutions and a linear head that
unfolds each patch. Input and output are [B, C, H, W]; H and W are zero-padded (bottom, right) and cropped back.
"""
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "reference"))
import forward as reference  # noqa: E402  (numpy helpers: relative position index, Swin shift mask)
import wenhai_config  # noqa: E402


def conv(x, w, b, stride, pad):
    y = jax.lax.conv_general_dilated(x, w, (stride, stride), [(pad, pad), (pad, pad)],
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + b[None, :, None, None]


def group_norm(x, groups, gamma, beta, eps):
    b, c, h, w = x.shape
    g = x.reshape(b, groups, -1)
    mean = g.mean(axis=2, keepdims=True)
    var = ((g - mean) ** 2).mean(axis=2, keepdims=True)
    y = ((g - mean) / jnp.sqrt(var + eps)).reshape(x.shape)
    return y * gamma[None, :, None, None] + beta[None, :, None, None]


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps) * gamma + beta


class Surrogate:
    """forward(params, state [B, S, H, W], flux [B, F, H, W]) -> daily change [B, S, H, W]."""

    def __init__(self, cfg, height, width):
        self.cfg = {**wenhai_config.DEFAULTS, **cfg}
        self.height, self.width = height, width
        self.hp, self.wp = wenhai_config.padded_size(self.cfg, height, width)
        ws = self.cfg["window_size"]
        self.bias_index = reference.relative_position_index(ws).reshape(-1)
        self.masks = {}
        p, dims = self.cfg["patch_size"], wenhai_config.stage_dims(self.cfg)
        side_h, side_w = self.hp // (2 * p), self.wp // (2 * p)
        for i in range(len(dims)):
            h, w = side_h >> i, side_w >> i
            self.masks[i] = jnp.asarray(reference.shift_mask(h, w, ws, ws // 2), dtype=jnp.float32)

    def linear(self, p, x, name, bias=True):
        y = x @ p[f"{name}.weight"].T
        return y + p[f"{name}.bias"] if bias else y

    def ln(self, p, x, name):
        return layer_norm(x, p[f"{name}.weight"], p[f"{name}.bias"], self.cfg["norm_eps"])

    def gn_silu(self, p, x, name):
        return jax.nn.silu(group_norm(x, self.cfg["group_norm_groups"], p[f"{name}.weight"], p[f"{name}.bias"],
                                      self.cfg["norm_eps"]))

    def residual_convs(self, p, x, prefix):
        h = self.gn_silu(p, conv(x, p[f"{prefix}.conv1.weight"], p[f"{prefix}.conv1.bias"], 1, 1), f"{prefix}.norm1")
        h = self.gn_silu(p, conv(h, p[f"{prefix}.conv2.weight"], p[f"{prefix}.conv2.bias"], 1, 1), f"{prefix}.norm2")
        return h + x

    def embed(self, p, x, branch):
        e = conv(x, p[f"{branch}_embed.weight"], p[f"{branch}_embed.bias"], self.cfg["patch_size"], 0)
        s = conv(e, p[f"{branch}_down.conv.weight"], p[f"{branch}_down.conv.bias"], 2, 1)
        return self.residual_convs(p, s, f"{branch}_down")

    def attention(self, p, x, name, heads, shift, stage):
        b, h, w, c = x.shape
        ws, hd = self.cfg["window_size"], c // heads
        if shift:
            x = jnp.roll(x, (-shift, -shift), axis=(1, 2))
        nh, nw = h // ws, w // ws
        windows = x.reshape(b, nh, ws, nw, ws, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, nh * nw, ws * ws, c)
        n = ws * ws
        qkv = self.linear(p, windows, f"{name}.qkv").reshape(b, nh * nw, n, 3, heads, hd).transpose(3, 0, 1, 4, 2, 5)
        q, k, v = qkv[0] * hd ** -0.5, qkv[1], qkv[2]
        scores = q @ jnp.swapaxes(k, -1, -2)                                  # [b, windows, heads, n, n]
        table = p[f"{name}.relative_position_bias_table"]
        bias = table[self.bias_index].reshape(n, n, heads).transpose(2, 0, 1)
        scores = scores + bias[None, None]
        if shift:
            scores = scores + self.masks[stage][None, :, None]
        out = jax.nn.softmax(scores, axis=-1) @ v                             # [b, windows, heads, n, hd]
        out = out.transpose(0, 1, 3, 2, 4).reshape(b, nh * nw, n, c)
        out = self.linear(p, out, f"{name}.proj")
        out = out.reshape(b, nh, nw, ws, ws, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, h, w, c)
        if shift:
            out = jnp.roll(out, (shift, shift), axis=(1, 2))
        return out

    def stage(self, p, x, prefix, depth, heads, stage):
        ws = self.cfg["window_size"]
        for i in range(depth):
            shift = ws // 2 if i % 2 == 1 else 0
            name = f"{prefix}.blocks.{i}"
            x = x + self.attention(p, self.ln(p, x, f"{name}.norm1"), f"{name}.attn", heads, shift, stage)
            y = jax.nn.gelu(self.linear(p, self.ln(p, x, f"{name}.norm2"), f"{name}.mlp.fc1"), approximate=False)
            x = x + self.linear(p, y, f"{name}.mlp.fc2")
        return x

    def forward(self, p, state, flux):
        cfg, pad = self.cfg, ((0, 0), (0, 0), (0, self.hp - self.height), (0, self.wp - self.width))
        x = self.embed(p, jnp.pad(state, pad), "state") + self.embed(p, jnp.pad(flux, pad), "flux")
        x = x.transpose(0, 2, 3, 1)
        depths, heads = cfg["depths"], cfg["num_heads"]
        skips = []
        for i in range(len(depths)):
            x = self.stage(p, x, f"layers.{i}", depths[i], heads[i], i)
            if i < len(depths) - 1:
                skips.append(x)
                m = jnp.concatenate([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], axis=-1)
                x = self.linear(p, self.ln(p, m, f"layers.{i}.downsample.norm"), f"layers.{i}.downsample.reduction", bias=False)
        for i in reversed(range(len(depths) - 1)):
            b, h, w, c = x.shape
            y = self.linear(p, x, f"layers_up.{i}.upsample.expand", bias=False).reshape(b, h, w, 2, 2, c // 2)
            y = y.transpose(0, 1, 3, 2, 4, 5).reshape(b, 2 * h, 2 * w, c // 2)
            x = self.ln(p, y, f"layers_up.{i}.upsample.norm") + skips[i]
            x = self.stage(p, x, f"layers_up.{i}", depths[i], heads[i], i)
        x = self.ln(p, x, "norm").transpose(0, 3, 1, 2)
        b, c, h, w = x.shape
        u = jnp.einsum("bchw,coij->bohiwj", x, p["up.conv_transpose.weight"]).reshape(b, -1, 2 * h, 2 * w)
        u = self.residual_convs(p, u + p["up.conv_transpose.bias"][None, :, None, None], "up")
        s, ps = cfg["state_channels"], cfg["patch_size"]
        y = jnp.einsum("od,bdhw->bohw", p["head.weight"], u) + p["head.bias"][None, :, None, None]
        th, tw = y.shape[2], y.shape[3]
        y = y.reshape(b, s, ps, ps, th, tw).transpose(0, 1, 4, 2, 5, 3).reshape(b, s, th * ps, tw * ps)
        return y[:, :, :self.height, :self.width]


def initial_parameters(cfg, seed, head_scale=0.1):
    """Fan-in scaled weights (tools/reference/make_models.py's), the head scaled down: a near-zero first change."""
    import make_models
    weights = make_models.random_weights({**cfg, "_dtype": "F32"}, np.random.default_rng(seed))
    weights["head.weight"] *= head_scale
    weights["head.bias"] *= 0
    return {k: jnp.asarray(v, dtype=jnp.float32) for k, v in weights.items()}
