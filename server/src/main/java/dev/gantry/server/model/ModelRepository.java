package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.server.config.ModelConfigs;
import dev.gantry.server.error.FailedPreconditionException;
import dev.gantry.server.model.ModelEntry.Slot;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.NotFoundException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.server.metrics.ServerMetrics;
import dev.gantry.spi.ModelLoadException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models the server serves and the state of each of their versions, kept in step with the
 * repository directories ({@code <repository>/<model>/config.pbtxt}, {@code
 * <repository>/<model>/<version>/}) and with the repository RPCs.
 *
 * <p>Availability comes first. A version is (re)loaded beside the one serving; traffic moves to
 * it only once it is READY, with one atomic swap; the old one then drains its queued and running
 * requests before it is closed. A load that fails leaves whatever served before still serving,
 * and the index says why.
 *
 * <p>Lookups are lock-free: each model's versions and labels are immutable maps swapped whole.
 * Changes to one model are serialised by its own lock; different models load in parallel on a
 * bounded pool of named threads.
 *
 * <p>What it is made of: {@link RepositoryScanner} finds models and versions on disk, {@link
 * LabelsFile} reads labels, {@link ModelUploads} keeps files sent in load calls, {@link
 * ModelEntry} holds one model's state and answers lookups, a {@link VersionLoader} makes versions
 * ready. What stays here (about 430 lines) is the state machine, which reads best in one piece.
 */
