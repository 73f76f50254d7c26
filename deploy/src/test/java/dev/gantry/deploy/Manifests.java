package dev.gantry.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the manifests under {@code deploy/} and binds them to the fabric8 Kubernetes model,
 * strictly: a field the model does not define fails instead of landing in the model's
 * catch-all {@code additionalProperties}.
 */
final class Manifests {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path ROOT = Path.of(System.getProperty("gantry.deploy.dir", "."));

  private Manifests() {}

  /** The manifest at {@code path}, relative to {@code deploy/}, as a JSON tree. */
  static JsonNode tree(String path) {
    try {
      return YAML.readTree(ROOT.resolve(path).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The manifest at {@code path} bound to {@code type}, failing on any unknown field. */
  static <T> T strict(String path, Class<T> type) {
    return strict(tree(path), type, path);
  }

  /** A JSON tree bound to {@code type}, failing on any field the model does not define. */
  static <T> T strict(JsonNode tree, Class<T> type, String where) {
    T model = YAML.convertValue(tree, type);
    assertNoUnknownFields(model, where);
    return model;
  }

  private static void assertNoUnknownFields(Object value, String path) {
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        assertNoUnknownFields(list.get(i), path + "[" + i + "]");
      }
    } else if (value instanceof Map<?, ?> map) {
      map.forEach((key, item) -> assertNoUnknownFields(item, path + "." + key));
    } else if (value != null && value.getClass().getName().startsWith("io.fabric8.")) {
      for (Method getter : value.getClass().getMethods()) {
        if (isProperty(getter)) {
          Object property = invoke(getter, value);
          if (getter.getName().equals("getAdditionalProperties")) {
            if (property instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
              fail(path + " has fields " + value.getClass().getSimpleName()
                  + " does not define: " + unknown.keySet());
            }
          } else {
            assertNoUnknownFields(property, path + "." + getter.getName().substring(3));
          }
        }
      }
    }
  }

  private static boolean isProperty(Method method) {
    return method.getName().startsWith("get")
        && method.getParameterCount() == 0
        && !Modifier.isStatic(method.getModifiers())
        && method.getDeclaringClass() != Object.class;
  }

  private static Object invoke(Method getter, Object target) {
    try {
      return getter.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + getter, e);
    }
  }
}
