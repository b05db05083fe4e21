package dev.sparkdit.torch;

import dev.sparkdit.tensor.AddressPointer;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Host {@link Tensor}s seen as libtorch tensors without a copy (the CPU backend, Gloo, tests). */
public final class TorchViews {
    private TorchViews() {
    }

    public static ScalarType scalarType(DType d) {
        return switch (d) {
            case F64 -> ScalarType.Double;
            case F32 -> ScalarType.Float;
            case F16 -> ScalarType.Half;
            case BF16 -> ScalarType.BFloat16;
            case F8_E4M3 -> ScalarType.Float8_e4m3fn;
            case F8_E5M2 -> ScalarType.Float8_e5m2;
            case I64 -> ScalarType.Long;
            case I32 -> ScalarType.Int;
            case I16 -> ScalarType.Short;
            case I8 -> ScalarType.Char;
            case U8 -> ScalarType.Byte;
            case BOOL -> ScalarType.Bool;
        };
    }

    /** A libtorch tensor over the same memory, shape, strides and dtype (no copy, no ownership). */
    public static org.bytedeco.pytorch.Tensor wrap(Tensor t) {
        if (t.device().kind() != Device.Kind.CPU) {
            throw new IllegalArgumentException("libtorch views need host memory, got a tensor on " + t.device() + ": " + t);
        }
        long extent = 1;
        for (int i = 0; i < t.rank(); i++) {
            extent += (t.dim(i) - 1) * t.stride(i);
        }
        AddressPointer p = new AddressPointer(t.address(), Math.max(extent, 0) * t.dtype().bytes());
        return torch.from_blob(p, t.shape(), t.strides(), new TensorOptions(scalarType(t.dtype())));
    }
}
