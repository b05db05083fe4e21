package dev.sparkdit.models;

/**
 * A row range of one checkpoint tensor: {@code rows} rows starting at {@code rowStart} along dim 0 of
 * the tensor stored under {@code key}, whose full shape is {@code keyShape}.
 */
public record ParamPart(String key, long[] keyShape, long rowStart, long rows) {
    public ParamPart {
        keyShape = keyShape.clone();
    }

    public static ParamPart whole(String key, long... shape) {
        return new ParamPart(key, shape, 0, shape[0]);
    }

    @Override
    public long[] keyShape() {
        return keyShape.clone();
    }
}
