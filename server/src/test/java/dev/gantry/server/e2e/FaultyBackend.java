package dev.gantry.server.e2e;

import dev.gantry.spi.Backend;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test-only backend for fault injection, registered through the test class path's {@code
 * META-INF/services}: it exists so that tests can make a backend throw, return malformed results,
 * hang, or fail to load on demand, which no real runtime does reliably. It never stands in for a
 * real backend in an inference test; models use it only by naming its platform, {@value
 * #PLATFORM}.
 *
 * <p>Its models take {@code x} FP32 {@code [-1,4]} and return {@code y = x}. The first value of
 * the batch picks the fault for the whole execution, so one poisoned request poisons exactly its
 * batch: {@link #THROW_INFERENCE}, {@link #THROW_BUG}, {@link #THROW_ERROR}, {@link #WRONG_SHAPE},
 * {@link #WRONG_DATATYPE}, {@link #WRONG_ROWS}, {@link #NO_OUTPUT} and {@link #HANG}. The model
 * parameter {@code fail_load: "true"} makes loading fail with a reason that names files, and
 * {@code delay_ms} makes every execution take that long without using a CPU, which gives a model
 * a capacity that does not depend on how busy the machine is.
 */
public final class FaultyBackend implements Backend {
  public static final String PLATFORM = "gantry_faulty_test";

  public static final float THROW_INFERENCE = -1;
  public static final float THROW_BUG = -2;
  public static final float THROW_ERROR = -3;
  public static final float WRONG_SHAPE = -4;
  public static final float WRONG_DATATYPE = -5;
  public static final float WRONG_ROWS = -6;
  public static final float NO_OUTPUT = -7;
  public static final float HANG = -8;

  /** A path outside any repository that the injected failures mention. */
  public static final String SECRET_PATH = "/opt/gantry-secret/lib/libweights.so";

  private static volatile CountDownLatch hung = new CountDownLatch(0);
  private static volatile CountDownLatch release = new CountDownLatch(1);

  /** Arms {@link #HANG}: executions hang until {@link #release()}; returns a latch per hang. */
  static CountDownLatch armHang(int hangs) {
    release = new CountDownLatch(1);
    hung = new CountDownLatch(hangs);
    return hung;
  }

  /** Lets every hanging execution return. */
  static void release() {
    release.countDown();
  }

  @Override
  public String name() {
    return PLATFORM;
  }

  @Override
  public String platform() {
    return PLATFORM;
  }

  @Override
  public boolean recognizes(Path versionDirectory) {
    return false;
  }

  @Override
  public ModelInstance load(InstanceSpec spec) throws ModelLoadException {
    if ("true".equals(spec.parameters().get("fail_load"))) {
      throw new ModelLoadException("cannot open "
          + spec.versionDirectory().toAbsolutePath().resolve("weights.bin") + " nor "
          + SECRET_PATH + "\n\tat dev.gantry.Fake.load(Fake.java:1)");
    }
    String delay = spec.parameters().getOrDefault("delay_ms", "0");
    return new Instance(Long.parseLong(delay));
  }

  private static final class Instance implements ModelInstance {
    private final long delayMillis;

    Instance(long delayMillis) {
      this.delayMillis = delayMillis;
    }

    @Override
    public ModelSignature signature() {
      return new ModelSignature(
          List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 4})),
          List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 4})));
    }

    @Override
    public String device() {
      return "CPU";
    }

    @Override
    public Map<String, Tensor> execute(
        Map<String, Tensor> inputs, Set<String> outputs, ComputePhases phases)
        throws InferenceException {
      phases.inputsReady();
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InferenceException("interrupted");
        }
      }
      Tensor x = inputs.get("x");
      float mode = x.data().getFloat(0);
      long rows = x.dim(0);
      if (mode == THROW_INFERENCE) {
        throw new InferenceException("injected runtime failure");
      } else if (mode == THROW_BUG) {
        throw new IllegalStateException("injected bug reading " + SECRET_PATH);
      } else if (mode == THROW_ERROR) {
        throw new StackOverflowError("injected error");
      } else if (mode == WRONG_SHAPE) {
        return Map.of("y", floats(rows, 3));
      } else if (mode == WRONG_DATATYPE) {
        return Map.of("y", new Tensor(DataType.FP64, new long[] {rows, 4},
            ByteBuffer.allocate((int) rows * 32)));
      } else if (mode == WRONG_ROWS) {
        return Map.of("y", floats(rows + 1, 4));
      } else if (mode == NO_OUTPUT) {
        return Map.of();
      } else if (mode == HANG) {
        hang();
      }
      ByteBuffer copy = ByteBuffer.allocate(x.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
      copy.put(x.data());
      phases.inferenceDone();
      return Map.of("y", new Tensor(DataType.FP32, x.shape(), copy.flip()));
    }

    private static void hang() throws InferenceException {
      CountDownLatch until = release;
      hung.countDown();
      try {
        if (!until.await(30, TimeUnit.SECONDS)) {
          throw new InferenceException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InferenceException("interrupted");
      }
    }

    private static Tensor floats(long rows, long width) {
      return new Tensor(DataType.FP32, new long[] {rows, width},
          ByteBuffer.allocate((int) (rows * width * 4)));
    }

    @Override
    public void close() {}
  }
}
