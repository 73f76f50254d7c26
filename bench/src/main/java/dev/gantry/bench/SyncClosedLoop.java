package dev.gantry.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The closed loop of sync mode: N threads, each sending a request and waiting for its answer before
 * sending the next, so that exactly N requests are outstanding, as N blocking application threads
 * would keep them.
 */
final class SyncClosedLoop implements LoadDriver {
  private final RequestIssuer issuer;
  private final int concurrency;
  private final WindowRecorder recorder;
  private final RunLimits limits;
  private final AtomicLong sequence = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  SyncClosedLoop(RequestIssuer issuer, int concurrency, WindowRecorder recorder, RunLimits limits) {
    this.issuer = issuer;
    this.concurrency = concurrency;
    this.recorder = recorder;
    this.limits = limits;
  }

  @Override
  public void start() {
    running = true;
    for (int i = 0; i < concurrency; i++) {
      Thread thread = new Thread(this::work, "bench-sync-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  private void work() {
    long next = sequence.getAndIncrement();
    while (running && limits.allows(next)) {
      long due = System.nanoTime();
      recorder.issued(false);
      CompletableFuture<Void> done = Outcomes.track(issuer.issue(next), due, recorder);
      try {
        done.get(limits.remainingNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        return;
      }
      next = sequence.getAndIncrement();
    }
  }

  @Override
  public void stop(Duration drain) {
    running = false;
    Joins.joinAll(threads, drain);
  }
}
