package dev.gantry.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.proto.ModelConfig;
import dev.gantry.server.error.FailedPreconditionException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.NotFoundException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.server.metrics.MetricNames;
import dev.gantry.server.metrics.ServerMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repository's load/unload/version state machine, over a fake loader and real schedulers. */
class ModelRepositoryTest {
  @TempDir Path root;
  @TempDir Path uploadRoot;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService loadPool = Executors.newFixedThreadPool(2);
  private final ExecutorService retirePool = Executors.newSingleThreadExecutor();
  private final ExecutorService callers = Executors.newFixedThreadPool(2);
  private final ServerMetrics metrics = new ServerMetrics(MetricNames.GANTRY);
  private final FakeVersionLoader loader = new FakeVersionLoader(timer, metrics);
  private ModelRepository repository;

  @BeforeEach
  void createRepository() {
    repository = new ModelRepository(new RepositoryScanner(List.of(root)), loader, loadPool,
        retirePool, metrics, Duration.ofSeconds(5), new ModelUploads(uploadRoot, 1 << 20));
  }

  @AfterEach
  void stop() {
    loader.open();
    repository.shutdown(Duration.ofSeconds(5));
    callers.shutdownNow();
    loadPool.shutdownNow();
    timer.shutdownNow();
    metrics.close();
  }

  private Path model(String name, String config, long... versions) throws Exception {
    Path directory = Files.createDirectories(root.resolve(name));
    if (!config.isEmpty()) {
      Files.writeString(directory.resolve("config.pbtxt"), config);
    }
    for (long version : versions) {
      Files.createDirectories(directory.resolve(Long.toString(version)));
    }
    return directory;
  }

  private static float answer(LoadedVersion loaded) throws Exception {
    return FakeVersionLoader.infer(loaded).get(10, TimeUnit.SECONDS);
  }

  private ModelState state(String name, long version) {
    return status(name, version).state();
  }

  private VersionStatus status(String name, long version) {
    return repository.index().stream()
        .filter(status -> status.model().equals(name) && status.version() == version)
        .findFirst().orElseThrow();
  }

  /** Makes the version's files look changed to the fingerprint. */
  private static void touch(Path model, long version, String file) throws Exception {
    Files.writeString(model.resolve(Long.toString(version)).resolve(file), file);
  }

  @Test
  void loadsTheLatestVersionAndServesIt() throws Exception {
    model("m", "", 1, 2);
    repository.loadAll();

    assertEquals(ModelState.READY, state("m", 2));
    assertEquals(2f, answer(repository.resolve("m", "")));
    assertEquals(2f, answer(repository.resolve("m", "2")));
    assertThrows(NotFoundException.class, () -> repository.resolve("m", "1"));
    assertThrows(NotFoundException.class, () -> repository.resolve("other", ""));
  }

  @Test
  void aFailedLoadIsReportedWithItsReasonWithoutTheServersPaths() throws Exception {
    model("m", "", 1);
    loader.failing.add(1L);
    repository.loadAll();

    VersionStatus status = status("m", 1);
    assertEquals(ModelState.UNAVAILABLE, status.state());
    assertTrue(status.reason().contains("see m/1/model.fake"), status.reason());
    assertFalse(status.reason().contains(root.toString()), status.reason());
    UnavailableException error =
        assertThrows(UnavailableException.class, () -> repository.resolve("m", ""));
    assertTrue(error.getMessage().contains("has no ready version"), error.getMessage());
  }

  @Test
  void aFailingReloadLeavesTheLoadedVersionServing() throws Exception {
    Path model = model("m", "", 1);
    repository.loadAll();
    LoadedVersion before = repository.resolve("m", "1");

    touch(model, 1, "changed");
    loader.failing.add(1L);
    FailedPreconditionException error = assertThrows(FailedPreconditionException.class,
        () -> repository.load("m", ModelRepository.LoadRequest.PLAIN));

    assertTrue(error.getMessage().contains("the versions loaded before keep serving"),
        error.getMessage());
    assertSame(before, repository.resolve("m", "1"));
    assertEquals(1f, answer(before));
    VersionStatus status = status("m", 1);
    assertEquals(ModelState.READY, status.state());
    assertTrue(status.reason().startsWith("reload failed, still serving the previous files"),
        status.reason());

    loader.failing.clear();
    repository.load("m", ModelRepository.LoadRequest.PLAIN);
    LoadedVersion after = repository.resolve("m", "1");
    assertNotSame(before, after);
    assertEquals(1f, answer(after));
    assertEquals("", status("m", 1).reason());
  }

  @Test
  void anUnchangedModelIsNotReloaded() throws Exception {
    model("m", "", 1);
    repository.loadAll();
    LoadedVersion before = repository.resolve("m", "1");

    repository.load("m", ModelRepository.LoadRequest.PLAIN);

    assertSame(before, repository.resolve("m", "1"));
    assertEquals(1, loader.created.size());
  }