public final class ModelRepository {
  private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);

  /**
   * What a repository load call brings besides the model's name.
   *
   * @param config a configuration to use instead of the model's {@code config.pbtxt}
   * @param files model files by path relative to the model directory ({@code 1/model.onnx});
   *     when present, they are the model's whole directory
   */
  public record LoadRequest(Optional<ModelConfig> config, Map<String, byte[]> files) {
    public static final LoadRequest PLAIN = new LoadRequest(Optional.empty(), Map.of());
  }

  private final RepositoryScanner scanner;
  private final VersionLoader loader;
  private final ExecutorService loadPool;
  private final ExecutorService retirePool;
  private final ServerMetrics metrics;
  private final Duration drainTimeout;
  private final ModelUploads uploads;
  private final Map<String, ModelEntry> models = new ConcurrentHashMap<>();

  /**
   * @param loadPool runs loads, many models at once
   * @param retirePool drains and closes replaced versions in the background
   * @param drainTimeout how long an unloading version may take to finish its requests
   * @param uploads where model files sent in load requests are kept
   */
  public ModelRepository(
      RepositoryScanner scanner,
      VersionLoader loader,
      ExecutorService loadPool,
      ExecutorService retirePool,
      ServerMetrics metrics,
      Duration drainTimeout,
      ModelUploads uploads) {
    this.scanner = scanner;
    this.loader = loader;
    this.loadPool = loadPool;
    this.retirePool = retirePool;
    this.metrics = metrics;
    this.drainTimeout = drainTimeout;
    this.uploads = uploads;
  }

  /**
   * Loads every model in the repositories, in parallel; returns when each has loaded or failed.
   * A failure is logged and recorded, never thrown: the other models still load.
   */
  public void loadAll() {
    syncAll(scanner.scan().values());
  }

  /** Loads only the named models, as explicit mode does at start. */
  public void loadOnly(Collection<String> names) {
    Map<String, ModelSource> found = scanner.scan();
    List<ModelSource> wanted = new ArrayList<>();
    for (String name : names) {
      ModelSource source = found.get(name);
      if (source == null) {
        log.error("--load-model {}: no such model in the repositories", name);
      } else {
        wanted.add(source);
      }
    }
    syncAll(wanted);
  }

  /**
   * Loads or reloads one model, as RepositoryModelLoad asks; returns once its versions are READY
   * (or failed, leaving what served before).
   *
   * @throws InvalidArgumentException for a bad name or bad files
   * @throws NotFoundException when no repository has the model and no files were sent
   * @throws FailedPreconditionException when no version of the model could be made ready
   */
  public void load(String name, LoadRequest request) {
    RepositoryScanner.checkModelName(name);
    Path directory;
    if (!request.files().isEmpty()) {
      if (request.config().isEmpty()) {
        throw new InvalidArgumentException(
            "parameter 'config' is required when model files are sent as 'file:' parameters");
      }
      directory = uploads.write(name, request.files());
    } else {
      ModelSource source = scanner.scan().get(name);
      if (source == null) {
        throw new NotFoundException("model '" + name + "' is not in any model repository");
      }
      directory = source.directory();
    }
    ModelEntry entry = models.computeIfAbsent(name, n -> new ModelEntry(n, directory));
    List<String> failures;
    entry.lock.lock();
    try {
      Path previous = entry.directory;
      boolean previouslyUploaded = entry.uploaded;
      entry.directory = directory;
      entry.uploaded = !request.files().isEmpty();
      try {
        failures = sync(entry, request.config());
      } catch (RuntimeException refused) {
        forgetUpload(entry, previous, previouslyUploaded, directory);
        throw refused;
      }
      if (failures.isEmpty()) {
        if (previouslyUploaded && !previous.equals(directory)) {
          uploads.delete(previous);
        }
      } else {
        forgetUpload(entry, previous, previouslyUploaded, directory);
      }
    } finally {
      entry.lock.unlock();
    }
    if (!failures.isEmpty()) {
      boolean serving = !readyVersions(name).isEmpty();
      throw new FailedPreconditionException("model '" + name + "' failed to load: "
          + String.join("; ", failures)
          + (serving ? " (the versions loaded before keep serving)" : ""));
    }
  }

  /**
   * After a load that was refused or failed: the model loads from where it did before, and the
   * files the call sent, if any, are deleted.
   */
  private void forgetUpload(
      ModelEntry entry, Path previous, boolean previouslyUploaded, Path directory) {
    if (entry.uploaded) {
      entry.directory = previous;
      entry.uploaded = previouslyUploaded;
      uploads.delete(directory);
    }
  }

  /**
   * Unloads every version of a model, as RepositoryModelUnload asks; returns once they have
   * drained.
   *
   * @throws NotFoundException when the server does not know the model
   */
  public void unload(String name) {
    RepositoryScanner.checkModelName(name);
    ModelEntry entry = models.get(name);
    if (entry == null) {
      throw new NotFoundException("unknown model '" + name + "'");
    }
    entry.lock.lock();
    try {
      for (long version : entry.versions.keySet()) {
        unloadVersion(entry, version, "unloaded");
      }
      entry.labels = Map.of();
      entry.appliedFingerprint = "";
      if (entry.uploaded) {
        uploads.delete(entry.directory);
      }
    } finally {
      entry.lock.unlock();
    }
  }

  /**
   * One poll of the repositories: models whose files changed, and stayed unchanged since the
   * previous poll, are reloaded; new models are loaded; removed ones unloaded. Waiting for one
   * unchanged poll keeps a version directory that is still being written from loading half-made.
   */
  public void poll() {
    Map<String, ModelSource> found = scanner.scan();
    List<Future<?>> work = new ArrayList<>();
    for (ModelSource source : found.values()) {
      ModelEntry entry = models.computeIfAbsent(source.name(),
          n -> new ModelEntry(n, source.directory()));
      if (entry.uploaded || source.fingerprint().equals(entry.appliedFingerprint)) {
        entry.seenFingerprint = source.fingerprint();
        continue;
      }
      if (source.fingerprint().equals(entry.seenFingerprint)) {
        entry.appliedFingerprint = source.fingerprint();
        work.add(loadPool.submit(() -> sync(entry, Optional.empty())));
      } else {
        entry.seenFingerprint = source.fingerprint();
        log.info("model '{}' changed on disk; loading it once it is unchanged for one poll",
            source.name());
      }
    }
    for (ModelEntry entry : models.values()) {
      if (!entry.uploaded && !found.containsKey(entry.name) && !entry.appliedFingerprint.isEmpty()) {
        log.info("model '{}' was removed from the repository; unloading it", entry.name);
        work.add(loadPool.submit(() -> unload(entry.name)));
      }
    }
    await(work);
  }

  /**
   * The loaded version a request names.
   *
   * @param version a version number, a label, or empty for the highest ready version
   * @throws NotFoundException when the model, version or label does not exist
   * @throws UnavailableException when it exists but is not ready
   */
  public LoadedVersion resolve(String name, String version) {
    ModelEntry entry = models.get(name);
    if (entry == null) {
      throw new NotFoundException("unknown model '" + name + "'");
    }
    return entry.resolve(version);
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
        if (slot.ready()) {
          ready.add(slot.loaded());
        }
      }
    }
    return ready;
  }

  /** The labels of a model and the versions they name. */
  public Map<String, Long> labels(String name) {
    ModelEntry entry = models.get(name);
    return entry == null ? Map.of() : entry.labels;
  }

  /** Every model version the repository knows, by model name then version. */
  public List<VersionStatus> index() {
    List<VersionStatus> statuses = new ArrayList<>();
    for (String name : new TreeSet<>(models.keySet())) {
      models.get(name).addStatuses(statuses);
    }
    return statuses;
  }


  /** The models found in the repositories, loaded or not, for the repository index. */
  public void discover() {
    for (ModelSource source : scanner.scan().values()) {
      models.computeIfAbsent(source.name(), n -> new ModelEntry(n, source.directory()));
    }
  }

  /** Unloads every version, letting each drain its queue within the timeout. */
  public void shutdown(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Future<?>> work = new ArrayList<>();
    for (ModelEntry entry : models.values()) {
      for (Map.Entry<Long, Slot> version : entry.versions.entrySet()) {
        if (version.getValue().ready()) {
          work.add(loadPool.submit(() -> {
            entry.put(version.getKey(), new Slot(ModelState.UNLOADING, "server shutting down",
                version.getValue().loaded(), version.getValue().fingerprint()));
            version.getValue().loaded().unload(
                Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            entry.put(version.getKey(), new Slot(ModelState.UNAVAILABLE, "unloaded", null, ""));
          }));
        }
      }
    }
    await(work);
    retirePool.shutdown();
    try {
      retirePool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void syncAll(Collection<ModelSource> sources) {
    List<Future<?>> work = new ArrayList<>();
    for (ModelSource source : sources) {
      ModelEntry entry = models.computeIfAbsent(source.name(),
          n -> new ModelEntry(n, source.directory()));
      entry.appliedFingerprint = source.fingerprint();
      entry.seenFingerprint = source.fingerprint();
      work.add(loadPool.submit(() -> sync(entry, Optional.empty())));
    }
    await(work);
  }

  /**
   * Brings one model in line with its files: loads the versions its policy selects that are new
   * or changed, keeps the unchanged ones, moves its labels, and unloads the versions no longer
   * selected — in that order, so that a label never points nowhere during a rollout.
   *
   * @return the reasons of the loads that failed, empty when everything selected is READY
   */
  private List<String> sync(ModelEntry entry, Optional<ModelConfig> override) {
    entry.lock.lock();
    try {
      Path directory = entry.directory;
      ModelConfig declared;
      List<Long> selected;
      try {
        declared = override.isPresent()
            ? override.get()
            : ModelConfigs.read(directory).orElse(ModelConfig.getDefaultInstance());
        selected = RepositoryScanner.selectVersions(declared.getVersionPolicy(),
            RepositoryScanner.versionsOnDisk(entry.name, directory));
      } catch (ModelLoadException e) {
        entry.failure = entry.withoutRepositoryPath(e.getMessage());
        metrics.loadFailed(entry.name);
        log.error("model '{}' cannot load: {}", entry.name, entry.failure);
        return List.of(entry.failure);
      }
      entry.failure = "";
      List<String> failures = new ArrayList<>();
      for (long version : selected) {
        String fingerprint = RepositoryScanner.versionFingerprint(directory, version, declared);
        loadVersion(entry, version, declared, fingerprint)
            .ifPresent(reason -> failures.add("version " + version + ": " + reason));
      }
      entry.labels = LabelsFile.read(entry.name, directory, entry.labels,
          entry::isReady);
      for (Map.Entry<Long, Slot> version : entry.versions.entrySet()) {
        if (!selected.contains(version.getKey())) {
          unloadVersion(entry, version.getKey(), "unloaded: not selected by version_policy");
        }
      }
      return failures;
    } finally {
      entry.lock.unlock();
    }
  }

  /** Loads one version unless it is READY from the same files; the reason when it fails. */
  private Optional<String> loadVersion(
      ModelEntry entry, long version, ModelConfig declared, String fingerprint) {
    Slot current = entry.versions.get(version);
    boolean serving = current != null && current.ready();
    if (serving && current.fingerprint().equals(fingerprint)) {
      return Optional.empty();
    }
    String label = LoadedVersion.label(entry.name, version);
    if (!serving) {
      entry.put(version, new Slot(ModelState.LOADING, "", null, fingerprint));
    }
    long start = System.nanoTime();
    try {
      LoadedVersion loaded = loader.load(entry.name, version, entry.directory, declared);
      entry.put(version, new Slot(ModelState.READY, "", loaded, fingerprint));
      log.info("{} is READY on {} ({} ms){}", label, loaded.devices(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          serving ? "; the version it replaces is draining" : "");
      if (serving) {
        retirePool.execute(() -> current.loaded().unload(drainTimeout));
      }
      return Optional.empty();
    } catch (ModelLoadException | RuntimeException e) {
      String reason = entry.withoutRepositoryPath(
          e instanceof ModelLoadException ? e.getMessage() : e.toString());
      metrics.loadFailed(entry.name);
      if (serving) {
        entry.put(version, new Slot(ModelState.READY, "reload failed, still serving the "
            + "previous files: " + reason, current.loaded(), current.fingerprint()));
        log.error("{} failed to reload, the loaded one keeps serving: {}", label, reason);
      } else {
        entry.put(version, new Slot(ModelState.UNAVAILABLE, reason, null, fingerprint));
        log.error("{} failed to load: {}", label, reason);
      }
      return Optional.of(reason);
    }
  }

  private void unloadVersion(ModelEntry entry, long version, String reason) {
    Slot slot = entry.versions.get(version);
    if (slot == null || !slot.ready()) {
      return;
    }
    entry.put(version, new Slot(ModelState.UNLOADING, "", slot.loaded(), slot.fingerprint()));
    entry.dropLabelsOf(version);
    slot.loaded().unload(drainTimeout);
    entry.put(version, new Slot(ModelState.UNAVAILABLE, reason, null, ""));
    metrics.removeVersion(entry.name, version);
    log.info("{} is unloaded", LoadedVersion.label(entry.name, version));
  }

  private static void await(List<Future<?>> work) {
    for (Future<?> task : work) {
      try {
        task.get();
      } catch (ExecutionException e) {
        log.error("model repository task failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
