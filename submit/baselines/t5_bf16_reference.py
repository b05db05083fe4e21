# The reference's own bf16 error on the tiny golden cases (transformers T5 and CLIP on CUDA), to judge ours.
# Run on the GPU machine: python3 submit/baselines/t5_bf16_reference.py gpu-executor/src/test/resources/golden
import json, sys, tempfile, torch
from safetensors.torch import load_file
from transformers import T5Config, T5EncoderModel, CLIPTextConfig, CLIPTextModel
G = sys.argv[1]
def rel(a, b):
    a, b = a.double(), b.double()
    return ((a - b).norm() / b.norm()).item()
def case(name, cfg_cls, model_cls, out_key, call):
    d = f"{G}/{name}"
    cfg = json.load(open(f"{d}/config.json"))
    io = load_file(f"{d}/io.safetensors")
    w = load_file(f"{d}/weights.safetensors")
    m = model_cls(cfg_cls(**cfg)).eval()
    m.load_state_dict(w, strict=False)
    ref = io[out_key].double()
    with torch.no_grad():
        f32 = call(m.cuda(), io).float().cpu()
        res = [f"{name} f32 {rel(f32, ref):.3e}"]
        res.append(f"all-bf16 {rel(call(m.to(torch.bfloat16), io).float().cpu(), ref):.3e}")
        with tempfile.TemporaryDirectory() as t:
            model_cls(cfg_cls(**cfg)).eval().save_pretrained(t)
            m2 = model_cls.from_pretrained(t, torch_dtype=torch.bfloat16)
            m2.load_state_dict({k: v.to(m2.state_dict()[k].dtype) for k, v in w.items() if k in m2.state_dict()}, strict=False)
            kept = sorted({p.dtype for p in m2.parameters()}, key=str)
            res.append(f"from_pretrained-bf16 {rel(call(m2.cuda().eval(), io).float().cpu(), ref):.3e} (dtypes {kept})")
    print("ref-bf16:", "  ".join(res))
case("t5_tiny", T5Config, T5EncoderModel, "last_hidden_state",
     lambda m, io: m(input_ids=io["input_ids"].cuda()).last_hidden_state)
