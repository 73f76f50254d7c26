package dev.gantry.server.scheduler;

import dev.gantry.server.error.GantryException;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Builds scheduler requests over one FP32 input "x" whose outcome lands in a future. */
final class Requests {
  private Requests() {}

  /** A request of {@code rows} rows of {@code width} floats, each row filled with {@code value}. */
  static InferenceRequest request(
      String id, int rows, int width, float value, int level, long deadline,
      CompletableFuture<Map<String, Tensor>> outcome) {
    return request(id, rows, width, value, level, deadline, outcome,
        ResponseListener.CALLING_THREAD);
  }

  /** As above, with the outcome delivered on {@code executor}. */
  static InferenceRequest request(
      String id, int rows, int width, float value, int level, long deadline,
      CompletableFuture<Map<String, Tensor>> outcome, Executor executor) {
    return request(id, rows, width, value, level, deadline, outcome, executor, () -> {});
  }

  /** As above, telling {@code inputsReleased} when the scheduler releases the inputs. */
  static InferenceRequest request(
      String id, int rows, int width, float value, int level, long deadline,
      CompletableFuture<Map<String, Tensor>> outcome, Executor executor,
      Runnable inputsReleased) {
    ByteBuffer data = ByteBuffer.allocate(rows * width * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows * width; i++) {
      data.putFloat(value);
    }
    Tensor x = new Tensor(DataType.FP32, new long[] {rows, width}, data.flip());
    return new InferenceRequest(id, Map.of("x", x), Set.of("y"), rows, level, deadline, 0,
        new ResponseListener() {
          @Override
          public Executor executor() {
            return executor;
          }

          @Override
          public void onResponse(Map<String, Tensor> outputs) {
            outcome.complete(outputs);
          }

          @Override
          public void onError(GantryException error) {
            outcome.completeExceptionally(error);
          }

          @Override
          public void inputsReleased() {
            inputsReleased.run();
          }
        });
  }

  static InferenceRequest request(String id, int rows, int level, long deadline) {
    return request(id, rows, 4, 0f, level, deadline, new CompletableFuture<>());
  }

  static InferenceRequest request(String id, int rows) {
    return request(id, rows, 1, InferenceRequest.NO_DEADLINE);
  }
}
