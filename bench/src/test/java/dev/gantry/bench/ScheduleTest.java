package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Due times of open-loop requests. */
class ScheduleTest {
  @Test
  void constantSpacesRequestsEvenly() {
    Schedule schedule = Schedule.constant(250);
    assertEquals(4_000_000, schedule.nextGapNanos());
    assertEquals(4_000_000, schedule.nextGapNanos());
  }

  @Test
  void poissonGapsVaryAroundTheSameMean() {
    Schedule schedule = Schedule.poisson(1000, 3);
    int count = 50_000;
    double sum = 0;
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < count; i++) {
      long gap = schedule.nextGapNanos();
      sum += gap;
      min = Math.min(min, gap);
      max = Math.max(max, gap);
    }
    double mean = sum / count;
    assertTrue(Math.abs(mean - 1_000_000) < 20_000, "mean gap " + mean);
    assertTrue(min < 50_000 && max > 5_000_000, "exponential spread " + min + ".." + max);
  }
}
