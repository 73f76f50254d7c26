package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.modelgen.OnnxModelBuilder;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.spi.DataType;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A model that keeps an instance busy: x [512,512] multiplied by itself many times (about a
 * second for 300 products on this machine's cores), so that tests can queue requests behind it.
 */
final class BusyModel {
  static final int SIZE = 512;

  private BusyModel() {}

  static byte[] onnx(int products) {
    OnnxModelBuilder model = new OnnxModelBuilder("busy")
        .input("x", DataType.FP32, SIZE, SIZE)
        .output("y", DataType.FP32, SIZE, SIZE);
    String previous = "x";
    for (int i = 0; i < products; i++) {
      String next = i == products - 1 ? "y" : "m" + i;
      model.node("MatMul", List.of(previous, "x"), List.of(next));
      previous = next;
    }
    return model.build();
  }

  /**
   * Waits up to 20 s until model {@code busy} has this many requests executing and queued, then
   * checks that it has.
   */
  static void awaitQueued(RunningServer gantry, int executing, int queued)
      throws InterruptedException {
    var scheduler = gantry.server.repository().resolve("busy", "").scheduler();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while ((scheduler.executing() != executing || scheduler.queued() != queued)
        && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(executing, scheduler.executing(), "executing");
    assertEquals(queued, scheduler.queued(), "queued");
  }

  static ModelInferRequest request(String model, String id) {
    return ModelInferRequest.newBuilder()
        .setModelName(model).setId(id)
        .addInputs(Tensors.input("x", "FP32", SIZE, SIZE))
        .addRawInputContents(Tensors.floats(new float[SIZE * SIZE]))
        .build();
  }
}
