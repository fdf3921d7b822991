#!/usr/bin/python3
"""Independent reference outputs for Aha's decoder models (issue 2: logits parity, HF parameter names).

Run from the repository root with Debian's PyTorch (apt-get install python3-torch python3-numpy):

    /usr/bin/python3 tests/reference/models/make_parity_fixtures.py

Writes under tests/Aha.Tests/fixtures/models/:
  qwen2-tiny/, qwen3-tiny/, llama-tiny/, qwen2-tiny-sharded/, qwen2-tiny-bf16/
      config.json, model.safetensors (or two shards + model.safetensors.index.json), reference.json
  configs/<name>.params.approved.txt
      HF state_dict names and shapes derived from the committed published configs/<name>.config.json.

The forward pass below is a plain re-statement of Hugging Face transformers' modeling_llama.py /
modeling_qwen2.py / modeling_qwen3.py (eager attention path); it does not import transformers.
Logits are computed in float64 from the weights read back from the files just written, then
rounded to float32 for storage. See README.md next to this file for the equations.
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[3]
OUT = REPO / "tests" / "Aha.Tests" / "fixtures" / "models"
CONFIGS = OUT / "configs"

# ----------------------------------------------------------------------------------------------
# Minimal safetensors: u64 little-endian header length, JSON header, raw little-endian data.
# ----------------------------------------------------------------------------------------------
_ST_DTYPES = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16"}


def _tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bf16: reinterpret the 16-bit patterns
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def save_safetensors(path: Path, tensors: dict) -> int:
    """Writes tensors (sorted by name, data in that order); returns the total data size in bytes."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        blob = _tensor_bytes(t)
        header[name] = {"dtype": _ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the reference writer pads the header to 8-byte alignment
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    return offset


def load_safetensors(path: Path) -> dict:
    """Reads a safetensors file into a dict of tensors in the file's own dtype."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        buf = data[start:end]
        if info["dtype"] == "F32":
            t = torch.from_numpy(np.frombuffer(buf, dtype="<f4").copy())
        elif info["dtype"] == "BF16":
            t = torch.from_numpy(np.frombuffer(buf, dtype="<i2").copy()).view(torch.bfloat16)
        else:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {info['dtype']}")
        out[name] = t.reshape(info["shape"])
    return out


# ----------------------------------------------------------------------------------------------
# HF module structure: parameter names and shapes from a config (no weights allocated).
# ----------------------------------------------------------------------------------------------
def head_dim(cfg: dict) -> int:
    # HF: getattr(config, "head_dim", None) or hidden_size // num_attention_heads
    return cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]


def hf_param_shapes(cfg: dict) -> dict:
    """name -> shape of XxxForCausalLM.state_dict() for model_type llama/qwen2/qwen3.

    Tied models (tie_word_embeddings) omit lm_head.weight: HF's state_dict() lists it as an alias of
    model.embed_tokens.weight, but save_pretrained drops it and it is not a parameter of its own.
    """
    mt = cfg["model_type"]
    h, inter, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh, nkv, d = cfg["num_attention_heads"], cfg["num_key_value_heads"], head_dim(cfg)
    qkv_bias = {"qwen2": True, "qwen3": cfg.get("attention_bias", False),
                "llama": cfg.get("attention_bias", False)}[mt]
    o_bias = mt != "qwen2" and cfg.get("attention_bias", False)  # Qwen2's o_proj never has a bias
    mlp_bias = mt == "llama" and cfg.get("mlp_bias", False)
    shapes = {"model.embed_tokens.weight": [v, h], "model.norm.weight": [h]}
    if not cfg.get("tie_word_embeddings", False):
        shapes["lm_head.weight"] = [v, h]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes[p + "input_layernorm.weight"] = [h]
        shapes[p + "post_attention_layernorm.weight"] = [h]
        for name, out_dim in (("q_proj", nh * d), ("k_proj", nkv * d), ("v_proj", nkv * d)):
            shapes[p + f"self_attn.{name}.weight"] = [out_dim, h]
            if qkv_bias:
                shapes[p + f"self_attn.{name}.bias"] = [out_dim]
        shapes[p + "self_attn.o_proj.weight"] = [h, nh * d]
        if o_bias:
            shapes[p + "self_attn.o_proj.bias"] = [h]
        if mt == "qwen3":
            shapes[p + "self_attn.q_norm.weight"] = [d]
            shapes[p + "self_attn.k_norm.weight"] = [d]
        for name, shape in (("gate_proj", [inter, h]), ("up_proj", [inter, h]), ("down_proj", [h, inter])):
            shapes[p + f"mlp.{name}.weight"] = shape
            if mlp_bias:
                shapes[p + f"mlp.{name}.bias"] = [shape[0]]
    return shapes


def random_weights(cfg: dict, seed: int) -> dict:
    """fp32 weights: matrices and biases N(0, 0.2²); norm weights 1 + 0.1·N(0, 1)."""
    g = torch.Generator().manual_seed(seed)
    weights = {}
    for name, shape in sorted(hf_param_shapes(cfg).items()):
        noise = torch.randn(shape, generator=g, dtype=torch.float32)
        weights[name] = 1.0 + 0.1 * noise if "norm" in name else 0.2 * noise
    return weights


# ----------------------------------------------------------------------------------------------
# Forward pass, following HF's modeling code line by line (eager attention).
# ----------------------------------------------------------------------------------------------
def rms_norm(x, weight, eps):
    # HF: weight * (x * rsqrt(mean(x², -1) + eps)), statistics over the last dim
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rope_cos_sin(position_ids, dim, theta, dtype):
    # HF default RoPE: inv_freq = 1 / theta^(arange(0, d, 2) / d); emb = cat(freqs, freqs)
    inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype) / dim))  # [d/2]
    freqs = position_ids.to(dtype)[..., None] * inv_freq  # [B, T, d/2]
    emb = torch.cat((freqs, freqs), dim=-1)  # [B, T, d]
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    # [B, KV, T, d] -> [B, KV*n_rep, T, d]; each KV head serves n_rep consecutive query heads
    b, kv, t, d = x.shape
    return x[:, :, None].expand(b, kv, n_rep, t, d).reshape(b, kv * n_rep, t, d)


def linear(x, w, b=None):
    y = x @ w.T
    return y if b is None else y + b


def attention(cfg, W, p, x, cos, sin, allowed):
    b, t, _ = x.shape
    nh, nkv, d = cfg["num_attention_heads"], cfg["num_key_value_heads"], head_dim(cfg)
    q = linear(x, W[p + "q_proj.weight"], W.get(p + "q_proj.bias")).view(b, t, nh, d)
    k = linear(x, W[p + "k_proj.weight"], W.get(p + "k_proj.bias")).view(b, t, nkv, d)
    v = linear(x, W[p + "v_proj.weight"], W.get(p + "v_proj.bias")).view(b, t, nkv, d)
    if cfg["model_type"] == "qwen3":  # q/k RMSNorm over head_dim, BEFORE RoPE
        q = rms_norm(q, W[p + "q_norm.weight"], cfg["rms_norm_eps"])
        k = rms_norm(k, W[p + "k_norm.weight"], cfg["rms_norm_eps"])
    q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # [B, H, T, d]
    cos, sin = cos[:, None], sin[:, None]  # [B, 1, T, d]
    q = q * cos + rotate_half(q) * sin
    k = k * cos + rotate_half(k) * sin
    k, v = repeat_kv(k, nh // nkv), repeat_kv(v, nh // nkv)  # [B, H, T, d]
    scores = (q @ k.transpose(2, 3)) * d ** -0.5  # [B, H, T, T]
    # HF eager adds finfo.min where masked; a fully masked row (a pad query) then softmaxes to a
    # uniform row. Those rows only feed pad positions, whose outputs are never compared.
    scores = scores.masked_fill(~allowed[:, None], torch.finfo(scores.dtype).min)
    probs = torch.softmax(scores, dim=-1)
    out = (probs @ v).transpose(1, 2).reshape(b, t, nh * d)  # [B, T, H*d]
    return linear(out, W[p + "o_proj.weight"], W.get(p + "o_proj.bias"))


def mlp(W, p, x):
    # SwiGLU: down(silu(gate(x)) * up(x))
    gate = linear(x, W[p + "gate_proj.weight"], W.get(p + "gate_proj.bias"))
    up = linear(x, W[p + "up_proj.weight"], W.get(p + "up_proj.bias"))
    return linear(torch.nn.functional.silu(gate) * up, W[p + "down_proj.weight"], W.get(p + "down_proj.bias"))


def forward(cfg, weights, input_ids, attention_mask, position_ids, dtype=torch.float64):
    """Logits [B, T, vocab] of XxxForCausalLM, all arithmetic in `dtype`."""
    W = {k: v.to(dtype) for k, v in weights.items()}
    eps, t = cfg["rms_norm_eps"], input_ids.shape[1]
    causal = torch.ones(t, t, dtype=torch.bool).tril()  # key j visible to query i iff j <= i
    allowed = causal[None] & attention_mask.bool()[:, None, :]  # [B, T, T], and key j is not padding
    cos, sin = rope_cos_sin(position_ids, head_dim(cfg), cfg["rope_theta"], dtype)
    h = W["model.embed_tokens.weight"][input_ids]  # [B, T, h]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = h + attention(cfg, W, p + "self_attn.", rms_norm(h, W[p + "input_layernorm.weight"], eps),
                          cos, sin, allowed)
        h = h + mlp(W, p + "mlp.", rms_norm(h, W[p + "post_attention_layernorm.weight"], eps))
    h = rms_norm(h, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return h @ head.T  # [B, T, vocab]


# ----------------------------------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------------------------------
def base_config(arch, model_type, **extra):
    cfg = {"architectures": [arch], "model_type": model_type, "vocab_size": 64, "hidden_size": 32,
           "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
           "hidden_act": "silu", "max_position_embeddings": 128, "initializer_range": 0.02,
           "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": False,
           "attention_dropout": 0.0, "use_cache": True, "bos_token_id": 1, "eos_token_id": 2,
           "torch_dtype": "float32"}
    cfg.update(extra)
    return dict(sorted(cfg.items()))


QWEN2 = base_config("Qwen2ForCausalLM", "qwen2", tie_word_embeddings=True, use_sliding_window=False,
                    sliding_window=None, max_window_layers=2)
QWEN3 = base_config("Qwen3ForCausalLM", "qwen3", head_dim=16, attention_bias=False, rope_theta=1000000.0,
                    rope_scaling=None, use_sliding_window=False, sliding_window=None, max_window_layers=2)
LLAMA = base_config("LlamaForCausalLM", "llama", num_key_value_heads=4, head_dim=8, attention_bias=False,
                    mlp_bias=False, rms_norm_eps=1e-5, rope_theta=500000.0, rope_scaling=None,
                    pretraining_tp=1)

PAD_ID = 2  # eos id, used as the pad token like Qwen's <|endoftext|>; its value never matters


def make_inputs(vocab, seed):
    """Batch of 2 x 7, row 2 left-padded by 3; plus row 2's 4 real tokens as an unpadded sequence."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, vocab, (2, 7), generator=g)
    mask = torch.ones(2, 7, dtype=torch.int64)
    ids[1, :3], mask[1, :3] = PAD_ID, 0
    position_ids = (mask.cumsum(-1) - 1).clamp(min=0)
    single = ids[1:, 3:].clone()
    return (ids, mask, position_ids), (single, torch.ones_like(single), torch.arange(4)[None])


def fmt_json(obj, indent=0):
    """JSON with arrays of scalars kept on one line (compact yet diffable)."""
    pad = "  " * indent
    if isinstance(obj, dict):
        items = [f'{pad}  {json.dumps(k)}: {fmt_json(v, indent + 1).lstrip()}' for k, v in obj.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and obj and isinstance(obj[0], (list, dict)):
        return pad + "[\n" + ",\n".join(fmt_json(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return pad + json.dumps(obj, separators=(", ", ": "))


def fp32_list(t):
    # round the float64 result to float32; 9 significant digits round-trip any float32 exactly
    return [[[float(f"{x:.9g}") for x in row] for row in seq] for seq in t.to(torch.float32).tolist()]


def reference(cfg, weights, seed, name):
    batch, single = make_inputs(cfg["vocab_size"], seed)
    cases, checks = [], {}
    for case_name, (ids, mask, pos) in (("batch_left_padded", batch), ("single_unpadded", single)):
        logits = forward(cfg, weights, ids, mask, pos)
        # fp32 run of the same code: what an fp32 implementation can hope to reach
        diff32 = (forward(cfg, weights, ids, mask, pos, torch.float32).double() - logits)[mask.bool()].abs().max()
        checks[f"{case_name}_fp32_vs_fp64_max_abs_diff"] = float(f"{diff32.item():.3g}")
        cases.append({"name": case_name, "input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                      "position_ids": pos.tolist(), "logits": fp32_list(logits)})
        if case_name == "batch_left_padded":
            batch_logits = logits
            # HF generate fills pad positions with 1 instead of 0: real positions must not change
            pos_hf = pos.masked_fill(mask == 0, 1)
            alt = forward(cfg, weights, ids, mask, pos_hf)
            assert (alt - logits)[mask.bool()].abs().max() < 1e-12, name
        else:
            # left padding must not change the real tokens' logits
            pad_diff = (batch_logits[1, 3:] - logits[0]).abs().max().item()
            assert pad_diff < 1e-12, (name, pad_diff)
            checks["padded_vs_unpadded_max_abs_diff_fp64"] = float(f"{pad_diff:.3g}")
    assert max(v for k, v in checks.items() if "fp32" in k) < 2e-5, (name, checks)
    return {
        "model": name,
        "note": ("Reference logits from tests/reference/models/make_parity_fixtures.py (float64 arithmetic on the "
                 "weights as stored, rounded to float32). Compare ONLY positions where attention_mask == 1; "
                 "logits at padded positions are included but meaningless. Tolerance: max abs diff <= 1e-4."),
        "tolerance": 1e-4,
        "self_checks": checks,
        "cases": cases,
    }


def write_model(name, cfg, weights, seed, shards=None, store_dtype=torch.float32):
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.safetensors*"):
        old.unlink()
    stored = {k: v.to(store_dtype) for k, v in weights.items()}
    (folder / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    if shards is None:
        save_safetensors(folder / "model.safetensors", stored)
        files = [folder / "model.safetensors"]
    else:
        weight_map, total, files = {}, 0, []
        for i, names in enumerate(shards):
            file = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
            total += save_safetensors(folder / file, {n: stored[n] for n in names})
            weight_map.update({n: file for n in names})
            files.append(folder / file)
        index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
        (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n")
    # read back what is on disk: bit-exact round trip, and the reference uses exactly these numbers
    loaded = {}
    for f in files:
        loaded.update(load_safetensors(f))
    assert sorted(loaded) == sorted(stored), name
    for k in stored:
        assert loaded[k].dtype == stored[k].dtype and torch.equal(loaded[k], stored[k]), (name, k)
    ref = reference(cfg, {k: v.float() for k, v in loaded.items()}, seed, name)
    (folder / "reference.json").write_text(fmt_json(ref) + "\n")
    print(f"{name}: {len(loaded)} tensors, checks {ref['self_checks']}")


def write_param_listing(stem):
    cfg = json.loads((CONFIGS / f"{stem}.config.json").read_text())
    lines = [f"{n} [{', '.join(map(str, s))}]" for n, s in sorted(hf_param_shapes(cfg).items())]
    (CONFIGS / f"{stem}.params.approved.txt").write_text("\n".join(lines) + "\n")
    count = sum(int(np.prod(s)) for s in hf_param_shapes(cfg).values())
    print(f"{stem}: {len(lines)} tensors, {count:,} parameters")
    return count


def main():
    torch.set_num_threads(1)
    qwen2_w = random_weights(QWEN2, seed=1)
    assert "lm_head.weight" not in qwen2_w
    write_model("qwen2-tiny", QWEN2, qwen2_w, seed=11)
    write_model("qwen3-tiny", QWEN3, random_weights(QWEN3, seed=2), seed=12)
    write_model("llama-tiny", LLAMA, random_weights(LLAMA, seed=3), seed=13)
    first = [n for n in qwen2_w if n.startswith(("model.embed_tokens.", "model.layers.0."))]
    write_model("qwen2-tiny-sharded", QWEN2, qwen2_w, seed=11,
                shards=[sorted(first), sorted(set(qwen2_w) - set(first))])
    write_model("qwen2-tiny-bf16", dict(QWEN2, torch_dtype="bfloat16"), qwen2_w, seed=11,
                store_dtype=torch.bfloat16)
    # Published sizes: Qwen2.5-0.5B 0.49B params (tied), Qwen3-0.6B 0.6B (0.44B non-embedding).
    assert write_param_listing("qwen2.5-0.5b") == 494_032_768
    assert write_param_listing("qwen3-0.6b") == 596_049_920


if __name__ == "__main__":
    sys.exit(main())
