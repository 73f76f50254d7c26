package dev.gantry.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The KServe manifests, checked against the schema excerpts of KServe's published CRDs and,
 * for the runtime's container, against the Kubernetes model.
 */
class KServeManifestsTest {
  @ParameterizedTest
  @CsvSource({
    "kserve/servingruntime.yaml, schemas/servingruntime.json",
    "kserve/clusterservingruntime.yaml, schemas/clusterservingruntime.json",
    "kserve/inferenceservice.yaml, schemas/inferenceservice.json"
  })
  void conformsToKServesCrd(String manifest, String schema) {
    assertEquals(List.of(), CrdSchema.load(schema).violations(Manifests.tree(manifest)));
  }

  @Test
  void schemaCheckRejectsUnknownFieldsAndWrongTypes() {
    ObjectNode runtime = Manifests.tree("kserve/servingruntime.yaml").deepCopy();
    ((ObjectNode) runtime.path("spec")).put("protocolVersion", "grpc-v2");
    ((ObjectNode) runtime.path("spec").path("supportedModelFormats").get(0))
        .put("version", 1);
    assertEquals(List.of("spec.supportedModelFormats[0].version: expected a string, got 1",
            "unknown field spec.protocolVersion"),
        CrdSchema.load("schemas/servingruntime.json").violations(runtime));
  }

  @ParameterizedTest
  @CsvSource({"kserve/servingruntime.yaml", "kserve/clusterservingruntime.yaml"})
  void runtimeServesOnnxAndTensorFlowOverV2AndGrpcV2(String manifest) {
    JsonNode spec = Manifests.tree(manifest).path("spec");
    List<String> formats = new ArrayList<>();
    spec.path("supportedModelFormats").forEach(f -> formats.add(f.path("name").asText()));
    assertEquals(List.of("onnx", "tensorflow"), formats);
    assertEquals("[\"v2\",\"grpc-v2\"]", spec.path("protocolVersions").toString());
    Container container =
        Manifests.strict(spec.path("containers").get(0), Container.class, manifest);
    assertEquals("kserve-container", container.getName());
    assertEquals("h2c", container.getPorts().get(0).getName());
    assertEquals(8001, container.getPorts().get(0).getContainerPort());
    assertTrue(container.getArgs().contains("--model-repository=/mnt/models"));
    assertTrue(container.getArgs().contains("--grpc-port=8001"));
    assertTrue(container.getSecurityContext().getRunAsNonRoot());
  }

  @Test
  void inferenceServiceUsesTheRuntimeWithStorageAndReplicaBounds() {
    JsonNode predictor = Manifests.tree("kserve/inferenceservice.yaml").path("spec")
        .path("predictor");
    JsonNode model = predictor.path("model");
    assertEquals("gantry", model.path("runtime").asText());
    assertEquals("onnx", model.path("modelFormat").path("name").asText());
    assertTrue(model.path("storageUri").asText().contains("://"));
    assertTrue(predictor.path("minReplicas").asInt() >= 1);
    assertTrue(predictor.path("maxReplicas").asInt() > predictor.path("minReplicas").asInt());
    assertTrue(model.path("resources").path("limits").has("memory"));
  }
}
