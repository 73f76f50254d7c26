package dev.gantry.server.scheduler;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the threads that call into a backend's native code: named daemon threads with a stack far
 * larger than the JVM's default 1 MiB, which creating an ONNX Runtime environment overflowed here.
 */
public final class NativeThreads {
  /** The stack size of every thread made here. */
  static final long STACK_BYTES = 16L * 1024 * 1024;

  private NativeThreads() {}

  /** An unstarted daemon thread running {@code body}. */
  static Thread newThread(Runnable body, String name) {
    Thread thread = new Thread(null, body, name, STACK_BYTES);
    thread.setDaemon(true);
    return thread;
  }

  /** A factory of such threads, named {@code prefix-1}, {@code prefix-2}, ... */
  public static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return body -> newThread(body, prefix + "-" + count.incrementAndGet());
  }
}
