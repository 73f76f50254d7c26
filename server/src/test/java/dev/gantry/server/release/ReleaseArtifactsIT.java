package dev.gantry.server.release;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The published artifacts the build attaches beside the server's jar (as beside the client's,
 * the SPI's, the backends' and the protocol's): a sources jar and a javadoc jar, each holding what
 * its name says. Runs after {@code package}, in {@code mvn verify}.
 */
class ReleaseArtifactsIT {
  private static Path attached(String classifier) throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files.filter(file -> file.getFileName().toString().startsWith("gantry-server-")
              && file.getFileName().toString().endsWith("-" + classifier + ".jar"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + classifier + " jar in target/"));
    }
  }

  @Test
  void theSourcesJarHoldsTheSources() throws IOException {
    try (JarFile sources = new JarFile(attached("sources").toFile())) {
      assertNotNull(sources.getEntry("dev/gantry/server/GantryServer.java"));
      assertNotNull(sources.getEntry("dev/gantry/server/http/HttpApiServer.java"));
    }
  }

  @Test
  void theJavadocJarDocumentsThePublicApi() throws IOException {
    try (JarFile javadoc = new JarFile(attached("javadoc").toFile())) {
      assertNotNull(javadoc.getEntry("index.html"));
      assertNotNull(javadoc.getEntry("dev/gantry/server/GantryServerBuilder.html"));
      assertTrue(new String(javadoc.getInputStream(
              javadoc.getEntry("dev/gantry/server/GantryServer.html")).readAllBytes())
          .contains("inProcessChannel"), "the embedding API is documented");
    }
  }
}
