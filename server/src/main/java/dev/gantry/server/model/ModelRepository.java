package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelVersionPolicy;
import dev.gantry.server.config.ModelConfigs;
import dev.gantry.server.error.NotFoundException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.server.metrics.ServerMetrics;
import dev.gantry.spi.ModelLoadException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models the server serves, read from one or more repository directories in Triton's layout
 * ({@code <repository>/<model>/config.pbtxt} and {@code <repository>/<model>/<version>/}), and the
 * state of each of their versions.
 *
 * <p>Lookups are lock-free: each model's versions are an immutable map swapped whole when a
 * version changes state. Loading runs on a bounded pool of named threads, many models at once.
 */
public final class ModelRepository {
  private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);

  private final List<Path> roots;
  private final ModelLoader loader;
  private final ServerMetrics metrics;
  private final ExecutorService loadPool;
  private final Map<String, ModelEntry> models = new ConcurrentHashMap<>();

  /** One model: its directory, and its versions by number. */
  private static final class ModelEntry {
    final String name;
    final Path directory;
    volatile NavigableMap<Long, Slot> versions = Collections.emptyNavigableMap();
    volatile String failure = "";

    ModelEntry(String name, Path directory) {
      this.name = name;
      this.directory = directory;
    }

    synchronized void put(long version, Slot slot) {
      NavigableMap<Long, Slot> next = new TreeMap<>(versions);
      next.put(version, slot);
      versions = Collections.unmodifiableNavigableMap(next);
    }
  }

  /** One version's state, and the loaded version while it is READY. */
  private record Slot(ModelState state, String reason, LoadedVersion loaded) {}

  public ModelRepository(
      List<Path> roots, ModelLoader loader, ExecutorService loadPool, ServerMetrics metrics) {
    this.roots = List.copyOf(roots);
    this.loader = loader;
    this.metrics = metrics;
    this.loadPool = loadPool;
  }

  /**
   * Finds every model in the repositories and loads the versions its version policy selects, in
   * parallel; returns when each has loaded or failed. A failure is logged and recorded, never
   * thrown: the other models still load.
   */
  public void loadAll() {
    List<Future<?>> loads = new ArrayList<>();
    for (ModelEntry entry : discover()) {
      models.put(entry.name, entry);
      loads.addAll(schedule(entry));
    }
    for (Future<?> load : loads) {
      try {
        load.get();
      } catch (ExecutionException e) {
        log.error("model load task failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * The loaded version a request names.
   *
   * @param version a version number, or empty for the highest ready version
   * @throws NotFoundException when the model or the version does not exist
   * @throws UnavailableException when it exists but is not ready
   */
  public LoadedVersion resolve(String name, String version) {
    ModelEntry entry = models.get(name);
    if (entry == null) {
      throw new NotFoundException("unknown model '" + name + "'");
    }
    NavigableMap<Long, Slot> versions = entry.versions;
    if (version.isEmpty()) {
      for (Slot slot : versions.descendingMap().values()) {
        if (slot.state == ModelState.READY) {
          return slot.loaded;
        }
      }
      throw new UnavailableException(
          "model '" + name + "' has no ready version" + describeFailures(entry, versions));
    }
    Slot slot = parseVersion(version).map(versions::get).orElse(null);
    if (slot == null) {
      throw new NotFoundException(
          "model '" + name + "' has no version '" + version + "'; its versions are "
              + versions.keySet());
    }
    if (slot.state != ModelState.READY) {
      throw new UnavailableException(
          LoadedVersion.label(name, Long.parseLong(version)) + " is " + slot.state
              + (slot.reason.isEmpty() ? "" : ": " + slot.reason));
    }
    return slot.loaded;
  }

  /**
   * The ready versions of one model, or of every model when {@code name} is empty, by name then
   * version.
   *
   * @throws NotFoundException when a named model does not exist
   */
  public List<LoadedVersion> readyVersions(String name) {
    if (!name.isEmpty() && !models.containsKey(name)) {
      throw new NotFoundException("unknown model '" + name + "'");
    }
    List<LoadedVersion> ready = new ArrayList<>();
    for (String model : new TreeSet<>(name.isEmpty() ? models.keySet() : List.of(name))) {
      for (Slot slot : models.get(model).versions.values()) {
        if (slot.state == ModelState.READY) {
          ready.add(slot.loaded);
        }
      }
    }
    return ready;
  }

  /** Every model version the repository knows, by model name then version. */
  public List<VersionStatus> index() {
    List<VersionStatus> statuses = new ArrayList<>();
    for (String name : new TreeSet<>(models.keySet())) {
      ModelEntry entry = models.get(name);
      if (entry.versions.isEmpty()) {
        statuses.add(new VersionStatus(name, 0, ModelState.UNAVAILABLE, entry.failure));
      }
      entry.versions.forEach((version, slot) ->
          statuses.add(new VersionStatus(name, version, slot.state, slot.reason)));
    }
    return statuses;
  }

  /** Unloads every version, letting each drain its queue within the timeout. */
  public void shutdown(Duration drainTimeout) {
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    for (ModelEntry entry : models.values()) {
      for (Map.Entry<Long, Slot> version : entry.versions.entrySet()) {
        Slot slot = version.getValue();
        if (slot.state == ModelState.READY) {
          entry.put(version.getKey(), new Slot(ModelState.UNLOADING, "", slot.loaded));
          slot.loaded.unload(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
          entry.put(version.getKey(), new Slot(ModelState.UNAVAILABLE, "unloaded", null));
        }
      }
    }
  }

  private List<ModelEntry> discover() {
    List<ModelEntry> found = new ArrayList<>();
    for (Path root : roots) {
      try (var children = Files.list(root)) {
        children.sorted().forEach(child -> {
          String name = child.getFileName().toString();
          if (name.startsWith(".") || !Files.isDirectory(child)) {
            log.info("ignoring {} in model repository {}: not a model directory", name, root);
          } else if (models.containsKey(name) || found.stream().anyMatch(e -> e.name.equals(name))) {
            log.error("model '{}' appears in more than one repository; keeping the first", name);
          } else {
            found.add(new ModelEntry(name, child));
          }
        });
      } catch (IOException e) {
        log.error("cannot read model repository {}: {}", root, e.getMessage());
      }
    }
    return found;
  }

  private List<Future<?>> schedule(ModelEntry entry) {
    ModelConfig declared;
    List<Long> versions;
    try {
      declared = ModelConfigs.read(entry.directory).orElse(ModelConfig.getDefaultInstance());
      versions = selectVersions(declared.getVersionPolicy(), versionsOnDisk(entry));
    } catch (ModelLoadException e) {
      entry.failure = withoutRepositoryPath(entry, e.getMessage());
      metrics.loadFailed(entry.name);
      log.error("model '{}' cannot load: {}", entry.name, e.getMessage());
      return List.of();
    }
    List<Future<?>> loads = new ArrayList<>();
    for (long version : versions) {
      entry.put(version, new Slot(ModelState.LOADING, "", null));
      loads.add(loadPool.submit(() -> loadVersion(entry, version, declared)));
    }
    return loads;
  }

  private void loadVersion(ModelEntry entry, long version, ModelConfig declared) {
    String label = LoadedVersion.label(entry.name, version);
    long start = System.nanoTime();
    try {
      LoadedVersion loaded = loader.load(entry.name, version, entry.directory, declared);
      entry.put(version, new Slot(ModelState.READY, "", loaded));
      log.info("{} is READY on {} ({} ms)", label, loaded.devices(),
          (System.nanoTime() - start) / 1_000_000);
    } catch (ModelLoadException | RuntimeException e) {
      String reason = withoutRepositoryPath(
          entry, e instanceof ModelLoadException ? e.getMessage() : e.toString());
      entry.put(version, new Slot(ModelState.UNAVAILABLE, reason, null));
      metrics.loadFailed(entry.name);
      log.error("{} failed to load: {}", label, reason);
    }
  }

  private static List<Long> versionsOnDisk(ModelEntry entry) throws ModelLoadException {
    List<Long> versions = new ArrayList<>();
    try (var children = Files.list(entry.directory)) {
      children.filter(Files::isDirectory).forEach(child -> {
        Optional<Long> version = parseVersion(child.getFileName().toString());
        if (version.isPresent()) {
          versions.add(version.get());
        } else {
          log.info("ignoring {} in model '{}': not a version directory", child.getFileName(),
              entry.name);
        }
      });
    } catch (IOException e) {
      throw new ModelLoadException("cannot list the versions of model '" + entry.name + "'");
    }
    if (versions.isEmpty()) {
      throw new ModelLoadException(
          "model '" + entry.name + "' has no version directory (a positive integer such as 1)");
    }
    Collections.sort(versions);
    return versions;
  }

  /** The versions a policy selects among those on disk, ascending. */
  static List<Long> selectVersions(ModelVersionPolicy policy, List<Long> onDisk)
      throws ModelLoadException {
    switch (policy.getPolicyChoiceCase()) {
      case ALL:
        return onDisk;
      case SPECIFIC:
        List<Long> wanted = new ArrayList<>(new TreeSet<>(policy.getSpecific().getVersionsList()));
        if (!onDisk.containsAll(wanted)) {
          List<Long> missing = new ArrayList<>(wanted);
          missing.removeAll(onDisk);
          throw new ModelLoadException(
              "version_policy.specific lists versions " + missing + " that have no directory; "
                  + "versions on disk are " + onDisk);
        }
        return wanted;
      default:
        int latest = policy.hasLatest() ? policy.getLatest().getNumVersions() : 1;
        if (latest < 1) {
          throw new ModelLoadException("version_policy.latest.num_versions must be at least 1");
        }
        return onDisk.subList(Math.max(0, onDisk.size() - latest), onDisk.size());
    }
  }

  /**
   * A failure reason with the repository's own location removed, so that callers see paths
   * relative to the repository ({@code model/1/model.onnx}) and never the server's file system.
   */
  private static String withoutRepositoryPath(ModelEntry entry, String reason) {
    if (reason == null) {
      return "";
    }
    Path root = entry.directory.getParent();
    return reason
        .replace(root.toAbsolutePath() + File.separator, "")
        .replace(root + File.separator, "");
  }

  private static Optional<Long> parseVersion(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    long version = Long.parseLong(text);
    return version > 0 ? Optional.of(version) : Optional.empty();
  }

  private static String describeFailures(ModelEntry entry, NavigableMap<Long, Slot> versions) {
    if (!entry.failure.isEmpty()) {
      return ": " + entry.failure;
    }
    StringBuilder reasons = new StringBuilder();
    versions.forEach((version, slot) -> reasons
        .append(reasons.length() == 0 ? ": " : "; ")
        .append("version ").append(version).append(" is ").append(slot.state)
        .append(slot.reason.isEmpty() ? "" : " (" + slot.reason + ")"));
    return reasons.toString();
  }
}
