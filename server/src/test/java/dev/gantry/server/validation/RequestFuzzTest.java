package dev.gantry.server.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.gantry.proto.DataType;
import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInput;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.metrics.MetricNames;
import dev.gantry.server.metrics.ServerMetrics;
import dev.gantry.server.memory.SharedMemoryRegistry;
import dev.gantry.server.model.ClassLabels;
import dev.gantry.server.model.LoadedVersion;
import dev.gantry.server.scheduler.BatchingPolicy;
import dev.gantry.server.scheduler.ExecutionListener;
import dev.gantry.server.scheduler.ModelScheduler;
import dev.gantry.server.scheduler.QueuePolicy;
import dev.gantry.server.scheduler.Ticker;
import dev.gantry.server.transport.StatusMapper;
import dev.gantry.spi.BytesElements;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Shapes;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes what a client controls entirely, the bytes of a {@code ModelInferRequest}: parsed as
 * the transport parses them, then validated against a model with an input of each kind (batched
 * FP32, INT64, INT8, UINT16 and BOOL, BYTES, optional FP16) and three priority levels. Whatever
 * the bytes, the outcome is a valid request whose tensors fit their shapes, or a {@link
 * GantryException} that maps to a status naming the caller's mistake; never another exception,
 * never INTERNAL or UNKNOWN, never a hang (each input has five seconds).
 *
 * <p>{@code mvn test} runs it in the {@code fuzz} surefire execution, a JVM of its own with
 * {@code JAZZER_FUZZ=1}: it runs the seeds in {@code RequestFuzzTestInputs/validate} (serialised
 * requests to this model: raw contents, typed contents, BYTES, parameters and outputs), then
 * fuzzes from them for {@code maxDuration}. To fuzz
 * longer, raise maxDuration locally. A finding fails the build; its input is written under {@code
 * target/jazzer}, and copied into the seed directory it becomes a regression test. Request
 * validation over the wire, with its messages, is {@code ValidationTest}'s job.
 */
class RequestFuzzTest {
  private static final long MAX_ELEMENTS = 1 << 16;
  private static final long MAX_BYTES_ELEMENT = 1024;

  private static ScheduledExecutorService timer;
  private static ExecutorService checker;
  private static LoadedVersion model;
  private static final RequestValidator validator =
      new RequestValidator(MAX_ELEMENTS, MAX_BYTES_ELEMENT,
          new SharedMemoryRegistry(SharedMemoryRegistry.SYSTEM_DIRECTORY, 1));

  /** A model's instance that is never asked to execute: validation needs only its signature. */
  private static final class Unused implements ModelInstance {
    @Override
    public ModelSignature signature() {
      return model.signature();
    }

    @Override
    public String device() {
      return "CPU";
    }

    @Override
    public Map<String, Tensor> execute(
        Map<String, Tensor> inputs, Set<String> outputs, ComputePhases phases) {
      throw new IllegalStateException("validation never executes");
    }

    @Override
    public void close() {}
  }

  @BeforeAll
  static void loadModel() {
    timer = Executors.newSingleThreadScheduledExecutor(
        runnable -> new Thread(runnable, "fuzz-test-timer"));
    checker = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "fuzz-test-checker");
      thread.setDaemon(true);
      return thread;
    });
    QueuePolicy queue = new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, 16);
    BatchingPolicy policy =
        new BatchingPolicy(8, true, new int[0], 0, false, 2, List.of(queue, queue, queue), 0);
    ModelScheduler scheduler = new ModelScheduler("model 'fuzz' version 1", "fuzz-test", policy,
        List.of(new Unused()), timer, Ticker.SYSTEM, ExecutionListener.NONE, Duration.ZERO);
    ModelSignature signature = new ModelSignature(
        List.of(
            spec("f", dev.gantry.spi.DataType.FP32, -1, 4),
            spec("i", dev.gantry.spi.DataType.INT64, -1, 2),
            spec("b", dev.gantry.spi.DataType.INT8, -1, 3),
            spec("u", dev.gantry.spi.DataType.UINT16, -1, 2),
            spec("o", dev.gantry.spi.DataType.BOOL, -1, 1),
            spec("s", dev.gantry.spi.DataType.BYTES, -1, 1),
            spec("h", dev.gantry.spi.DataType.FP16, -1, 2)),
        List.of(
            spec("y", dev.gantry.spi.DataType.FP32, -1, 4),
            spec("z", dev.gantry.spi.DataType.BYTES, -1, 1)));
    ModelConfig config = ModelConfig.newBuilder()
        .setName("fuzz")
        .setMaxBatchSize(8)
        .addInput(ModelInput.newBuilder().setName("h").setDataType(DataType.TYPE_FP16)
            .addDims(2).setOptional(true))
        .build();
    model = new LoadedVersion("fuzz", 1, config, signature, List.of("CPU"), scheduler,
        new ServerMetrics(MetricNames.GANTRY).forVersion("fuzz", 1), ClassLabels.NONE);
  }

  @AfterAll
  static void unloadModel() {
    model.scheduler().shutdown(Duration.ofSeconds(1));
    timer.shutdownNow();
    checker.shutdownNow();
  }

  private static TensorSpec spec(String name, dev.gantry.spi.DataType type, long... shape) {
    return new TensorSpec(name, type, shape);
  }

  /**
   * One input, checked on the checker thread so that a hang fails the test after five seconds
   * instead of stalling it; whatever the check throws is rethrown as it was.
   */
  @FuzzTest(maxDuration = "10s")
  void validate(byte[] bytes) throws Throwable {
    Future<?> check = checker.submit(() -> check(bytes));
    try {
      check.get(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      check.cancel(true);
      fail("validating " + bytes.length + " bytes did not finish within 5 seconds");
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }

  private static void check(byte[] bytes) {
    ModelInferRequest request;
    try {
      request = ModelInferRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    ValidRequest valid;
    try {
      valid = validator.validate(request, model);
    } catch (GantryException rejected) {
      Status status = StatusMapper.toStatus(rejected);
      assertNotEquals(Status.Code.INTERNAL, status.getCode(), status.toString());
      assertNotEquals(Status.Code.UNKNOWN, status.getCode(), status.toString());
      assertFalse(status.getDescription().isEmpty(), "a rejection says why");
      return;
    }
    assertTrue(valid.batchSize() >= 1 && valid.batchSize() <= 8, "batch " + valid.batchSize());
    assertTrue(valid.priorityLevel() >= 1 && valid.priorityLevel() <= 3);
    assertTrue(valid.timeoutNanos() >= 0);
    assertFalse(valid.outputs().isEmpty());
    for (Map.Entry<String, Tensor> input : valid.inputs().entrySet()) {
      Tensor tensor = input.getValue();
      TensorSpec spec = model.signature().input(input.getKey()).orElseThrow();
      assertEquals(spec.dataType(), tensor.dataType());
      assertTrue(Shapes.matches(spec.shape(), tensor.shape()), input.getKey());
      assertEquals(valid.batchSize(), tensor.dim(0));
      assertTrue(tensor.elementCount() <= MAX_ELEMENTS);
      if (tensor.dataType() == dev.gantry.spi.DataType.BYTES) {
        assertEquals(tensor.elementCount(), BytesElements.count(tensor.data()));
      } else {
        assertEquals(tensor.elementCount() * tensor.dataType().elementSize(), tensor.byteSize());
      }
    }
  }
}
