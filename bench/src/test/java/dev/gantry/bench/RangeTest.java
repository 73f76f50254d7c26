package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Load-level ranges as perf_analyzer writes them. */
class RangeTest {
  @Test
  void readsStartEndAndStep() {
    assertEquals(List.of(1.0, 3.0, 5.0, 7.0), Range.parse("1:8:2").values());
    assertEquals(List.of(4.0), Range.parse("4").values());
    assertEquals(List.of(2.0, 3.0, 4.0), Range.parse("2:4").values());
    assertEquals(List.of(0.5, 1.0, 1.5), Range.parse("0.5:1.5:0.5").values());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "3:1", "1:4:0", "a", "1:2:3:4", "1:100000"})
  void refusesWhatIsNotARange(String text) {
    assertThrows(IllegalArgumentException.class, () -> Range.parse(text));
  }
}
