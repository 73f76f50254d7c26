package dev.gantry.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.proto.ModelVersionPolicy;
import dev.gantry.spi.ModelLoadException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which versions on disk each of Triton's version policies selects. */
class VersionPolicyTest {
  private static final List<Long> ON_DISK = List.of(1L, 2L, 3L, 7L);

  @Test
  void defaultIsTheLatestVersion() throws Exception {
    assertEquals(List.of(7L),
        RepositoryScanner.selectVersions(ModelVersionPolicy.getDefaultInstance(), ON_DISK));
  }

  @Test
  void latestTakesTheHighestN() throws Exception {
    ModelVersionPolicy policy = ModelVersionPolicy.newBuilder()
        .setLatest(ModelVersionPolicy.Latest.newBuilder().setNumVersions(2)).build();
    assertEquals(List.of(3L, 7L), RepositoryScanner.selectVersions(policy, ON_DISK));
  }

  @Test
  void allTakesEveryVersion() throws Exception {
    ModelVersionPolicy policy = ModelVersionPolicy.newBuilder()
        .setAll(ModelVersionPolicy.All.getDefaultInstance()).build();
    assertEquals(ON_DISK, RepositoryScanner.selectVersions(policy, ON_DISK));
  }

  @Test
  void specificTakesTheListedVersions() throws Exception {
    ModelVersionPolicy policy = ModelVersionPolicy.newBuilder()
        .setSpecific(ModelVersionPolicy.Specific.newBuilder().addVersions(3).addVersions(1))
        .build();
    assertEquals(List.of(1L, 3L), RepositoryScanner.selectVersions(policy, ON_DISK));
  }

  @Test
  void specificVersionWithoutADirectoryIsAnError() {
    ModelVersionPolicy policy = ModelVersionPolicy.newBuilder()
        .setSpecific(ModelVersionPolicy.Specific.newBuilder().addVersions(4)).build();
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> RepositoryScanner.selectVersions(policy, ON_DISK));
    assertTrue(e.getMessage().contains("[4]"), e.getMessage());
  }
}
