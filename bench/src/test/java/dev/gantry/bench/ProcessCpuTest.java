package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** CPU time of a process from {@code /proc/<pid>/stat}. */
class ProcessCpuTest {
  @Test
  void addsUserAndSystemTicksAfterTheCommandName() {
    String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 30";
    assertEquals(OptionalLong.of(300 * 10_000_000L), ProcessCpu.parse(stat));
  }

  @Test
  void readsThisProcessAndSeesItWork() {
    ProcessCpu self = new ProcessCpu(ProcessHandle.current().pid());
    long before = self.read().orElseThrow();
    long end = System.nanoTime() + 200_000_000;
    double sink = 0;
    while (System.nanoTime() < end) {
      sink += Math.sqrt(sink + 1);
    }
    assertTrue(sink > 0);
    assertTrue(self.read().orElseThrow() > before);
  }

  @Test
  void anUnknownProcessHasNoCpuTime() {
    assertTrue(new ProcessCpu(Long.MAX_VALUE).read().isEmpty());
    assertTrue(ProcessCpu.parse("garbage").isEmpty());
  }
}