  @Test
  void unloadDrainsTheRequestsAlreadyQueuedAndRunning() throws Exception {
    model("m", "", 1);
    repository.loadAll();
    LoadedVersion loaded = repository.resolve("m", "");
    loader.hold();
    CompletableFuture<Float> running = FakeVersionLoader.infer(loaded);
    assertTrue(loader.created.get(0).started.await(10, TimeUnit.SECONDS));
    CompletableFuture<Float> queued = FakeVersionLoader.infer(loaded);

    Future<?> unloading = callers.submit(() -> repository.unload("m"));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (state("m", 1) != ModelState.UNLOADING && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertEquals(ModelState.UNLOADING, state("m", 1));
    assertThrows(UnavailableException.class, () -> repository.resolve("m", ""));
    assertFalse(unloading.isDone());

    loader.open();
    unloading.get(10, TimeUnit.SECONDS);
    assertEquals(1f, running.get(10, TimeUnit.SECONDS));
    assertEquals(1f, queued.get(10, TimeUnit.SECONDS));
    assertEquals(ModelState.UNAVAILABLE, state("m", 1));
    assertEquals("unloaded", status("m", 1).reason());
    assertEquals(0, loader.openInstances());
  }

  @Test
  void labelsMoveOnlyToReadyVersions() throws Exception {
    Path model = model("m", "version_policy: { all: {} }", 1, 2);
    Files.writeString(model.resolve(LabelsFile.NAME), "stable=1\ncanary=2\n");
    repository.loadAll();
    assertEquals(Map.of("stable", 1L, "canary", 2L), repository.labels("m"));
    assertEquals(1f, answer(repository.resolve("m", "stable")));

    Files.writeString(model.resolve(LabelsFile.NAME), "stable=2\ncanary=3\n");
    repository.load("m", ModelRepository.LoadRequest.PLAIN);

    assertEquals(Map.of("stable", 2L, "canary", 2L), repository.labels("m"),
        "canary stays on 2: version 3 is not ready");
    assertEquals(2f, answer(repository.resolve("m", "stable")));
    NotFoundException unknown =
        assertThrows(NotFoundException.class, () -> repository.resolve("m", "beta"));
    assertTrue(unknown.getMessage().contains("its labels {canary=2, stable=2}"),
        unknown.getMessage());
  }

  @Test
  void aVersionNoLongerSelectedIsUnloadedAndLosesItsLabels() throws Exception {
    Path model = model("m", "version_policy: { all: {} }", 1, 2);
    Files.writeString(model.resolve(LabelsFile.NAME), "old=1\n");
    repository.loadAll();
    assertEquals(Map.of("old", 1L), repository.labels("m"));

    Files.writeString(model.resolve("config.pbtxt"), "version_policy: { specific: { versions: 2 } }");
    repository.load("m", ModelRepository.LoadRequest.PLAIN);

    assertEquals(ModelState.UNAVAILABLE, state("m", 1));
    assertEquals("unloaded: not selected by version_policy", status("m", 1).reason());
    assertEquals(ModelState.READY, state("m", 2));
    assertEquals(Map.of(), repository.labels("m"));
  }

  @Test
  void concurrentLoadsAndUnloadsOfOneModelLeaveAConsistentState() throws Exception {
    model("m", "", 1);
    repository.loadAll();
    loader.loadMillis = 2;
    for (int round = 0; round < 20; round++) {
      Future<?> load = callers.submit(() -> repository.load("m", ModelRepository.LoadRequest.PLAIN));
      Future<?> unload = callers.submit(() -> repository.unload("m"));
      load.get(10, TimeUnit.SECONDS);
      unload.get(10, TimeUnit.SECONDS);

      ModelState state = state("m", 1);
      assertTrue(state == ModelState.READY || state == ModelState.UNAVAILABLE, "round " + round
          + ": " + state);
      assertEquals(state == ModelState.READY ? 1 : 0, repository.readyVersions("m").size());
      if (state == ModelState.READY) {
        assertEquals(1f, answer(repository.resolve("m", "")));
      }
      retirePool.submit(() -> {}).get(10, TimeUnit.SECONDS);
      assertEquals(repository.readyVersions("m").size(), loader.openInstances(),
          "round " + round + ": an instance of an unloaded version is still open");
    }
  }

  @Test
  void uploadedFilesReplaceTheRepositoryFilesAndAreDeletedWhenTheyNoLongerServe()
      throws Exception {
    ModelConfig config = ModelConfig.getDefaultInstance();
    Map<String, byte[]> files = Map.of("3/model.fake", new byte[] {1});
    repository.load("up", new ModelRepository.LoadRequest(Optional.of(config), files));
    assertEquals(3f, answer(repository.resolve("up", "")));
    assertEquals(1, countFiles(uploadRoot));

    repository.load("up", new ModelRepository.LoadRequest(Optional.of(config), files));
    assertEquals(1, countFiles(uploadRoot), "the replaced upload is deleted");

    loader.failing.add(3L);
    assertThrows(FailedPreconditionException.class, () -> repository.load("up",
        new ModelRepository.LoadRequest(Optional.of(config), Map.of("3/other.fake", new byte[2]))));
    assertEquals(1, countFiles(uploadRoot), "a failed upload is deleted, the serving one kept");
    assertEquals(3f, answer(repository.resolve("up", "")));

    assertThrows(InvalidArgumentException.class, () -> repository.load("up",
        new ModelRepository.LoadRequest(Optional.of(config),
            Map.of("3/model.fake", new byte[] {1}, "../outside", new byte[] {1}))));
    assertEquals(1, countFiles(uploadRoot), "a refused upload leaves no file");

    repository.unload("up");
    try (var left = Files.list(uploadRoot)) {
      assertEquals(List.of(), left.toList(), "nothing of any upload stays, not even directories");
    }
  }

  private static long countFiles(Path directory) throws Exception {
    try (var files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void loadingAModelThatIsNowhereIsNotFound() {
    assertThrows(NotFoundException.class,
        () -> repository.load("absent", ModelRepository.LoadRequest.PLAIN));
  }
}
