package dev.sparkdit.safetensors;

import java.nio.file.Path;
import java.util.NoSuchElementException;

/** A tensor name that a safetensors file does not hold; the message names the file and the tensor. */
public final class NoSuchTensorException extends NoSuchElementException {
    private static final long serialVersionUID = 1L;

    private final String tensor;

    public NoSuchTensorException(Path file, String tensor, int tensorCount) {
        super(file + ": no tensor named '" + tensor + "' (the file holds " + tensorCount + " tensors)");
        this.tensor = tensor;
    }

    public String tensor() {
        return tensor;
    }
}
