package dev.sparkdit.datasets;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResultRowTest {

    private static String refused(ResultRow base, int component, Object value) {
        return assertThrows(IllegalArgumentException.class, () -> with(base, component, value)).getMessage();
    }

    /** {@code base} with one component replaced, through the canonical constructor. */
    private static ResultRow with(ResultRow base, int component, Object value) throws Exception {
        var components = ResultRow.class.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            args[i] = components[i].getAccessor().invoke(base);
            types[i] = components[i].getType();
        }
        args[component] = value;
        try {
            return ResultRow.class.getDeclaredConstructor(types).newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void componentsAreTheColumnsInOrder() {
        List<String> names = new ArrayList<>();
        for (var c : ResultRow.class.getRecordComponents()) {
            names.add(c.getName().replaceAll("([A-Z0-9])", "_$1").toLowerCase().replace("t_5", "t5"));
        }
        assertEquals(ResultColumns.ALL, names);
    }

    @Test
    void refusesInconsistentRows() {
        ResultRow ok = ResultRows.ok();
        assertEquals("image_uri of an ok row must not be null or blank, got null", refused(ok, 2, null));
        assertEquals("an ok row has no error, got 'boom'", refused(ok, 24, "boom"));
        assertEquals("error of a failed row must not be null or blank, got null", refused(ResultRows.failed(), 24, null));
        assertEquals("load_ms must be a finite number of ms >= 0, got -1.0", refused(ok, 9, -1.0));
        assertEquals("total_ms must be a finite number of ms >= 0, got NaN", refused(ok, 16, Double.NaN));
        assertEquals("step_ms has 5 entries for 4 steps", refused(ok, 12, List.of(1.0, 1.0, 1.0, 1.0, 1.0)));
        assertEquals("step_ms[1] must be a finite number of ms >= 0, got null", refused(ok, 12, Arrays.asList(1.0, null)));
        assertEquals("gpu_ids entries must be >= 0, got [0, -1]", refused(ok, 20, List.of(0, -1)));
        assertEquals("steps must be > 0, got 0", refused(ok, 5, 0));
        assertEquals("attempt must be >= 0, got -1", refused(ok, 22, -1));
    }

    @Test
    void statusHasWireNames() {
        assertEquals(ResultStatus.FAILED, ResultStatus.fromWireName("failed"));
        assertEquals("status must be \"ok\" or \"failed\", got 'OK'",
                assertThrows(IllegalArgumentException.class, () -> ResultStatus.fromWireName("OK")).getMessage());
    }
}
