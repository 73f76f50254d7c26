package dev.gantry.server.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the OCI image tarball that Jib wrote during the build and checks what a container
 * runtime will run: the entrypoint, its default arguments, the user, the ports and the files.
 *
 * <p>The tarball read here is built on an empty base so that no registry is needed; the image
 * settings are the same ones {@code -Pimage} applies on the JRE base.
 */
class ImageContentIT {
  private static Path imageTar;
  private static Map<String, byte[]> blobs;
  private static JsonObject manifest;
  private static JsonObject config;

  @BeforeAll
  static void readImage() throws IOException {
    Path tar = Path.of(System.getProperty("gantry.image.tar", "target/gantry-image-test.tar"));
    assertTrue(Files.isRegularFile(tar), "the build wrote no image tarball at " + tar);
    imageTar = tar;
    blobs = TarEntries.small(Files.newInputStream(tar));
    JsonObject index = json(blobs.get("index.json"));
    JsonArray manifests = index.getAsJsonArray("manifests");
    assertEquals(1, manifests.size(), "one image in the tarball");
    manifest = json(blob(manifests.get(0).getAsJsonObject().get("digest").getAsString()));
    assertEquals("application/vnd.oci.image.manifest.v1+json",
        manifest.get("mediaType").getAsString());
    config = json(blob(manifest.getAsJsonObject("config").get("digest").getAsString()))
        .getAsJsonObject("config");
  }

  @Test
  void entrypointIsGantryServeWithContainerAwareHeap() {
    List<String> entrypoint = strings(config.getAsJsonArray("Entrypoint"));
    assertEquals("java", entrypoint.get(0));
    assertTrue(entrypoint.contains("-XX:MaxRAMPercentage=50"), entrypoint.toString());
    assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError"), entrypoint.toString());
    assertEquals(List.of("-cp", "@/app/jib-classpath-file", "dev.gantry.server.Main", "serve"),
        entrypoint.subList(entrypoint.size() - 4, entrypoint.size()));
    assertEquals(List.of("--model-repository", "/mnt/models"),
        strings(config.getAsJsonArray("Cmd")));
  }

  @Test
  void runsAsNonRootUser() {
    String user = config.get("User").getAsString();
    assertEquals("65532:65532", user);
    assertTrue(!user.startsWith("0") && !user.startsWith("root"), user);
  }

  @Test
  void declaresRestGrpcAndMetricsPorts() {
    assertEquals(Set.of("8000/tcp", "8001/tcp", "8002/tcp"),
        config.getAsJsonObject("ExposedPorts").keySet());
  }

  @Test
  void layersHoldTheServerAndItsBackends() throws IOException {
    Set<String> layers = new HashSet<>();
    for (JsonElement layer : manifest.getAsJsonArray("layers")) {
      layers.add("blobs/" + layer.getAsJsonObject().get("digest").getAsString().replace(':', '/'));
    }
    Set<String> files = new TreeSet<>();
    TarEntries.visit(Files.newInputStream(imageTar), (name, content) -> {
      if (layers.contains(name)) {
        files.addAll(TarEntries.names(new GZIPInputStream(content)));
      }
    });
    assertTrue(files.contains("app/classes/dev/gantry/server/Main.class"), "server classes");
    for (String jar : List.of("gantry-proto-", "gantry-backend-spi-",
        "gantry-backend-onnxruntime-", "gantry-backend-tensorflow-", "grpc-netty-shaded-",
        "onnxruntime", "tensorflow-core-api-")) {
      assertTrue(files.stream().anyMatch(f -> f.startsWith("app/libs/" + jar)),
          "no app/libs/" + jar + "*.jar in " + files);
    }
    assertTrue(files.contains("app/jib-classpath-file"), "the classpath file the entrypoint reads");
  }

  private static byte[] blob(String digest) {
    byte[] bytes = blobs.get("blobs/" + digest.replace(':', '/'));
    assertTrue(bytes != null, "the tarball lacks blob " + digest);
    return bytes;
  }

  private static JsonObject json(byte[] bytes) {
    return JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  private static List<String> strings(JsonArray array) {
    List<String> strings = new ArrayList<>();
    array.forEach(element -> strings.add(element.getAsString()));
    return strings;
  }

  /** What to do with one regular file of a tar stream; {@code content} holds exactly its bytes. */
  private interface EntryVisitor {
    void visit(String name, InputStream content) throws IOException;
  }

  /** A minimal streaming reader of the ustar entries Jib writes. */
  private static final class TarEntries {
    private static final int SMALL = 1 << 20;

    /** The regular files under 1 MiB (index, manifest, configuration), by name. */
    static Map<String, byte[]> small(InputStream stream) throws IOException {
      Map<String, byte[]> entries = new HashMap<>();
      visit(stream, (name, content) -> {
        byte[] bytes = content.readNBytes(SMALL);
        if (bytes.length < SMALL) {
          entries.put(name, bytes);
        }
      });
      return entries;
    }

    /** The names of the regular files. */
    static Set<String> names(InputStream stream) throws IOException {
      Set<String> names = new TreeSet<>();
      visit(stream, (name, content) -> names.add(name));
      return names;
    }

    static void visit(InputStream stream, EntryVisitor visitor) throws IOException {
      try (InputStream in = stream) {
        byte[] header = new byte[512];
        String longName = null;
        while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
          String prefix = field(header, 345, 155);
          String name = longName != null ? longName
              : prefix.isEmpty() ? field(header, 0, 100) : prefix + "/" + field(header, 0, 100);
          longName = null;
          long size = Long.parseLong(field(header, 124, 12).trim(), 8);
          BoundedStream content = new BoundedStream(in, size);
          byte type = header[156];
          if (type == 'L') {
            longName = new String(content.readAllBytes(), StandardCharsets.UTF_8).replace("\0", "");
          } else if (type == '0' || type == 0) {
            visitor.visit(name.startsWith("/") ? name.substring(1) : name, content);
          }
          content.skipNBytes(content.remaining);
          in.skipNBytes((512 - size % 512) % 512);
        }
      }
    }

    private static String field(byte[] header, int offset, int length) {
      int end = offset;
      while (end < offset + length && header[end] != 0) {
        end++;
      }
      return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }
  }

  /** The next {@code remaining} bytes of a stream, which closing leaves open. */
  private static final class BoundedStream extends FilterInputStream {
    long remaining;

    BoundedStream(InputStream in, long size) {
      super(in);
      remaining = size;
    }

    @Override
    public int read() throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int b = in.read();
      remaining -= b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, remaining));
      remaining -= Math.max(n, 0);
      return n;
    }

    @Override
    public void close() {}
  }
}
