package dev.gantry.server.scheduler;

import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scheduler-test stand-in for a backend: y = 2x on FP32 "x", recording every batch it runs;
 * executions can be held at a gate, or made to fail.
 */
final class FakeInstance implements ModelInstance {
  final List<Long> batchRows = new CopyOnWriteArrayList<>();
  final List<Float> firstValues = new CopyOnWriteArrayList<>();
  /** The thread each execution ran on, in order. */
  final List<String> threads = new CopyOnWriteArrayList<>();
  /** The most executions that ever ran at once. */
  final AtomicInteger mostAtOnce = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  final CountDownLatch started = new CountDownLatch(1);
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile float onlyValue = Float.NaN;
  volatile boolean fail;
  volatile boolean closed;

  /** Makes executions wait until {@link #open()}. */
  void hold() {
    gate = new CountDownLatch(1);
  }

  /** Makes only executions whose first input value is {@code value} wait until {@link #open()}. */
  void holdOnly(float value) {
    onlyValue = value;
    hold();
  }

  void open() {
    gate.countDown();
  }

  @Override
  public ModelSignature signature() {
    return new ModelSignature(
        List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, -1})),
        List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, -1})));
  }

  @Override
  public String device() {
    return "CPU";
  }

  @Override
  public Map<String, Tensor> execute(
      Map<String, Tensor> inputs, Set<String> outputs, ComputePhases phases)
      throws InferenceException {
    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
    try {
      return compute(inputs, phases);
    } finally {
      running.decrementAndGet();
    }
  }

  private Map<String, Tensor> compute(Map<String, Tensor> inputs, ComputePhases phases)
      throws InferenceException {
    Tensor x = inputs.get("x");
    threads.add(Thread.currentThread().getName());
    batchRows.add(x.dim(0));
    firstValues.add(x.data().getFloat(0));
    started.countDown();
    try {
      boolean held = Float.isNaN(onlyValue) || x.data().getFloat(0) == onlyValue;
      if (held && !gate.await(10, TimeUnit.SECONDS)) {
        throw new InferenceException("gate never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InferenceException("interrupted");
    }
    if (fail) {
      throw new InferenceException("fake failure");
    }
    phases.inputsReady();
    ByteBuffer in = x.data();
    ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    while (in.hasRemaining()) {
      out.putFloat(in.getFloat() * 2);
    }
    phases.inferenceDone();
    return Map.of("y", new Tensor(DataType.FP32, x.shape(), out.flip()));
  }

  @Override
  public void close() {
    closed = true;
  }
}
