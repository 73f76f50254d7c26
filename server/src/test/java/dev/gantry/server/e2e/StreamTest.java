package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floatsOf;
import static dev.gantry.server.e2e.Tensors.output;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelStreamInferResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelStreamInfer: many requests on one stream, errors per request, a clean end. */
class StreamTest {
  @TempDir static Path repository;
  static RunningServer gantry;

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    gantry = RunningServer.on(new TestRepository(repository));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  private static List<ModelStreamInferResponse> stream(List<ModelInferRequest> requests) {
    return AsyncCalls.stream(gantry.async, requests);
  }

  @Test
  void everyRequestGetsItsOwnResponseAndErrorsDoNotEndTheStream() throws Exception {
    List<ModelInferRequest> requests = List.of(
        Tensors.addSub("simple", 1, 1f, 1f).toBuilder().setId("a").build(),
        Tensors.addSub("simple", 9, 1f, 1f).toBuilder().setId("too-big").build(),
        Tensors.addSub("simple", 2, 2f, 1f).toBuilder().setId("b").build(),
        Tensors.addSub("nope", 1, 1f, 1f).toBuilder().setId("unknown").build(),
        Tensors.addSub("simple", 1, 5f, 1f).toBuilder().setId("c").build());
    List<ModelStreamInferResponse> responses = stream(requests);
    assertEquals(5, responses.size());
    List<String> errors = responses.stream()
        .map(ModelStreamInferResponse::getErrorMessage).filter(m -> !m.isEmpty()).sorted().toList();
    assertEquals(2, errors.size());
    assertTrue(errors.get(0).startsWith("INVALID_ARGUMENT: ") && errors.get(0).contains("batch size 9"),
        errors.get(0));
    assertTrue(errors.get(1).startsWith("NOT_FOUND: ") && errors.get(1).contains("unknown model 'nope'"),
        errors.get(1));
    Map<String, String> errorsById = responses.stream()
        .filter(r -> !r.getErrorMessage().isEmpty())
        .collect(Collectors.toMap(r -> r.getInferResponse().getId(),
            ModelStreamInferResponse::getErrorMessage));
    assertEquals(Set.of("too-big", "unknown"), errorsById.keySet());
    Map<String, ModelStreamInferResponse> byId = responses.stream()
        .filter(r -> r.getErrorMessage().isEmpty())
        .collect(Collectors.toMap(r -> r.getInferResponse().getId(), Function.identity()));
    assertEquals(2f, floatsOf(output(byId.get("a").getInferResponse(), "OUTPUT0"))[0]);
    assertEquals(32, floatsOf(output(byId.get("b").getInferResponse(), "OUTPUT0")).length);
    assertEquals(4f, floatsOf(output(byId.get("c").getInferResponse(), "OUTPUT1"))[0]);
  }

  @Test
  void manyRequestsBeyondTheFlowControlWindow() throws Exception {
    int count = 500;
    List<ModelInferRequest> requests = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      requests.add(Tensors.addSub("simple", 1, i, 0f).toBuilder().setId("r" + i).build());
    }
    List<ModelStreamInferResponse> responses = stream(requests);
    assertEquals(count, responses.size());
    for (ModelStreamInferResponse response : responses) {
      assertTrue(response.getErrorMessage().isEmpty(), response.getErrorMessage());
      int i = Integer.parseInt(response.getInferResponse().getId().substring(1));
      assertEquals((float) i, floatsOf(output(response.getInferResponse(), "OUTPUT0"))[0]);
    }
  }

  @Test
  void emptyStreamEndsCleanly() throws Exception {
    assertEquals(List.of(), stream(List.of()));
  }
}
