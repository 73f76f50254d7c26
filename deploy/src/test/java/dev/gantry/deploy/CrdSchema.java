package dev.gantry.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A custom resource's OpenAPI v3 schema, as KServe's CRD publishes it, cut down to the fields
 * Gantry's manifests use ({@code deploy/schemas/}, written by {@code excerpt.py}), and the
 * structural checks the Kubernetes API server applies with strict field validation: known fields
 * only, required fields present, types and enums respected.
 */
final class CrdSchema {
  private final String apiVersion;
  private final String kind;
  private final JsonNode schema;

  private CrdSchema(String apiVersion, String kind, JsonNode schema) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.schema = schema;
  }

  /** The excerpt at {@code path}, relative to {@code deploy/}. */
  static CrdSchema load(String path) {
    JsonNode excerpt;
    try {
      excerpt = new ObjectMapper().readTree(
          Path.of(System.getProperty("gantry.deploy.dir", ".")).resolve(path).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CrdSchema(excerpt.get("group").asText() + "/" + excerpt.get("version").asText(),
        excerpt.get("kind").asText(), excerpt.get("schema"));
  }

  /** What is wrong with {@code resource}; empty when it conforms. */
  List<String> violations(JsonNode resource) {
    List<String> violations = new ArrayList<>();
    if (!apiVersion.equals(resource.path("apiVersion").asText())
        || !kind.equals(resource.path("kind").asText())) {
      violations.add("not a " + apiVersion + " " + kind + ": " + resource.path("apiVersion")
          + " " + resource.path("kind"));
    }
    for (Map.Entry<String, JsonNode> field : resource.properties()) {
      if (!List.of("apiVersion", "kind", "metadata").contains(field.getKey())) {
        JsonNode fieldSchema = schema.path("properties").get(field.getKey());
        if (fieldSchema == null) {
          violations.add("unknown field " + field.getKey());
        } else {
          check(field.getValue(), fieldSchema, field.getKey(), violations);
        }
      }
    }
    return violations;
  }

  private static void check(JsonNode value, JsonNode schema, String path, List<String> out) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
      if (!value.isIntegralNumber() && !value.isTextual()) {
        out.add(path + ": expected an integer or a string, got " + value);
      }
      return;
    }
    String type = schema.path("type").asText();
    switch (type) {
      case "object" -> checkObject(value, schema, path, out);
      case "array" -> {
        if (!value.isArray()) {
          out.add(path + ": expected an array, got " + value);
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          check(value.get(i), schema.get("items"), path + "[" + i + "]", out);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          out.add(path + ": expected a string, got " + value);
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          out.add(path + ": expected an integer, got " + value);
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          out.add(path + ": expected a boolean, got " + value);
        }
      }
      default -> out.add(path + ": the schema has no type this check knows: " + type);
    }
    JsonNode allowed = schema.get("enum");
    if (allowed != null && !contains(allowed, value)) {
      out.add(path + ": " + value + " is not one of " + allowed);
    }
  }

  private static void checkObject(JsonNode value, JsonNode schema, String path, List<String> out) {
    if (!value.isObject()) {
      out.add(path + ": expected an object, got " + value);
      return;
    }
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        out.add(path + ": missing required field " + required.asText());
      }
    }
    JsonNode properties = schema.get("properties");
    JsonNode additional = schema.get("additionalProperties");
    for (Map.Entry<String, JsonNode> field : value.properties()) {
      String where = path + "." + field.getKey();
      JsonNode fieldSchema = properties != null ? properties.get(field.getKey()) : additional;
      if (fieldSchema != null) {
        check(field.getValue(), fieldSchema, where, out);
      } else if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
        out.add("unknown field " + where);
      }
    }
  }

  private static boolean contains(JsonNode array, JsonNode value) {
    for (JsonNode item : array) {
      if (item.equals(value)) {
        return true;
      }
    }
    return false;
  }
}
