#!/usr/bin/python3
"""Second, independent check of the committed logits fixtures: numpy only (no torch), explicit loops.

    /usr/bin/python3 tests/reference/models/check_fixtures_numpy.py

Differs from make_parity_fixtures.py on purpose: its own safetensors parser (bf16 decoded by bit
shifting), the shard index followed through weight_map, RoPE written as a 2-D rotation of each pair
(x[i], x[i + d/2]) by angle pos * theta^(-2i/d), attention computed query by query and head by head
over the visible keys only (no masking constant, no repeat_kv: query head h reads KV head
h // (H / KV)). Fails unless every compared logit (attention_mask == 1) is within 1e-6 of reference.json.
"""
import json
import struct
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "Aha.Tests" / "fixtures" / "models"


def read_safetensors(path):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    out = {}
    for name, info in json.loads(raw[8:8 + n]).items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        buf = raw[8 + n + a:8 + n + b]
        if info["dtype"] == "F32":
            x = np.frombuffer(buf, "<f4")
        elif info["dtype"] == "BF16":  # bf16 = the top 16 bits of an fp32
            x = (np.frombuffer(buf, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(info["dtype"])
        out[name] = x.astype(np.float64).reshape(info["shape"])
    return out


def read_weights(folder):
    index = folder / "model.safetensors.index.json"
    if not index.exists():
        return read_safetensors(folder / "model.safetensors")
    weights = {}
    for file in sorted(set(json.loads(index.read_text())["weight_map"].values())):
        weights.update(read_safetensors(folder / file))
    return weights


def norm(x, w, eps):
    return w * x / np.sqrt(np.mean(x * x) + eps)


def rope(x, pos, theta):
    d = len(x)
    y = x.copy()
    for i in range(d // 2):
        angle = pos * theta ** (-2.0 * i / d)
        c, s = np.cos(angle), np.sin(angle)
        y[i] = x[i] * c - x[i + d // 2] * s
        y[i + d // 2] = x[i + d // 2] * c + x[i] * s
    return y


def logits_of(cfg, W, ids, mask, pos):
    H, KV, eps = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["rms_norm_eps"]
    d = cfg.get("head_dim") or cfg["hidden_size"] // H
    T = len(ids)
    bias = lambda name: W.get(name, 0.0)  # noqa: E731
    h = [W["model.embed_tokens.weight"][t].copy() for t in ids]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        xs = [norm(v, W[p + "input_layernorm.weight"], eps) for v in h]
        q = [W[p + "self_attn.q_proj.weight"] @ x + bias(p + "self_attn.q_proj.bias") for x in xs]
        k = [W[p + "self_attn.k_proj.weight"] @ x + bias(p + "self_attn.k_proj.bias") for x in xs]
        v = [W[p + "self_attn.v_proj.weight"] @ x + bias(p + "self_attn.v_proj.bias") for x in xs]
        heads_q = [[q[t][j * d:(j + 1) * d] for j in range(H)] for t in range(T)]
        heads_k = [[k[t][j * d:(j + 1) * d] for j in range(KV)] for t in range(T)]
        if cfg["model_type"] == "qwen3":
            heads_q = [[norm(a, W[p + "self_attn.q_norm.weight"], eps) for a in row] for row in heads_q]
            heads_k = [[norm(a, W[p + "self_attn.k_norm.weight"], eps) for a in row] for row in heads_k]
        heads_q = [[rope(a, pos[t], cfg["rope_theta"]) for a in heads_q[t]] for t in range(T)]
        heads_k = [[rope(a, pos[t], cfg["rope_theta"]) for a in heads_k[t]] for t in range(T)]
        new_h = []
        for t in range(T):
            visible = [s for s in range(t + 1) if mask[s] == 1] or list(range(T))  # pad query: arbitrary
            out = []
            for j in range(H):
                g = j // (H // KV)
                scores = np.array([heads_q[t][j] @ heads_k[s][g] / np.sqrt(d) for s in visible])
                w = np.exp(scores - scores.max())
                w /= w.sum()
                out.append(sum(wi * v[s][g * d:(g + 1) * d] for wi, s in zip(w, visible)))
            attn = W[p + "self_attn.o_proj.weight"] @ np.concatenate(out) + bias(p + "self_attn.o_proj.bias")
            r = h[t] + attn
            x = norm(r, W[p + "post_attention_layernorm.weight"], eps)
            gate = W[p + "mlp.gate_proj.weight"] @ x
            up = W[p + "mlp.up_proj.weight"] @ x
            new_h.append(r + W[p + "mlp.down_proj.weight"] @ (gate / (1 + np.exp(-gate)) * up))
        h = new_h
    head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return [head @ norm(v, W["model.norm.weight"], eps) for v in h]


def main():
    folders = sorted(f for f in FIXTURES.iterdir() if (f / "reference.json").exists())
    assert len(folders) == 5, folders
    for folder in folders:
        cfg = json.loads((folder / "config.json").read_text())
        W = read_weights(folder)
        assert ("lm_head.weight" in W) != cfg["tie_word_embeddings"], folder.name
        worst = 0.0
        for case in json.loads((folder / "reference.json").read_text())["cases"]:
            for ids, mask, pos, ref in zip(case["input_ids"], case["attention_mask"],
                                           case["position_ids"], case["logits"]):
                mine = logits_of(cfg, W, ids, mask, pos)
                for t in range(len(ids)):
                    if mask[t] == 1:
                        worst = max(worst, float(np.abs(mine[t] - np.array(ref[t])).max()))
        print(f"{folder.name}: max abs diff vs reference.json = {worst:.2e}")
        assert worst < 1e-6, folder.name
    print("all fixtures agree")


if __name__ == "__main__":
    main()
