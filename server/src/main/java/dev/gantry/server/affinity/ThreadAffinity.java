package dev.gantry.server.affinity;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the calling thread to a set of CPU cores ({@code sched_setaffinity} on Linux), so that a
 * model instance computes on cores of its own while the transport runs elsewhere. Threads a bound
 * thread starts, native ones included, inherit its cores.
 */
public final class ThreadAffinity {
  private static final Logger log = LoggerFactory.getLogger(ThreadAffinity.class);
  private static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");
  private static final long MASK_BYTES = CpuSet.MAX_CPUS / Byte.SIZE;

  /** A call made while the thread is bound. */
  @FunctionalInterface
  public interface BoundCall<T, E extends Exception> {
    T call() throws E;
  }

  /** The C library's affinity calls; {@code pid} 0 is the calling thread. */
  private interface LinuxScheduler extends Library {
    int sched_setaffinity(int pid, long size, long[] mask) throws LastErrorException;

    int sched_getaffinity(int pid, long size, long[] mask) throws LastErrorException;
  }

  /** Loaded on first use, so that a server without host policies never touches native code. */
  private static final class Libc {
    static final LinuxScheduler C = Native.load("c", LinuxScheduler.class);
  }

  private ThreadAffinity() {}

  /** The cores the calling thread may run on. */
  public static CpuSet current() throws AffinityException {
    long[] mask = new long[CpuSet.MAX_CPUS / Long.SIZE];
    try {
      libc().sched_getaffinity(0, MASK_BYTES, mask);
    } catch (LastErrorException e) {
      throw new AffinityException("cannot read this thread's cores: " + e.getMessage());
    }
    return CpuSet.fromWords(mask);
  }

  /**
   * Binds the calling thread to exactly {@code cores}; when it cannot, the thread keeps the cores
   * it had.
   *
   * @throws AffinityException if the system refuses, or would leave out some of the cores (an
   *     offline core, or one the process's cgroup does not grant)
   */
  public static void bind(CpuSet cores) throws AffinityException {
    CpuSet before = current();
    try {
      libc().sched_setaffinity(0, MASK_BYTES, cores.words());
    } catch (LastErrorException e) {
      throw new AffinityException("cannot bind a thread to cores " + cores + ": "
          + e.getMessage() + " (cores this machine has online: " + onlineOrUnknown() + ")");
    }
    CpuSet granted = current();
    if (!granted.equals(cores)) {
      String reason = "cores " + cores.minus(granted) + " of " + cores
          + " are not available to this process (the system granted only " + granted + ")";
      try {
        libc().sched_setaffinity(0, MASK_BYTES, before.words());
      } catch (LastErrorException e) {
        reason += "; the thread stays on " + granted + ": " + e.getMessage();
      }
      throw new AffinityException(reason);
    }
  }

  /**
   * Runs {@code call} with the calling thread bound to {@code cores}, then puts the thread's
   * cores back as they were. Threads that {@code call} starts, native ones included, keep {@code
   * cores}. Should the cores not go back (the system changed meanwhile), the thread stays on
   * {@code cores} and a warning says so; the call's result stands.
   *
   * @throws AffinityException if the thread cannot be bound; {@code call} did not run
   */
  public static <T, E extends Exception> T callBound(CpuSet cores, BoundCall<T, E> call)
      throws E, AffinityException {
    CpuSet before = current();
    bind(cores);
    try {
      return call.call();
    } finally {
      try {
        bind(before);
      } catch (AffinityException e) {
        log.warn("{} stays on cores {}: {}", Thread.currentThread().getName(), cores,
            e.getMessage());
      }
    }
  }

  /** The cores the machine has online, from {@code /sys/devices/system/cpu/online}. */
  public static CpuSet online() throws AffinityException {
    requireLinux();
    try {
      return CpuSet.parse(Files.readString(ONLINE));
    } catch (IOException | IllegalArgumentException e) {
      throw new AffinityException("cannot read the online cores from " + ONLINE + ": "
          + e.getMessage());
    }
  }

  private static String onlineOrUnknown() {
    try {
      return online().toString();
    } catch (AffinityException e) {
      return "unknown";
    }
  }

  /** The C library's affinity calls, or why this JVM cannot make them. */
  private static LinuxScheduler libc() throws AffinityException {
    requireLinux();
    try {
      return Libc.C;
    } catch (LinkageError e) {
      throw new AffinityException("cannot reach the C library's affinity calls through JNA: " + e);
    }
  }

  private static void requireLinux() throws AffinityException {
    String os = System.getProperty("os.name");
    if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
      throw new AffinityException("binding threads to cores needs Linux; this is " + os);
    }
  }
}
