package dev.gantry.server.memory;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives memory back to the operating system once a burst of work is over, so that the process's
 * resident set after a flood returns near where it was before it. Without this, three things keep
 * what a flood made the process take, for ever: G1 keeps its grown heap committed while nothing
 * triggers a collection (an idle server allocates nothing); glibc keeps freed native memory (of
 * ONNX Runtime, TensorFlow and Netty's unpooled buffers) in its arenas, one arena per core and
 * then some; and it makes many such arenas, one per thread that contends for one.
 *
 * <p>At start it therefore caps glibc's malloc arenas (unless {@code MALLOC_ARENA_MAX} is set in
 * the environment), turns on G1's periodic collection of an idle heap (unless the command line set
 * {@code -XX:G1PeriodicGCInterval}), which uncommits the free heap, and then asks glibc every
 * interval to return its free pages ({@code malloc_trim}). Each step is skipped, with a log line,
 * where it does not apply (another C library, another collector).
 */
public final class MemoryReturn implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MemoryReturn.class);
  /** glibc's mallopt parameter number for the arena cap (M_ARENA_MAX). */
  private static final int M_ARENA_MAX = -8;
  static final int DEFAULT_ARENA_MAX = 2;

  private interface GlibcMalloc extends Library {
    int mallopt(int parameter, int value);

    int malloc_trim(long pad);
  }

  private final ScheduledExecutorService timer;

  private MemoryReturn(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /**
   * Applies the settings and trims every {@code interval} on a thread of its own until closed; a
   * zero interval turns all of it off.
   */
  public static MemoryReturn start(Duration interval, Map<String, String> environment) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "gantry-memory-return");
      thread.setDaemon(true);
      return thread;
    });
    if (interval.isZero()) {
      log.info("memory return is off (--memory-return-secs 0)");
      return new MemoryReturn(timer);
    }
    periodicCollection(interval);
    GlibcMalloc malloc = glibc();
    if (malloc != null) {
      try {
        if (!environment.containsKey("MALLOC_ARENA_MAX")) {
          malloc.mallopt(M_ARENA_MAX, DEFAULT_ARENA_MAX);
        }
        timer.scheduleWithFixedDelay(() -> malloc.malloc_trim(0), interval.toMillis(),
            interval.toMillis(), TimeUnit.MILLISECONDS);
      } catch (UnsatisfiedLinkError e) {
        log.info("not returning native memory: the C library has no mallopt/malloc_trim ({})",
            e.getMessage());
      }
    }
    return new MemoryReturn(timer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  private static GlibcMalloc glibc() {
    try {
      return Native.load("c", GlibcMalloc.class);
    } catch (UnsatisfiedLinkError e) {
      log.info("not returning native memory: the C library has no mallopt/malloc_trim ({})",
          e.getMessage());
      return null;
    }
  }

  private static void periodicCollection(Duration interval) {
    try {
      HotSpotDiagnosticMXBean hotspot =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      VMOption option = hotspot.getVMOption("G1PeriodicGCInterval");
      if (option.getOrigin() == VMOption.Origin.DEFAULT && isG1()) {
        hotspot.setVMOption("G1PeriodicGCInterval", Long.toString(interval.toMillis()));
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.info("not collecting an idle heap periodically: {}", e.getMessage());
    }
  }

  private static boolean isG1() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .anyMatch(collector -> collector.getName().startsWith("G1"));
  }
}
