package dev.gantry.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.server.error.CancelledException;
import dev.gantry.server.error.DeadlineExceededException;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnavailableException;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MetricNamesTest {
  @Test
  void everyFamilyIsExportedUnderGantrysNames() {
    Set<Family> exported = EnumSet.noneOf(Family.class);
    MetricNames.GANTRY.exports().forEach(export -> exported.add(export.family()));
    assertEquals(EnumSet.allOf(Family.class), exported);
  }

  @Test
  void everyFamilyIsExportedUnderTritonsNamesTooOrUnderGantrysWhereTritonHasNone() {
    Set<Family> exported = EnumSet.noneOf(Family.class);
    MetricNames.TRITON.exports().forEach(export -> exported.add(export.family()));
    assertEquals(EnumSet.allOf(Family.class), exported);
    assertTrue(MetricNames.TRITON.exports().stream()
        .noneMatch(e -> e.name().equals("gantry_request_duration_seconds")));
  }

  @Test
  void tritonsFailureReasonsAddUpGantrysSix() {
    ServerMetrics server = new ServerMetrics(MetricNames.TRITON);
    ModelMetrics metrics = server.forVersion("m", 3);
    metrics.failed(new ResourceExhaustedException("queue full"), 10);
    metrics.failed(new DeadlineExceededException("late"), 10);
    metrics.failed(new CancelledException("gone"), 10);
    metrics.failed(new InternalException("backend"), 10);
    metrics.failed(new InvalidArgumentException("bad"), 10);
    metrics.failed(new UnavailableException("unloading"), 10);
    metrics.failed(new UnavailableException("unloading"), 10);
    MetricSnapshot failures = server.prometheus().scrape().stream()
        .filter(s -> s.getMetadata().getName().equals("nv_inference_request_failure"))
        .findFirst().orElseThrow();
    Map<String, Double> byReason = failures.getDataPoints().stream().collect(Collectors.toMap(
        (DataPointSnapshot p) -> p.getLabels().get("reason"),
        p -> ((UnknownDataPointSnapshot) p).getValue()));
    assertEquals(Map.of("REJECTED", 2.0, "CANCELED", 1.0, "BACKEND", 1.0, "OTHER", 3.0), byReason);
    assertEquals(Labels.of("model", "m", "reason", "OTHER", "version", "3"),
        failures.getDataPoints().stream()
            .filter(p -> p.getLabels().get("reason").equals("OTHER")).findFirst().orElseThrow()
            .getLabels());
  }

  @Test
  void tritonsPendingCountAddsUpThePriorityLevels() {
    ServerMetrics server = new ServerMetrics(MetricNames.TRITON);
    server.forVersion("m", 1).watchQueue(3, () -> 9, level -> level);
    MetricSnapshot pending = server.prometheus().scrape().stream()
        .filter(s -> s.getMetadata().getName().equals("nv_inference_pending_request_count"))
        .findFirst().orElseThrow();
    assertEquals(1, pending.getDataPoints().size());
    assertEquals(Labels.of("model", "m", "version", "1"),
        pending.getDataPoints().get(0).getLabels());
    assertEquals(6.0, ((GaugeDataPointSnapshot) pending.getDataPoints().get(0)).getValue());
  }
}
