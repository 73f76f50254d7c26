package dev.gantry.server.model;

import dev.gantry.server.error.NotFoundException;
import dev.gantry.server.error.UnavailableException;
import java.io.File;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One model as the {@link ModelRepository} holds it: where its files are, its versions by number,
 * and its labels; and the lookups requests make in them. The versions and labels are immutable
 * maps swapped whole, so that lookups take no lock; the repository changes them under {@link
 * #lock}.
 */
final class ModelEntry {
  /**
   * One version's state; the loaded version while READY or UNLOADING; and the fingerprint of the
   * files and configuration it was loaded from.
   */
  record Slot(ModelState state, String reason, LoadedVersion loaded, String fingerprint) {
    boolean ready() {
      return state == ModelState.READY;
    }
  }

  final String name;
  final ReentrantLock lock = new ReentrantLock();
  volatile Path directory;
  volatile boolean uploaded;
  volatile NavigableMap<Long, Slot> versions = Collections.emptyNavigableMap();
  volatile Map<String, Long> labels = Map.of();
  /** Why the model as a whole cannot load (no versions, unreadable configuration); or empty. */
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

  boolean isReady(long version) {
    Slot slot = versions.get(version);
    return slot != null && slot.ready();
  }

  /** Removes the labels that name a version. */
  void dropLabelsOf(long version) {
    Map<String, Long> without = new HashMap<>(labels);
    without.values().removeIf(v -> v == version);
    labels = Map.copyOf(without);
  }

  /**
   * The loaded version a request names.
   *
   * @param version a version number, a label, or empty for the highest ready version
   * @throws NotFoundException when the version or label does not exist
   * @throws UnavailableException when it exists but is not ready
   */
  LoadedVersion resolve(String version) {
    NavigableMap<Long, Slot> current = versions;
    if (version.isEmpty()) {
      String stalled = null;
      for (Slot slot : current.descendingMap().values()) {
        if (slot.ready()) {
          Optional<String> unavailable = slot.loaded.scheduler().unavailableReason();
          if (unavailable.isEmpty()) {
            return slot.loaded;
          }
          stalled = stalled != null ? stalled
              : slot.loaded.label() + " is unavailable: " + unavailable.get();
        }
      }
      throw new UnavailableException(stalled != null ? stalled
          : "model '" + name + "' has no ready version" + describeFailures());
    }
    Map<String, Long> named = labels;
    Optional<Long> number =
        version.startsWith("0") ? Optional.empty() : RepositoryScanner.parseVersion(version);
    Long resolved = number.orElse(named.get(version));
    Slot slot = resolved == null ? null : current.get(resolved);
    if (slot == null) {
      throw new NotFoundException(
          "model '" + name + "' has no version '" + version + "'; its versions are "
              + current.keySet()
              + (named.isEmpty() ? "" : " and its labels " + new TreeMap<>(named)));
    }
    if (!slot.ready()) {
      throw new UnavailableException(LoadedVersion.label(name, resolved) + " is " + slot.state
          + (slot.reason.isEmpty() ? "" : ": " + slot.reason));
    }
    Optional<String> unavailable = slot.loaded.scheduler().unavailableReason();
    if (unavailable.isPresent()) {
      throw new UnavailableException(slot.loaded.label() + " is unavailable: " + unavailable.get());
    }
    return slot.loaded;
  }

  /** The model's part of the repository index, by version. */
  void addStatuses(List<VersionStatus> statuses) {
    NavigableMap<Long, Slot> current = versions;
    if (current.isEmpty()) {
      statuses.add(new VersionStatus(name, 0,
          failure.isEmpty() ? ModelState.UNKNOWN : ModelState.UNAVAILABLE, failure));
    }
    current.forEach((version, slot) -> {
      Optional<String> unavailable = slot.ready()
          ? slot.loaded.scheduler().unavailableReason()
          : Optional.empty();
      statuses.add(unavailable.isPresent()
          ? new VersionStatus(name, version, ModelState.UNAVAILABLE, unavailable.get())
          : new VersionStatus(name, version, slot.state, slot.reason));
    });
  }

  /**
   * A failure reason with the repository's location removed, so that callers see paths from the
   * model's name on ({@code simple/1/model.onnx}) and never the server's file system.
   */
  String withoutRepositoryPath(String reason) {
    if (reason == null) {
      return "";
    }
    Path root = directory.getParent();
    return reason
        .replace(root.toAbsolutePath() + File.separator, "")
        .replace(root + File.separator, "");
  }

  private String describeFailures() {
    if (!failure.isEmpty()) {
      return ": " + failure;
    }
    StringBuilder reasons = new StringBuilder();
    versions.forEach((version, slot) -> reasons
        .append(reasons.length() == 0 ? ": " : "; ")
        .append("version ").append(version).append(" is ").append(slot.state)
        .append(slot.reason.isEmpty() ? "" : " (" + slot.reason + ")"));
    return reasons.toString();
  }
}
