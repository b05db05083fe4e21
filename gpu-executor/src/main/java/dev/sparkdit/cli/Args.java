package dev.sparkdit.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} and {@code --flag} options, parsed against the names a command declares; an
 * unknown option or a missing value is a {@link UsageException} naming it.
 */
public final class Args {
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final Set<String> flags = new LinkedHashSet<>();

    private Args() {
    }

    public static Args parse(List<String> argv, Set<String> valueOptions, Set<String> flagOptions) {
        Args a = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String s = argv.get(i);
            String name = s;
            String inline = null;
            int eq = s.indexOf('=');
            if (s.startsWith("--") && eq > 0) {
                name = s.substring(0, eq);
                inline = s.substring(eq + 1);
            }
            if (valueOptions.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= argv.size()) {
                        throw new UsageException("option " + name + " needs a value");
                    }
                    v = argv.get(++i);
                }
                a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
            } else if (flagOptions.contains(name) && inline == null) {
                a.flags.add(name);
            } else {
                throw new UsageException("unknown option '" + s + "'");
            }
        }
        return a;
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public String get(String name, String dflt) {
        List<String> v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v.size() > 1) {
            throw new UsageException("option " + name + " given " + v.size() + " times");
        }
        return v.get(0);
    }

    public int intValue(String name, int dflt) {
        String v = get(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("option " + name + " must be an integer, got '" + v + "'");
        }
    }

    public double doubleValue(String name, double dflt) {
        String v = get(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("option " + name + " must be a number, got '" + v + "'");
        }
    }
}
