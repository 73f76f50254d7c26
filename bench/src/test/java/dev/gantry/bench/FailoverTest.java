package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real Gantry servers, each its own process on a loopback port serving an ONNX model, and
 * one client balancing over them: one server drains on SIGTERM and another is killed during the
 * load, and no request fails, because the client retries what the lost servers could not answer.
 */
class FailoverTest {
  @Test
  void noRequestFailsWhenOneReplicaDrainsAndAnotherIsKilled(@TempDir Path work)
      throws Exception {
    FailoverScenario.Result result = FailoverScenario.run(new FailoverScenario.Settings(
        System.getProperty("java.class.path"), work, 3, 4, Duration.ofSeconds(2),
        Duration.ofSeconds(3), Duration.ofSeconds(20), Duration.ofSeconds(5)));

    assertEquals(0, result.failed(), "failed requests by status: " + result.failures());
    for (long served : result.servedBeforeFailures()) {
      assertTrue(served > 0, "round robin reached every replica: " + result.servedBeforeFailures());
    }
    for (FailoverScenario.Phase phase : result.phases()) {
      assertTrue(phase.ok() > 0, "requests succeeded in phase " + phase);
    }
    assertEquals(0, result.terminatedExitCode(), "SIGTERM drains and exits 0");
    assertEquals(137, result.killedExitCode(), "SIGKILL");
  }
}
