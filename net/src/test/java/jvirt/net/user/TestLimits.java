package jvirt.net.user;

import java.lang.reflect.RecordComponent;
import java.util.Map;
import jvirt.net.user.stack.Limits;

/** {@link Limits#DEFAULTS} with some components changed, by name: {@code TestLimits.of("udpFlows", 4)}. */
final class TestLimits {
    private TestLimits() {
    }

    static Limits of(Object... namesAndValues) {
        Map<String, Object> changes = new java.util.HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            changes.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        try {
            RecordComponent[] components = Limits.class.getRecordComponents();
            Object[] values = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                Object v = changes.remove(components[i].getName());
                values[i] = v == null ? components[i].getAccessor().invoke(Limits.DEFAULTS)
                        : types[i] == long.class ? (Object) ((Number) v).longValue() : v;
            }
            if (!changes.isEmpty()) {
                throw new IllegalArgumentException("no such limits: " + changes.keySet());
            }
            return Limits.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
