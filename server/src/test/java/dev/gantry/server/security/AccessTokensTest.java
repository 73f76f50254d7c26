package dev.gantry.server.security;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.server.error.PermissionDeniedException;
import dev.gantry.server.error.UnauthenticatedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading tokens from a file and the environment, and checking a header against them. */
class AccessTokensTest {
  private static final String INFERENCE = "inference-0123456789abcdef";
  private static final String ADMIN = "admin-0123456789abcdef==";

  private static AccessTokens fromFile(Path directory, String content) throws Exception {
    return AccessTokens.load(
        Optional.of(Files.writeString(directory.resolve("tokens"), content)), Map.of());
  }

  private static IllegalArgumentException refused(Path directory, String content) {
    return assertThrows(IllegalArgumentException.class, () -> fromFile(directory, content));
  }

  @Test
  void fileAndEnvironmentTogetherGiveEachTokenItsRole(@TempDir Path directory) throws Exception {
    Path file = Files.writeString(directory.resolve("tokens"),
        "# comment\n\n  inference   " + INFERENCE + "  \nAdmin " + ADMIN + "\n");
    AccessTokens tokens = AccessTokens.load(Optional.of(file), Map.of(
        AccessTokens.INFERENCE_ENV, " env-inference-0123456789, ,second-inference-0123456789",
        AccessTokens.ADMIN_ENV, "env-admin-0123456789abcd"));
    assertTrue(tokens.enabled());
    assertEquals(3, tokens.count(Role.INFERENCE));
    assertEquals(2, tokens.count(Role.ADMIN));
    assertEquals(Optional.of(Role.INFERENCE), tokens.roleOf(INFERENCE));
    assertEquals(Optional.of(Role.INFERENCE), tokens.roleOf("second-inference-0123456789"));
    assertEquals(Optional.of(Role.ADMIN), tokens.roleOf(ADMIN));
    assertEquals(Optional.of(Role.ADMIN), tokens.roleOf("env-admin-0123456789abcd"));
    assertEquals(Optional.empty(), tokens.roleOf(INFERENCE + "x"));
    assertEquals(Optional.empty(), tokens.roleOf(""));
  }

  @Test
  void noTokensMeansAccessControlIsOff() {
    AccessTokens none = AccessTokens.load(Optional.empty(), Map.of("PATH", "/usr/bin"));
    assertFalse(none.enabled());
    assertDoesNotThrow(() -> none.authorize("RepositoryModelLoad", Optional.empty(), Role.ADMIN));
  }

  @Test
  void headersAreCheckedForSchemeTokenAndRole(@TempDir Path directory) throws Exception {
    AccessTokens tokens = fromFile(directory, "inference " + INFERENCE + "\nadmin " + ADMIN);
    assertEquals("ModelInfer needs an access token: send the header 'authorization: Bearer "
            + "<token>'",
        assertThrows(UnauthenticatedException.class,
            () -> tokens.authorize("ModelInfer", Optional.empty(), Role.INFERENCE)).getMessage());
    assertThrows(UnauthenticatedException.class,
        () -> tokens.authorize("ModelInfer", Optional.of("Bearer"), Role.INFERENCE));
    assertThrows(UnauthenticatedException.class,
        () -> tokens.authorize("ModelInfer", Optional.of("Token " + INFERENCE), Role.INFERENCE));
    assertThrows(UnauthenticatedException.class,
        () -> tokens.authorize("ModelInfer", Optional.of("Bearer " + ADMIN + "x"), Role.INFERENCE));
    assertDoesNotThrow(
        () -> tokens.authorize("ModelInfer", Optional.of("BEARER " + INFERENCE), Role.INFERENCE));
    assertDoesNotThrow(
        () -> tokens.authorize("ModelInfer", Optional.of("Bearer  " + ADMIN + " "), Role.INFERENCE));
    assertDoesNotThrow(
        () -> tokens.authorize("LogSettings", Optional.of("Bearer " + ADMIN), Role.ADMIN));
    PermissionDeniedException denied = assertThrows(PermissionDeniedException.class,
        () -> tokens.authorize("LogSettings", Optional.of("Bearer " + INFERENCE), Role.ADMIN));
    assertEquals("LogSettings needs the admin role; this token has the inference role",
        denied.getMessage());
  }

  @Test
  void badTokenFilesAreRefusedNamingTheLineButNeverTheToken(@TempDir Path directory) {
    String secret = "secret-0123456789abcdef";
    IllegalArgumentException role = refused(directory, "\nroot " + secret);
    assertTrue(role.getMessage().endsWith("line 2: unknown role 'root'; the roles are inference "
        + "and admin"), role.getMessage());
    assertFalse(role.getMessage().contains(secret));
    assertTrue(refused(directory, "inference").getMessage().contains(
        "line 1: expected 'role token', got 1 fields"));
    assertTrue(refused(directory, "inference a b").getMessage().contains("got 3 fields"));
    IllegalArgumentException shortToken = refused(directory, "admin short");
    assertTrue(shortToken.getMessage().endsWith("line 1: the token is shorter than 16 characters"));
    assertTrue(refused(directory, "admin tok\u00e9n-0123456789abcdef").getMessage()
        .contains("a token may hold only letters, digits and -._~+/"));
    IllegalArgumentException twoRoles =
        refused(directory, "admin " + secret + "\ninference " + secret);
    assertTrue(twoRoles.getMessage().endsWith("line 2: the token is also given the admin role; a "
        + "token has one role"), twoRoles.getMessage());
    assertFalse(twoRoles.getMessage().contains(secret));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> AccessTokens.load(Optional.of(directory.resolve("absent")), Map.of()));
    assertTrue(missing.getMessage().contains("cannot read it (NoSuchFileException)"));
    IllegalArgumentException environment = assertThrows(IllegalArgumentException.class,
        () -> AccessTokens.load(Optional.empty(), Map.of(AccessTokens.ADMIN_ENV, "a,b")));
    assertEquals("GANTRY_ADMIN_TOKENS item 1: the token is shorter than 16 characters",
        environment.getMessage());
  }

  @Test
  void policyLeavesOnlyProbesOpenAndClosesUnknownMethods() {
    assertEquals(Optional.empty(), AccessPolicy.required("inference.GRPCInferenceService/ServerLive"));
    assertEquals(Optional.empty(), AccessPolicy.required("inference.GRPCInferenceService/ServerReady"));
    assertEquals(Optional.empty(), AccessPolicy.required("grpc.health.v1.Health/Watch"));
    for (String method : new String[] {"ModelInfer", "ModelStreamInfer", "ModelMetadata",
        "ModelConfig", "ModelReady", "ModelStatistics", "ServerMetadata", "RepositoryIndex"}) {
      assertEquals(Optional.of(Role.INFERENCE),
          AccessPolicy.required("inference.GRPCInferenceService/" + method), method);
    }
    for (String method : new String[] {"RepositoryModelLoad", "RepositoryModelUnload",
        "LogSettings", "TraceSetting", "SystemSharedMemoryRegister", "SomethingNew"}) {
      assertEquals(Optional.of(Role.ADMIN),
          AccessPolicy.required("inference.GRPCInferenceService/" + method), method);
    }
    assertEquals(Optional.of(Role.INFERENCE),
        AccessPolicy.required("grpc.reflection.v1.ServerReflection/ServerReflectionInfo"));
    assertEquals(Optional.of(Role.ADMIN), AccessPolicy.required("other.Service/Method"));
  }
}
