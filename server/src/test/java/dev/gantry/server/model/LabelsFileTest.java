package dev.gantry.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a model's labels file against the versions that are ready. */
class LabelsFileTest {
  @TempDir Path model;

  private Map<String, Long> read(String file, Map<String, Long> current, Set<Long> ready)
      throws Exception {
    Files.writeString(model.resolve(LabelsFile.NAME), file);
    return LabelsFile.read("m", model, current, ready::contains);
  }

  @Test
  void aLabelNamesTheVersionTheFileSaysWhenItIsReady() throws Exception {
    assertEquals(Map.of("stable", 1L, "canary", 2L),
        read("stable=1\ncanary = 2\n", Map.of(), Set.of(1L, 2L)));
  }

  @Test
  void aLabelStaysWhereItWasWhileItsNewVersionIsNotReady() throws Exception {
    assertEquals(Map.of("stable", 1L), read("stable=2\n", Map.of("stable", 1L), Set.of(1L)));
    assertEquals(Map.of(), read("stable=2\n", Map.of(), Set.of(1L)));
  }

  @Test
  void badLinesAreSkippedAndNoFileMeansNoLabels() throws Exception {
    assertEquals(Map.of("ok", 1L), read("ok=1\n9lives=1\nword=one\n", Map.of(), Set.of(1L)));
    Files.delete(model.resolve(LabelsFile.NAME));
    assertEquals(Map.of(), LabelsFile.read("m", model, Map.of("ok", 1L), version -> true));
  }
}
