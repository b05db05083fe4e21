"""Reference baseline beside SparkDiT's own pipeline timings: diffusers' FluxPipeline with random FLUX.1-dev weights
(bf16, one GPU), 1024x1024, 28 steps, prompt -> PIL image. Components at full size: FluxTransformer2DModel (12B),
T5-XXL, CLIP-L, the FLUX VAE; tokenizers: the small ones SparkDiT ships for random models (their ids fit the
full-size vocabularies). Times with CUDA events (median after warm-up): text encode (CLIP + T5 at 512 tokens),
one transformer step, VAE decode, and the whole call end to end (wall clock), eager and with the transformer
compiled (MODES=eager,compile). Prints one RESULT JSON line per figure.
Run: PYTHONPATH=<diffusers src> python3 flux_pipeline_baseline.py TOKENIZERS_DIR"""
import json, os, sys, time
import torch

tok_dir = sys.argv[1]
from diffusers import FluxPipeline, FluxTransformer2DModel, AutoencoderKL, FlowMatchEulerDiscreteScheduler
from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel, AutoTokenizer

modes = os.environ.get("MODES", "eager").split(",")
H = W = int(os.environ.get("RES", "1024"))
STEPS = int(os.environ.get("STEPS", "28"))
torch.manual_seed(0)
torch.set_default_dtype(torch.bfloat16)
with torch.device("cuda"):
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=64, num_layers=19, num_single_layers=38,
                                         attention_head_dim=128, num_attention_heads=24, joint_attention_dim=4096,
                                         pooled_projection_dim=768, guidance_embeds=True, axes_dims_rope=(16, 56, 56))
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=16, block_out_channels=(128, 256, 512, 512),
                        layers_per_block=2, norm_num_groups=32, scaling_factor=0.3611, shift_factor=0.1159,
                        use_quant_conv=False, use_post_quant_conv=False,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    clip = CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                                        num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu",
                                        eos_token_id=2))
    t5 = T5EncoderModel(T5Config(vocab_size=32128, d_model=4096, d_kv=64, d_ff=10240, num_layers=24, num_heads=64,
                                 feed_forward_proj="gated-gelu", is_encoder_decoder=False))
torch.set_default_dtype(torch.float32)
with torch.no_grad():
    for m in (transformer, clip, t5):  # as SparkDiT's random models: keep activations finite through every block
        for n, p in m.named_parameters():
            if p.ndim == 2: p.mul_(0.5)
for m in (transformer, vae, clip, t5):
    m.eval()
sched = FlowMatchEulerDiscreteScheduler(shift=3.0, use_dynamic_shifting=True, base_shift=0.5, max_shift=1.15,
                                        base_image_seq_len=256, max_image_seq_len=4096)
pipe = FluxPipeline(scheduler=sched, vae=vae, text_encoder=clip, tokenizer=AutoTokenizer.from_pretrained(tok_dir + "/tokenizer"),
                    text_encoder_2=t5, tokenizer_2=AutoTokenizer.from_pretrained(tok_dir + "/tokenizer_2"),
                    transformer=transformer)
prompt = "a red fox sleeping in fresh snow, soft morning light"

def events(fn, warm=2, iters=10):
    with torch.no_grad():
        for _ in range(warm): fn()
        torch.cuda.synchronize(); ts = []
        for _ in range(iters):
            s, e = torch.cuda.Event(True), torch.cuda.Event(True)
            s.record(); fn(); e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e))
    ts.sort(); return ts[len(ts) // 2]

def report(what, **kv):
    print("RESULT " + json.dumps(dict(what=what, **{k: round(v, 3) if isinstance(v, float) else v for k, v in kv.items()})), flush=True)

report("text_encode_ms", ms=events(lambda: pipe.encode_prompt(prompt, prompt, max_sequence_length=512)))
lat = torch.randn(1, 16, H // 8, W // 8, device="cuda", dtype=torch.bfloat16)
report("vae_decode_ms", res=H, ms=events(lambda: pipe.image_processor.postprocess(vae.decode(lat, return_dict=False)[0], output_type="pt")))
for mode in modes:
    t0 = time.time()
    if mode == "compile":
        pipe.transformer = torch.compile(transformer, mode=os.environ.get("CMODE", "max-autotune-no-cudagraphs"))
    g = torch.Generator("cuda").manual_seed(1)
    call = lambda: pipe(prompt, height=H, width=W, num_inference_steps=STEPS, guidance_scale=3.5, output_type="pil",
                        generator=g, max_sequence_length=512)
    with torch.no_grad():
        call(); torch.cuda.synchronize()
        warm_s = time.time() - t0; secs = []
        for _ in range(int(os.environ.get("ITERS", "3"))):
            torch.cuda.synchronize(); t = time.time(); call(); torch.cuda.synchronize(); secs.append(time.time() - t)
    secs.sort()
    report("pipeline_s", mode=mode, res=H, steps=STEPS, s=secs[len(secs) // 2], first_call_s=warm_s,
           peak_gib=torch.cuda.max_memory_allocated() / 2**30)
