package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.metrics.ServerMetrics;
import dev.gantry.server.scheduler.BatchingPolicy;
import dev.gantry.server.scheduler.ExecutionListener;
import dev.gantry.server.scheduler.InferenceRequest;
import dev.gantry.server.scheduler.ModelScheduler;
import dev.gantry.server.scheduler.ResponseListener;
import dev.gantry.server.scheduler.Ticker;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A loader for {@link ModelRepository} tests: each version it loads is one instance behind a real
 * scheduler, answering "y" = the version number; loads of chosen versions fail, and executions can
 * be held at a gate.
 */
final class FakeVersionLoader implements VersionLoader {
  private final ScheduledExecutorService timer;
  private final ServerMetrics metrics;
  final Set<Long> failing = ConcurrentHashMap.newKeySet();
  final List<Instance> created = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch gate = new CountDownLatch(0);
  volatile long loadMillis;

  FakeVersionLoader(ScheduledExecutorService timer, ServerMetrics metrics) {
    this.timer = timer;
    this.metrics = metrics;
  }

  /** Makes executions wait until {@link #open()}. */
  void hold() {
    gate = new CountDownLatch(1);
  }

  void open() {
    gate.countDown();
  }

  /** The instances created and not closed yet. */
  long openInstances() {
    return created.stream().filter(instance -> !instance.closed).count();
  }

  @Override
  public LoadedVersion load(String name, long version, Path modelDirectory, ModelConfig declared)
      throws ModelLoadException {
    if (loadMillis > 0) {
      try {
        Thread.sleep(loadMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failing.contains(version)) {
      throw new ModelLoadException("version " + version + " is made to fail, see "
          + modelDirectory.resolve(Long.toString(version)).resolve("model.fake"));
    }
    Instance instance = new Instance(version);
    created.add(instance);
    String label = LoadedVersion.label(name, version);
    ModelScheduler scheduler = new ModelScheduler(label, "fake-" + name + "-v" + version,
        BatchingPolicy.unbatched(16), List.of(instance), timer, Ticker.SYSTEM,
        ExecutionListener.NONE, Duration.ZERO);
    return new LoadedVersion(name, version, declared, instance.signature(), List.of("CPU"),
        scheduler, metrics.forVersion(name, version), ClassLabels.NONE);
  }

  /** Runs one request on a loaded version; completes with the version that answered it. */
  static CompletableFuture<Float> infer(LoadedVersion loaded) {
    CompletableFuture<Float> answer = new CompletableFuture<>();
    Tensor x = new Tensor(DataType.FP32, new long[] {1, 1},
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 0f));
    loaded.scheduler().submit(new InferenceRequest("r", Map.of("x", x), Set.of("y"), 1, 1,
        InferenceRequest.NO_DEADLINE, 0, new ResponseListener() {
          @Override
          public void onResponse(Map<String, Tensor> outputs) {
            answer.complete(outputs.get("y").data().getFloat(0));
          }

          @Override
          public void onError(GantryException error) {
            answer.completeExceptionally(error);
          }
        }));
    return answer;
  }

  /** One instance of a fake version. */
  final class Instance implements ModelInstance {
    final long version;
    final CountDownLatch started = new CountDownLatch(1);
    volatile boolean closed;

    Instance(long version) {
      this.version = version;
    }

    @Override
    public ModelSignature signature() {
      return new ModelSignature(
          List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 1})),
          List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 1})));
    }

    @Override
    public String device() {
      return "CPU";
    }

    @Override
    public Map<String, Tensor> execute(
        Map<String, Tensor> inputs, Set<String> outputs, ComputePhases phases)
        throws InferenceException {
      started.countDown();
      try {
        if (!gate.await(10, TimeUnit.SECONDS)) {
          throw new InferenceException("gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InferenceException("interrupted");
      }
      ByteBuffer y = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, version);
      return Map.of("y", new Tensor(DataType.FP32, new long[] {1, 1}, y));
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
