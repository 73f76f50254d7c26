package dev.gantry.server.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Binding real threads on this Linux machine, read back from the kernel and from /proc. */
class ThreadAffinityTest {
  /** The cores of the calling thread as /proc shows them, independently of sched_getaffinity. */
  private static String procCores() throws Exception {
    return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
        .filter(line -> line.startsWith("Cpus_allowed_list:"))
        .map(line -> line.substring(line.indexOf(':') + 1).strip())
        .findFirst()
        .orElseThrow();
  }

  /** One core this process may run on: the last one, so that it differs from "all" when it can. */
  private static CpuSet oneAllowedCore() throws AffinityException {
    String all = ThreadAffinity.current().toString();
    String last = all.substring(all.lastIndexOf(',') + 1);
    return CpuSet.parse(last.substring(last.lastIndexOf('-') + 1));
  }

  @Test
  void bindsTheCallingThreadAndPutsItsCoresBack() throws Exception {
    CpuSet before = ThreadAffinity.current();
    assertEquals(before.toString(), procCores());
    CpuSet core = oneAllowedCore();
    AtomicReference<String> inherited = new AtomicReference<>();
    String during = ThreadAffinity.callBound(core, () -> {
      Thread started = new Thread(() -> {
        try {
          inherited.set(procCores());
        } catch (Exception e) {
          inherited.set(e.toString());
        }
      }, "affinity-test-child");
      started.start();
      started.join();
      return procCores();
    });
    assertEquals(core.toString(), during);
    assertEquals(core.toString(), inherited.get(), "a thread started while bound keeps the cores");
    assertEquals(before, ThreadAffinity.current());
    assertEquals(before.toString(), procCores());
  }

  @Test
  void refusesCoresTheMachineDoesNotHave() throws Exception {
    CpuSet before = ThreadAffinity.current();
    CpuSet absent = CpuSet.parse("1023");
    AffinityException e =
        assertThrows(AffinityException.class, () -> ThreadAffinity.bind(absent));
    assertTrue(e.getMessage().startsWith(
        "cannot bind a thread to cores 1023: [22] Invalid argument"), e.getMessage());
    assertTrue(e.getMessage().contains("cores this machine has online: "
        + ThreadAffinity.online()), e.getMessage());
    assertEquals(before, ThreadAffinity.current());
  }

  @Test
  void refusesASetThatTheSystemWouldNarrow() throws Exception {
    CpuSet before = ThreadAffinity.current();
    CpuSet core = oneAllowedCore();
    CpuSet wider = CpuSet.parse(core + ",1023");
    try {
      AffinityException e =
          assertThrows(AffinityException.class, () -> ThreadAffinity.bind(wider));
      assertEquals("cores 1023 of " + wider + " are not available to this process (the system"
          + " granted only " + core + ")", e.getMessage());
      assertEquals(before, ThreadAffinity.current(),
          "a refused binding leaves the thread as it was");
    } finally {
      ThreadAffinity.bind(before);
    }
  }

  @Test
  void readsTheOnlineCores() throws Exception {
    CpuSet online = ThreadAffinity.online();
    assertTrue(ThreadAffinity.current().minus(online).isEmpty(),
        "the cores this thread may use are online");
  }
}
