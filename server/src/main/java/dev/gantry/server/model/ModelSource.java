package dev.gantry.server.model;

import java.nio.file.Path;

/**
 * A model directory as found in a repository scan.
 *
 * @param fingerprint changes whenever any file of the model changes (name, size or time), so that
 *     a rescan can tell what to reload
 */
public record ModelSource(String name, Path directory, String fingerprint) {}
