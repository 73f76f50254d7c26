package dev.gantry.server.model;

/**
 * What the repository knows of one model version at one moment, for readiness checks and the
 * repository index.
 *
 * @param reason why the version is not ready, or empty
 */
public record VersionStatus(String model, long version, ModelState state, String reason) {}
