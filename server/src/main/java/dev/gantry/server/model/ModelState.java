package dev.gantry.server.model;

/** The life-cycle states of a model version, named as RepositoryIndex reports them. */
public enum ModelState {
  UNKNOWN,
  LOADING,
  READY,
  UNLOADING,
  UNAVAILABLE
}
