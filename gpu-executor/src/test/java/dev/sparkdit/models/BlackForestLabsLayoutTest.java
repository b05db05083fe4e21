package dev.sparkdit.models;

import dev.sparkdit.parity.FluxParityFixtures;
import dev.sparkdit.safetensors.HostTensor;
import dev.sparkdit.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden diffusers weights renamed into the Black Forest Labs single-file layout (fused qkv, fused
 * linear1, (shift, scale) final modulation) must give the same output as the diffusers layout.
 * The renaming below is written independently of {@code FluxCheckpointLayout}, from the BFL names.
 */
class BlackForestLabsLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void bflSingleFileGivesTheSameOutputAsDiffusersFolder() throws Exception {
        Path src = FluxCheckpointLoadTest.golden("config.json").getParent();
        LinkedHashMap<String, HostTensor> d = CheckpointFixtures.read(src.resolve("weights.safetensors"));
        Map<String, HostTensor> bfl = toBfl(d, 2, 2, 128);
        Path caseDir = Files.createDirectories(tmp.resolve("flux_tiny_dev_bfl"));
        Files.copy(src.resolve("config.json"), caseDir.resolve("config.json"));
        Files.copy(src.resolve("io.safetensors"), caseDir.resolve("io.safetensors"));
        CheckpointFixtures.write(caseDir.resolve("weights.safetensors"), bfl);

        double err = FluxParityFixtures.relL2(caseDir, "cpu", DType.F32);
        assertTrue(err <= 1e-5, "BFL layout rel_l2 " + err);
    }

    static Map<String, HostTensor> toBfl(Map<String, HostTensor> d, int doubles, int singles, long dim) {
        Map<String, HostTensor> b = new LinkedHashMap<>();
        copyLinear(b, d, "img_in", "x_embedder");
        copyLinear(b, d, "txt_in", "context_embedder");
        copyLinear(b, d, "time_in.in_layer", "time_text_embed.timestep_embedder.linear_1");
        copyLinear(b, d, "time_in.out_layer", "time_text_embed.timestep_embedder.linear_2");
        copyLinear(b, d, "guidance_in.in_layer", "time_text_embed.guidance_embedder.linear_1");
        copyLinear(b, d, "guidance_in.out_layer", "time_text_embed.guidance_embedder.linear_2");
        copyLinear(b, d, "vector_in.in_layer", "time_text_embed.text_embedder.linear_1");
        copyLinear(b, d, "vector_in.out_layer", "time_text_embed.text_embedder.linear_2");
        for (int i = 0; i < doubles; i++) {
            String s = "double_blocks." + i + ".";
            String p = "transformer_blocks." + i + ".";
            copyLinear(b, d, s + "img_mod.lin", p + "norm1.linear");
            copyLinear(b, d, s + "txt_mod.lin", p + "norm1_context.linear");
            stack(b, d, s + "img_attn.qkv", p + "attn.to_q", p + "attn.to_k", p + "attn.to_v");
            stack(b, d, s + "txt_attn.qkv", p + "attn.add_q_proj", p + "attn.add_k_proj", p + "attn.add_v_proj");
            b.put(s + "img_attn.norm.query_norm.scale", d.get(p + "attn.norm_q.weight"));
            b.put(s + "img_attn.norm.key_norm.scale", d.get(p + "attn.norm_k.weight"));
            b.put(s + "txt_attn.norm.query_norm.scale", d.get(p + "attn.norm_added_q.weight"));
            b.put(s + "txt_attn.norm.key_norm.scale", d.get(p + "attn.norm_added_k.weight"));
            copyLinear(b, d, s + "img_attn.proj", p + "attn.to_out.0");
            copyLinear(b, d, s + "txt_attn.proj", p + "attn.to_add_out");
            copyLinear(b, d, s + "img_mlp.0", p + "ff.net.0.proj");
            copyLinear(b, d, s + "img_mlp.2", p + "ff.net.2");
            copyLinear(b, d, s + "txt_mlp.0", p + "ff_context.net.0.proj");
            copyLinear(b, d, s + "txt_mlp.2", p + "ff_context.net.2");
        }
        for (int i = 0; i < singles; i++) {
            String s = "single_blocks." + i + ".";
            String p = "single_transformer_blocks." + i + ".";
            stack(b, d, s + "linear1", p + "attn.to_q", p + "attn.to_k", p + "attn.to_v", p + "proj_mlp");
            copyLinear(b, d, s + "linear2", p + "proj_out");
            b.put(s + "norm.query_norm.scale", d.get(p + "attn.norm_q.weight"));
            b.put(s + "norm.key_norm.scale", d.get(p + "attn.norm_k.weight"));
            copyLinear(b, d, s + "modulation.lin", p + "norm.linear");
        }
        copyLinear(b, d, "final_layer.linear", "proj_out");
        for (String suffix : new String[] {".weight", ".bias"}) {
            HostTensor t = d.get("norm_out.linear" + suffix);
            byte[] swapped = CheckpointFixtures.concat(CheckpointFixtures.rows(t, dim, dim),
                    CheckpointFixtures.rows(t, 0, dim));
            b.put("final_layer.adaLN_modulation.1" + suffix, HostTensor.of(t.dtype(), t.shape(), swapped));
        }
        return b;
    }

    private static void copyLinear(Map<String, HostTensor> b, Map<String, HostTensor> d, String to, String from) {
        b.put(to + ".weight", d.get(from + ".weight"));
        b.put(to + ".bias", d.get(from + ".bias"));
    }

    private static void stack(Map<String, HostTensor> b, Map<String, HostTensor> d, String to, String... from) {
        for (String suffix : new String[] {".weight", ".bias"}) {
            byte[][] parts = new byte[from.length][];
            long rows = 0;
            long[] shape = d.get(from[0] + suffix).shape();
            for (int i = 0; i < from.length; i++) {
                HostTensor t = d.get(from[i] + suffix);
                parts[i] = CheckpointFixtures.bytes(t);
                rows += t.shape()[0];
            }
            shape[0] = rows;
            b.put(to + suffix, HostTensor.of(DType.F32, shape, CheckpointFixtures.concat(parts)));
        }
    }
}
