package dev.gantry.server.security;

import java.util.Locale;
import java.util.Optional;

/**
 * What an access token lets its holder do. Two roles are enough for an inference server: the
 * services that call models, and the operators who change what is served.
 */
public enum Role {
  /** Inference, model metadata, configuration, statistics and the repository index. */
  INFERENCE,
  /** Everything INFERENCE may, plus loading and unloading models and changing log settings. */
  ADMIN;

  /** Whether a holder of this role may make a call that needs {@code required}. */
  public boolean allows(Role required) {
    return this == ADMIN || required == INFERENCE;
  }

  /** The role's name in the tokens file and in messages: {@code inference} or {@code admin}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role a tokens file names, in any case. */
  public static Optional<Role> fromWireName(String name) {
    for (Role role : values()) {
      if (role.wireName().equalsIgnoreCase(name)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
