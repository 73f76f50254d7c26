package dev.gantry.server.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.spi.DataType;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Joining a batch's inputs and splitting its outputs back per request. */
class BatchesTest {
  private static InferenceRequest request(String id, int rows, float value) {
    return Requests.request(id, rows, 2, value, 1, InferenceRequest.NO_DEADLINE,
        new CompletableFuture<>());
  }

  private static float[] floats(Tensor tensor) {
    ByteBuffer data = tensor.data().order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[data.remaining() / 4];
    for (int i = 0; i < values.length; i++) {
      values[i] = data.getFloat(data.position() + 4 * i);
    }
    return values;
  }

  @Test
  void joinsInputsAlongTheBatchDimensionInBatchOrder() {
    List<InferenceRequest> batch = List.of(request("a", 1, 1f), request("b", 2, 2f));

    Tensor x = Batches.joinInputs(batch).get("x");

    assertEquals(List.of(3L, 2L), List.of(x.dim(0), x.dim(1)));
    assertEquals("[1.0, 1.0, 2.0, 2.0, 2.0, 2.0]", java.util.Arrays.toString(floats(x)));
  }

  @Test
  void splitsOutputsIntoEachRequestsRows() {
    List<InferenceRequest> batch = List.of(request("a", 1, 1f), request("b", 2, 2f));
    Tensor y = Batches.joinInputs(batch).get("x");

    List<Map<String, Tensor>> perRequest =
        Batches.splitOutputs(batch, new long[] {1, 2}, Map.of("y", y));

    assertEquals(1, perRequest.get(0).get("y").dim(0));
    assertEquals("[1.0, 1.0]", java.util.Arrays.toString(floats(perRequest.get(0).get("y"))));
    assertEquals("[2.0, 2.0, 2.0, 2.0]",
        java.util.Arrays.toString(floats(perRequest.get(1).get("y"))));
  }

  @Test
  void anOutputThatDoesNotFitTheBatchIsRefusedWithItsShape() {
    List<InferenceRequest> batch = List.of(request("a", 1, 1f), request("b", 2, 2f));
    Tensor wrong = new Tensor(DataType.FP32, new long[] {2, 2},
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN));

    IllegalStateException error = assertThrows(IllegalStateException.class,
        () -> Batches.splitOutputs(batch, new long[] {1, 2}, Map.of("y", wrong)));
    assertTrue(error.getMessage().contains("the batch has 3 items in dimension 0"),
        error.getMessage());
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> Batches.splitOutputs(batch, new long[] {1, 2}, Map.of()));
    assertEquals("the backend returned no output 'y'", missing.getMessage());
  }
}
