package dev.gantry.bench;

import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs the benchmark's requests straight on model instances through the backend SPI, on the
 * calling thread ({@code --in-process}). Each instance runs one execution at a time, as the server
 * runs it; a request waits for a free instance, and that wait is reported as queue time.
 */
final class InProcessIssuer implements RequestIssuer {
  private final List<ModelInstance> instances;
  private final List<ReentrantLock> locks = new ArrayList<>();
  private final List<Map<String, Tensor>> requests = new ArrayList<>();
  private final Set<String> outputs;
  private final long batchSize;
  private final PhaseTotals totals;

  InProcessIssuer(LocalModel model, List<RequestData> data, PhaseTotals totals) {
    this.instances = model.instances();
    instances.forEach(instance -> locks.add(new ReentrantLock()));
    for (RequestData entry : data) {
      Map<String, Tensor> inputs = new LinkedHashMap<>();
      for (TensorData input : entry.inputs()) {
        inputs.put(input.name(), new Tensor(
            DataType.valueOf(input.datatype().name()), input.shape(), input.data()));
      }
      requests.add(inputs);
    }
    this.outputs = new LinkedHashSet<>(model.info().outputs());
    this.batchSize = model.info().batches() ? data.get(0).inputs().get(0).shape()[0] : 1;
    this.totals = totals;
  }

  @Override
  public CompletableFuture<ClientTime> issue(long sequence) {
    Map<String, Tensor> inputs = requests.get((int) Math.floorMod(sequence, (long) requests.size()));
    long arrived = System.nanoTime();
    int chosen = acquire((int) Math.floorMod(sequence, (long) instances.size()));
    try {
      PhaseClock clock = new PhaseClock();
      instances.get(chosen).execute(inputs, outputs, clock);
      long done = System.nanoTime();
      totals.record(clock.start - arrived, clock.inputsReady - clock.start,
          clock.inferenceDone - clock.inputsReady, done - clock.inferenceDone, batchSize);
      return CompletableFuture.completedFuture(ClientTime.NONE);
    } catch (InferenceException | RuntimeException e) {
      return RequestIssuer.failed(e);
    } finally {
      locks.get(chosen).unlock();
    }
  }

  /** Locks a free instance if there is one, else waits for the preferred one; returns its index. */
  private int acquire(int preferred) {
    for (int i = 0; i < instances.size(); i++) {
      int candidate = (preferred + i) % instances.size();
      if (locks.get(candidate).tryLock()) {
        return candidate;
      }
    }
    locks.get(preferred).lock();
    return preferred;
  }

  /** Timestamps the phases of one execution as the backend marks them. */
  private static final class PhaseClock implements ComputePhases {
    final long start = System.nanoTime();
    long inputsReady = start;
    long inferenceDone = start;

    @Override
    public void inputsReady() {
      inputsReady = System.nanoTime();
      inferenceDone = inputsReady;
    }

    @Override
    public void inferenceDone() {
      inferenceDone = System.nanoTime();
    }
  }
}
