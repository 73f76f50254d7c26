package dev.gantry.server.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gantry.proto.ModelConfig;
import dev.gantry.server.model.LabelsFile;
import dev.gantry.spi.BytesElements;
import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the server's other parsers of bytes it does not control: a model's {@code config.pbtxt}
 * (read, completed against a model with an input of each kind, turned into a batching policy and
 * instance placements, as loading does) and the BYTES element decoder. The first byte picks the
 * parser; the rest is its input. A configuration either loads or fails with a {@link
 * ModelLoadException} (which a load reports as the model's reason, never as a crash); BYTES either
 * decode into elements that serialise back to the same bytes or fail with {@link
 * IllegalArgumentException} naming the element; a labels file ({@link LabelsFile}) never throws
 * and yields only well-formed labels on ready versions; anything else, or more than five seconds,
 * is a finding.
 *
 * <p>{@code mvn test} runs it in the {@code fuzz-config} surefire execution, like {@code
 * RequestFuzzTest}: first on its seeds in {@code ConfigFuzzTestInputs/parse} (configurations from
 * the repository docs, corner cases of BYTES and of labels files), then fuzzing for {@code
 * maxDuration}. First byte even: a configuration; odd with bit 1 clear: BYTES; odd with bit 1 set:
 * a labels file.
 */
class ConfigFuzzTest {
  private static final ModelSignature SIGNATURE = new ModelSignature(
      List.of(
          new TensorSpec("INPUT0", DataType.FP32, new long[] {-1, 16}),
          new TensorSpec("ids", DataType.INT64, new long[] {-1, -1}),
          new TensorSpec("label", DataType.BYTES, new long[] {-1, 1})),
      List.of(
          new TensorSpec("OUTPUT0", DataType.FP32, new long[] {-1, 16}),
          new TensorSpec("label_out", DataType.BYTES, new long[] {-1, 1})));

  private static Path model;
  private static ExecutorService checker;

  /** Also loads the classes parsing touches, so that no seed pays for that within its limit. */
  @BeforeAll
  static void setUp() throws IOException {
    model = Files.createTempDirectory("config-fuzz").resolve("fuzz");
    Files.createDirectories(model);
    checker = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "config-fuzz-checker");
      thread.setDaemon(true);
      return thread;
    });
    checkConfig(Files.readAllBytes(Path.of("../examples/models/simple/config.pbtxt")));
  }

  @AfterAll
  static void tearDown() throws IOException {
    checker.shutdownNow();
    Files.deleteIfExists(model.resolve(ModelConfigs.FILE_NAME));
    Files.deleteIfExists(model.resolve(LabelsFile.NAME));
    Files.deleteIfExists(model);
    Files.deleteIfExists(model.getParent());
  }

  @FuzzTest(maxDuration = "10s")
  void parse(byte[] bytes) throws Throwable {
    if (bytes.length == 0) {
      return;
    }
    byte[] input = Arrays.copyOfRange(bytes, 1, bytes.length);
    Future<?> check = checker.submit(() -> {
      if ((bytes[0] & 1) == 0) {
        checkConfig(input);
      } else if ((bytes[0] & 2) == 0) {
        checkBytes(input);
      } else {
        checkLabels(input);
      }
      return null;
    });
    try {
      check.get(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      check.cancel(true);
      fail("parsing " + input.length + " bytes did not finish within 5 seconds");
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }

  private static void checkConfig(byte[] text) throws IOException {
    Files.write(model.resolve(ModelConfigs.FILE_NAME), text);
    try {
      Optional<ModelConfig> declared = ModelConfigs.read(model);
      ModelConfig config = ModelConfigs.complete(declared.orElse(ModelConfig.getDefaultInstance()),
          "fuzz", "onnxruntime", "onnxruntime_onnx", SIGNATURE);
      BatchingPolicies.from(config, 16);
      InstancePlacements.from(config);
    } catch (ModelLoadException refused) {
      assertEquals(false, refused.getMessage() == null || refused.getMessage().isEmpty(),
          "a refusal says why");
    }
  }

  /** Odd versions are ready; every label kept must be well formed and on a ready version. */
  private static void checkLabels(byte[] text) throws IOException {
    Files.write(model.resolve(LabelsFile.NAME), text);
    Map<String, Long> labels = LabelsFile.read("fuzz", model, Map.of("stable", 1L),
        version -> version % 2 == 1);
    labels.forEach((label, version) -> {
      assertTrue(label.matches("[A-Za-z][A-Za-z0-9_.-]*"), "label '" + label + "'");
      assertEquals(1, version % 2, "label '" + label + "' on version " + version);
    });
  }

  private static void checkBytes(byte[] serialized) {
    long count;
    try {
      count = BytesElements.count(ByteBuffer.wrap(serialized));
    } catch (IllegalArgumentException refused) {
      return;
    }
    byte[][] elements = BytesElements.split(ByteBuffer.wrap(serialized), Math.toIntExact(count));
    ByteBuffer joined = BytesElements.join(elements);
    byte[] again = new byte[joined.remaining()];
    joined.get(again);
    assertArrayEquals(serialized, again);
  }
}
