package dev.gantry.server.security;

import dev.gantry.server.error.PermissionDeniedException;
import dev.gantry.server.error.UnauthenticatedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer tokens the server accepts and the role each grants, and the check of a call's {@code
 * authorization} header against them. With no tokens, access control is off and every call is
 * allowed.
 *
 * <p>Only SHA-256 digests of the tokens are kept. A presented token is digested and compared with
 * every known digest by {@link MessageDigest#isEqual}, all of them every time, so the time a check
 * takes says nothing about how much of a token was right, nor which entry matched.
 */
public final class AccessTokens {
  private static final Logger log = LoggerFactory.getLogger(AccessTokens.class);

  /** Comma-separated tokens of the inference role. */
  public static final String INFERENCE_ENV = "GANTRY_INFERENCE_TOKENS";
  /** Comma-separated tokens of the admin role. */
  public static final String ADMIN_ENV = "GANTRY_ADMIN_TOKENS";
  /** The shortest token accepted: 16 characters, so that a token cannot be guessed. */
  public static final int MIN_LENGTH = 16;

  /** RFC 6750's b64token: what may follow {@code Bearer } in a header. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

  private record Entry(byte[] digest, Role role) {}

  private final List<Entry> entries;

  private AccessTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** No tokens: access control off. */
  public static AccessTokens none() {
    return new AccessTokens(List.of());
  }

  /**
   * The tokens of a tokens file and of the environment together.
   *
   * @param file lines of {@code role token} ({@code inference} or {@code admin}); blank lines and
   *     lines starting with {@code #} are skipped
   * @param environment where {@value #INFERENCE_ENV} and {@value #ADMIN_ENV} are looked up
   * @throws IllegalArgumentException naming the file and line, or the variable, at fault, but never
   *     the token
   */
  public static AccessTokens load(Optional<Path> file, Map<String, String> environment) {
    Map<String, Role> tokens = new LinkedHashMap<>();
    if (file.isPresent()) {
      readFile(file.get(), tokens);
    }
    readEnvironment(environment, INFERENCE_ENV, Role.INFERENCE, tokens);
    readEnvironment(environment, ADMIN_ENV, Role.ADMIN, tokens);
    List<Entry> entries = new ArrayList<>();
    tokens.forEach((token, role) -> entries.add(new Entry(digest(token), role)));
    return new AccessTokens(entries);
  }

  /** Whether access control is on. */
  public boolean enabled() {
    return !entries.isEmpty();
  }

  /** How many tokens of a role there are. */
  public long count(Role role) {
    return entries.stream().filter(entry -> entry.role == role).count();
  }

  /**
   * Checks the {@code authorization} header of a call that needs {@code required}; returns
   * quietly when it may go ahead (always, when access control is off).
   *
   * @param what names the call in messages, e.g. {@code ModelInfer}
   * @throws UnauthenticatedException when the header is missing, malformed, or holds an unknown
   *     token
   * @throws PermissionDeniedException when the token's role does not allow the call
   */
  public void authorize(String what, Optional<String> header, Role required) {
    if (!enabled()) {
      return;
    }
    if (header.isEmpty()) {
      throw new UnauthenticatedException(what + " needs an access token: send the header "
          + "'authorization: Bearer <token>'");
    }
    String value = header.get().strip();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
      throw new UnauthenticatedException(
          "the authorization header must be 'Bearer <token>'; other schemes are not accepted");
    }
    Optional<Role> role = roleOf(value.substring(space + 1).strip());
    if (role.isEmpty()) {
      throw new UnauthenticatedException("the access token is not valid");
    }
    if (!role.get().allows(required)) {
      throw new PermissionDeniedException(what + " needs the " + required.wireName()
          + " role; this token has the " + role.get().wireName() + " role");
    }
  }

  /** The role of a token, in time independent of the token; empty for an unknown token. */
  Optional<Role> roleOf(String token) {
    byte[] presented = digest(token);
    Role found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest, presented)) {
        found = entry.role;
      }
    }
    return Optional.ofNullable(found);
  }

  private static void readFile(Path file, Map<String, Role> tokens) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--auth-tokens-file " + file + ": cannot read it (" + e.getClass().getSimpleName() + ")");
    }
    warnIfReadableByOthers(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = "--auth-tokens-file " + file + " line " + (i + 1);
      String[] fields = line.split("\\s+");
      if (fields.length != 2) {
        throw new IllegalArgumentException(where + ": expected 'role token', got "
            + fields.length + " fields");
      }
      Role role = Role.fromWireName(fields[0]).orElseThrow(() -> new IllegalArgumentException(
          where + ": unknown role '" + fields[0] + "'; the roles are inference and admin"));
      add(tokens, fields[1], role, where);
    }
  }

  private static void readEnvironment(
      Map<String, String> environment, String variable, Role role, Map<String, Role> tokens) {
    String value = environment.get(variable);
    if (value == null) {
      return;
    }
    String[] items = value.split(",");
    for (int i = 0; i < items.length; i++) {
      String token = items[i].strip();
      if (!token.isEmpty()) {
        add(tokens, token, role, variable + " item " + (i + 1));
      }
    }
  }

  private static void add(Map<String, Role> tokens, String token, Role role, String where) {
    if (token.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(where + ": the token is shorter than " + MIN_LENGTH
          + " characters");
    }
    if (!TOKEN.matcher(token).matches()) {
      throw new IllegalArgumentException(where + ": a token may hold only letters, digits and "
          + "-._~+/ (and end in =), as a bearer token must");
    }
    Role previous = tokens.put(token, role);
    if (previous != null && previous != role) {
      throw new IllegalArgumentException(where + ": the token is also given the "
          + previous.wireName() + " role; a token has one role");
    }
  }

  private static void warnIfReadableByOthers(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("--auth-tokens-file {} is readable by every user; restrict it with chmod 600",
            file);
      }
    } catch (UnsupportedOperationException | IOException e) {
      log.debug("cannot read the permissions of {}: {}", file, e.toString());
    }
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
