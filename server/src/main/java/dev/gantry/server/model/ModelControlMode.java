package dev.gantry.server.model;

/** How the set of served models changes after start-up, as Triton's {@code --model-control-mode}. */
public enum ModelControlMode {
  /** Everything in the repositories loads at start; nothing changes afterwards. */
  NONE,
  /** Everything loads at start, and the repositories are rescanned periodically for changes. */
  POLL,
  /** Only the models named at start load; the repository RPCs load and unload the rest. */
  EXPLICIT
}
