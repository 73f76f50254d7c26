package dev.gantry.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends scheduled requests in sync mode (open loop): a pool of {@code --max-threads} threads, each
 * making one blocking call at a time, takes the requests as they fall due. When every thread is busy
 * requests wait, and leave late; their latency still counts from when they were due.
 */
final class PooledSender implements Sender {
  private static final long POLL_MILLIS = 10;
  private static final int BACKLOG = 1 << 16;

  private final RequestIssuer issuer;
  private final WindowRecorder recorder;
  private final RunLimits limits;
  private final BlockingQueue<Due> due = new ArrayBlockingQueue<>(BACKLOG);
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  PooledSender(RequestIssuer issuer, int threadCount, WindowRecorder recorder, RunLimits limits) {
    this.issuer = issuer;
    this.recorder = recorder;
    this.limits = limits;
    for (int i = 0; i < threadCount; i++) {
      Thread thread = new Thread(this::work, "bench-pool-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  @Override
  public boolean send(long sequence, long dueNanos) {
    try {
      while (!due.offer(new Due(sequence, dueNanos), POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        if (!running || limits.expired()) {
          return false;
        }
      }
      return running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void work() {
    while (running && !limits.expired()) {
      Due request;
      try {
        request = due.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (request == null) {
        continue;
      }
      long now = System.nanoTime();
      recorder.issued(Sender.late(request.nanos(), now));
      long dueAt = request.nanos() == NOW ? now : request.nanos();
      try {
        Outcomes.track(issuer.issue(request.sequence()), dueAt, recorder)
            .get(limits.remainingNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        return;
      }
    }
  }

  /** A request waiting for a thread: its number and when it was due. */
  private record Due(long sequence, long nanos) {}

  @Override
  public void stop(Duration drain) {
    running = false;
    due.clear();
    Joins.joinAll(threads, drain);
  }
}
