package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelVersionPolicy;
import dev.gantry.server.config.ModelConfigs;
import dev.gantry.server.error.FailedPreconditionException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.NotFoundException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.server.metrics.ServerMetrics;
import dev.gantry.spi.ModelLoadException;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
 */
public final class ModelRepository {
  private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);
  private static final Pattern LABEL = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

  /** The file beside {@code config.pbtxt} that names versions, one {@code label=version} a line. */
  public static final String LABELS_FILE = "labels.properties";

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
  private final ModelLoader loader;
  private final ExecutorService loadPool;
  private final ExecutorService retirePool;
  private final ServerMetrics metrics;
  private final Duration drainTimeout;
  private final Path uploadRoot;
  private final long maxUploadBytes;
  private final AtomicLong uploads = new AtomicLong();
  private final Map<String, ModelEntry> models = new ConcurrentHashMap<>();

  /** One model: where its files are, its versions by number, and its labels. */
  private static final class ModelEntry {
    final String name;
    final ReentrantLock lock = new ReentrantLock();
    volatile Path directory;
    volatile boolean uploaded;
    volatile NavigableMap<Long, Slot> versions = Collections.emptyNavigableMap();
    volatile Map<String, Long> labels = Map.of();
    volatile String failure = "";
    volatile String appliedFingerprint = "";
    volatile String seenFingerprint = "";

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

  /**
   * One version's state; the loaded version while READY or UNLOADING; and the fingerprint of the
   * files and configuration it was loaded from.
   */
  private record Slot(ModelState state, String reason, LoadedVersion loaded, String fingerprint) {}

  /**
   * @param loadPool runs loads, many models at once
   * @param retirePool drains and closes replaced versions in the background
   * @param drainTimeout how long an unloading version may take to finish its requests
   * @param uploadRoot where model files sent in load requests are written
   * @param maxUploadBytes the most bytes of model files one load request may carry
   */
  public ModelRepository(
      RepositoryScanner scanner,
      ModelLoader loader,
      ExecutorService loadPool,
      ExecutorService retirePool,
      ServerMetrics metrics,
      Duration drainTimeout,
      Path uploadRoot,
      long maxUploadBytes) {
    this.scanner = scanner;
    this.loader = loader;
    this.loadPool = loadPool;
    this.retirePool = retirePool;
    this.metrics = metrics;
    this.drainTimeout = drainTimeout;
    this.uploadRoot = uploadRoot;
    this.maxUploadBytes = maxUploadBytes;
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
      directory = writeUpload(name, request.files());
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
      failures = sync(entry, request.config());
      if (failures.isEmpty()) {
        if (previouslyUploaded && !previous.equals(directory)) {
          deleteUpload(previous);
        }
      } else if (entry.uploaded) {
        entry.directory = previous;
        entry.uploaded = previouslyUploaded;
        deleteUpload(directory);
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
        deleteUpload(entry.directory);
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
    NavigableMap<Long, Slot> versions = entry.versions;
    if (version.isEmpty()) {
      String stalled = null;
      for (Slot slot : versions.descendingMap().values()) {
        if (slot.state == ModelState.READY) {
          Optional<String> unavailable = slot.loaded.scheduler().unavailableReason();
          if (unavailable.isEmpty()) {
            return slot.loaded;
          }
          stalled = stalled != null ? stalled
              : slot.loaded.label() + " is unavailable: " + unavailable.get();
        }
      }
      throw new UnavailableException(stalled != null ? stalled
          : "model '" + name + "' has no ready version" + describeFailures(entry));
    }
    Optional<Long> number = version.startsWith("0") ? Optional.empty() : parseVersion(version);
    Long resolved = number.orElse(entry.labels.get(version));
    Slot slot = resolved == null ? null : versions.get(resolved);
    if (slot == null) {
      throw new NotFoundException(
          "model '" + name + "' has no version '" + version + "'; its versions are "
              + versions.keySet()
              + (entry.labels.isEmpty() ? "" : " and its labels " + new TreeMap<>(entry.labels)));
    }
    if (slot.state != ModelState.READY) {
      throw new UnavailableException(LoadedVersion.label(name, resolved) + " is " + slot.state
          + (slot.reason.isEmpty() ? "" : ": " + slot.reason));
    }
    Optional<String> unavailable = slot.loaded.scheduler().unavailableReason();
    if (unavailable.isPresent()) {
      throw new UnavailableException(slot.loaded.label() + " is unavailable: " + unavailable.get());
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

  /** The labels of a model and the versions they name. */
  public Map<String, Long> labels(String name) {
    ModelEntry entry = models.get(name);
    return entry == null ? Map.of() : entry.labels;
  }

  /** Every model version the repository knows, by model name then version. */
  public List<VersionStatus> index() {
    List<VersionStatus> statuses = new ArrayList<>();
    for (String name : new TreeSet<>(models.keySet())) {
      ModelEntry entry = models.get(name);
      if (entry.versions.isEmpty()) {
        statuses.add(new VersionStatus(name, 0,
            entry.failure.isEmpty() ? ModelState.UNKNOWN : ModelState.UNAVAILABLE, entry.failure));
      }
      entry.versions.forEach((version, slot) -> {
        Optional<String> unavailable = slot.state == ModelState.READY
            ? slot.loaded.scheduler().unavailableReason()
            : Optional.empty();
        statuses.add(unavailable.isPresent()
            ? new VersionStatus(name, version, ModelState.UNAVAILABLE, unavailable.get())
            : new VersionStatus(name, version, slot.state, slot.reason));
      });
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
        if (version.getValue().state == ModelState.READY) {
          work.add(loadPool.submit(() -> {
            entry.put(version.getKey(), new Slot(ModelState.UNLOADING, "server shutting down",
                version.getValue().loaded, version.getValue().fingerprint));
            version.getValue().loaded.unload(
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
   * or changed, keeps the unchanged ones, unloads the rest, and re-reads its labels.
   */
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
        selected = selectVersions(declared.getVersionPolicy(), versionsOnDisk(entry));
      } catch (ModelLoadException e) {
        entry.failure = withoutRepositoryPath(entry, e.getMessage());
        metrics.loadFailed(entry.name);
        log.error("model '{}' cannot load: {}", entry.name, entry.failure);
        return List.of(entry.failure);
      }
      entry.failure = "";
      List<String> failures = new ArrayList<>();
      for (long version : selected) {
        loadVersion(entry, version, declared, fingerprint(directory, version, declared))
            .ifPresent(reason -> failures.add("version " + version + ": " + reason));
      }
      entry.labels = labels(entry);
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
    boolean serving = current != null && current.state == ModelState.READY;
    if (serving && current.fingerprint.equals(fingerprint)) {
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
        retirePool.execute(() -> current.loaded.unload(drainTimeout));
      }
      return Optional.empty();
    } catch (ModelLoadException | RuntimeException e) {
      String reason = withoutRepositoryPath(
          entry, e instanceof ModelLoadException ? e.getMessage() : e.toString());
      metrics.loadFailed(entry.name);
      if (serving) {
        entry.put(version, new Slot(ModelState.READY, "reload failed, still serving the "
            + "previous files: " + reason, current.loaded, current.fingerprint));
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
    if (slot == null || slot.state != ModelState.READY) {
      return;
    }
    entry.put(version, new Slot(ModelState.UNLOADING, "", slot.loaded, slot.fingerprint));
    Map<String, Long> withoutVersion = new HashMap<>(entry.labels);
    withoutVersion.values().removeIf(v -> v == version);
    entry.labels = Map.copyOf(withoutVersion);
    slot.loaded.unload(drainTimeout);
    entry.put(version, new Slot(ModelState.UNAVAILABLE, reason, null, ""));
    metrics.removeVersion(entry.name, version);
    log.info("{} is unloaded", LoadedVersion.label(entry.name, version));
  }

  /**
   * The model's labels from its {@value #LABELS_FILE}: each label moves to the version the file
   * names if that version is READY; otherwise it stays where it was, or is absent.
   */
  private Map<String, Long> labels(ModelEntry entry) {
    Path file = entry.directory.resolve(LABELS_FILE);
    if (!Files.isRegularFile(file)) {
      return Map.of();
    }
    Properties wanted = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      wanted.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      log.error("model '{}': cannot read {}: {}", entry.name, LABELS_FILE, e.getMessage());
      return entry.labels;
    }
    Map<String, Long> labels = new LinkedHashMap<>();
    for (String label : new TreeSet<>(wanted.stringPropertyNames())) {
      Optional<Long> version = parseVersion(wanted.getProperty(label).trim());
      Long previous = entry.labels.get(label);
      if (!LABEL.matcher(label).matches() || version.isEmpty()) {
        log.error("model '{}': {} line '{}={}' needs a label starting with a letter and a "
            + "version number", entry.name, LABELS_FILE, label, wanted.getProperty(label));
      } else if (isReady(entry, version.get())) {
        labels.put(label, version.get());
      } else if (previous != null && isReady(entry, previous)) {
        labels.put(label, previous);
        log.warn("model '{}': label '{}' stays on version {} because version {} is not ready",
            entry.name, label, previous, version.get());
      } else {
        log.warn("model '{}': label '{}' names version {}, which is not ready", entry.name, label,
            version.get());
      }
    }
    return Map.copyOf(labels);
  }

  private static boolean isReady(ModelEntry entry, long version) {
    Slot slot = entry.versions.get(version);
    return slot != null && slot.state == ModelState.READY;
  }

  private Path writeUpload(String name, Map<String, byte[]> files) {
    long total = 0;
    for (byte[] content : files.values()) {
      total += content.length;
    }
    if (total > maxUploadBytes) {
      throw new ResourceExhaustedException("model files of '" + name + "' total " + total
          + " bytes, over the server's limit of " + maxUploadBytes);
    }
    Path directory = uploadRoot.resolve(name).resolve(Long.toString(uploads.incrementAndGet()));
    try {
      Files.createDirectories(directory);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Path target = RepositoryScanner.inside(directory, file.getKey(),
            "parameter 'file:" + file.getKey() + "'");
        Files.createDirectories(target.getParent());
        Files.write(target, file.getValue());
      }
    } catch (IOException e) {
      throw new UnavailableException("cannot store the model files of '" + name + "': "
          + e.getClass().getSimpleName());
    }
    return directory;
  }

  /**
   * Deletes a directory of uploaded model files once no version loads from it any more; the
   * backends have read the files into memory by then.
   */
  private void deleteUpload(Path directory) {
    if (!directory.startsWith(uploadRoot)) {
      return;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      log.warn("cannot delete uploaded model files in {}: {}", directory, e.getMessage());
    }
  }

  private static String fingerprint(Path directory, long version, ModelConfig declared) {
    return RepositoryScanner.fingerprint(directory.resolve(Long.toString(version)))
        + "/" + Integer.toHexString(declared.hashCode());
  }

  private static List<Long> versionsOnDisk(ModelEntry entry) throws ModelLoadException {
    List<Long> versions = new ArrayList<>();
    try (Stream<Path> children = Files.list(entry.directory)) {
      for (Path child : children.toList()) {
        Optional<Long> version = parseVersion(child.getFileName().toString());
        if (version.isPresent() && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
          versions.add(version.get());
        }
      }
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

  /**
   * A failure reason with the model's location removed, so that callers see paths relative to
   * the model ({@code 1/model.onnx}) and never the server's file system.
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

  private static String describeFailures(ModelEntry entry) {
    if (!entry.failure.isEmpty()) {
      return ": " + entry.failure;
    }
    StringBuilder reasons = new StringBuilder();
    entry.versions.forEach((version, slot) -> reasons
        .append(reasons.length() == 0 ? ": " : "; ")
        .append("version ").append(version).append(" is ").append(slot.state)
        .append(slot.reason.isEmpty() ? "" : " (" + slot.reason + ")"));
    return reasons.toString();
  }
}
