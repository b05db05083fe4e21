package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MatrixTest {
    private static final Device GPU = Device.cuda(0);

    @Test
    void columnRangeKeepsTheParentsLeadingDimension() {
        Tensor qkv = new Tensor(0x1000, GPU, DType.BF16, 4608, 9216);
        Matrix m = Matrix.of(qkv.narrow(1, 3072, 3072), "q");
        assertEquals(new Matrix(4608, 3072, 9216), m);
    }

    @Test
    void leadingDimensionsCollapseIntoRows() {
        Tensor t = new Tensor(0x1000, GPU, DType.F32, 2, 3, 5);
        assertEquals(new Matrix(6, 5, 5), Matrix.of(t, "t"));
        assertEquals(new Matrix(1, 7, 7), Matrix.of(new Tensor(0x1000, GPU, DType.F32, 7), "v"));
    }

    @Test
    void nonCollapsibleOrNonContiguousRowsAreRejected() {
        Tensor t = new Tensor(0x1000, GPU, DType.F32, 4, 6, 8).narrow(1, 0, 3);
        assertThrows(IllegalArgumentException.class, () -> Matrix.of(t, "t"));
        Tensor colStrided = new Tensor(0x1000, GPU, DType.F32, new long[] {4, 4}, new long[] {1, 4});
        assertThrows(IllegalArgumentException.class, () -> Matrix.of(colStrided, "c"));
    }

    @Test
    void aSizeOneDimensionDoesNotHideAGapBetweenBlocks() {
        // Ulysses' receive compaction: [3, hu = 1, len, Dh] inside a [3, 1, total, Dh] buffer. The rows of
        // block 0 and block 1 are total*Dh apart, not len*Dh: they must not collapse into one matrix.
        long total = 653;
        long len = 327;
        Tensor gap = new Tensor(0x1000, GPU, DType.F32, new long[] {3, 1, len, 128},
                new long[] {total * 128, total * 128, 128, 1});
        assertThrows(IllegalArgumentException.class, () -> Matrix.of(gap, "gap"));
        assertEquals(false, Matrix.collapsible(gap));
        Tensor dense = new Tensor(0x1000, GPU, DType.F32, new long[] {3, 1, len, 128},
                new long[] {len * 128, 999, 128, 1});
        assertEquals(new Matrix(3 * len, 128, 128), Matrix.of(dense, "dense"));
        Tensor oneRow = new Tensor(0x1000, GPU, DType.F32, new long[] {1, 3072}, new long[] {6 * 3072, 1});
        assertEquals(new Matrix(1, 3072, 3072), Matrix.of(oneRow, "modulation chunk"));
    }

    @Test
    void checkFormatsNameValuePairs() {
        assertEquals("bytes=12, shape=[1, 2]", CudaCheck.format("bytes", 12, "shape", new long[] {1, 2}));
        CudaException e = new CudaException("cudart", "cudaMalloc", 2, "cudaErrorMemoryAllocation", "bytes=12");
        assertEquals("cudart cudaMalloc failed: cudaErrorMemoryAllocation (2) with bytes=12", e.getMessage());
    }
}
