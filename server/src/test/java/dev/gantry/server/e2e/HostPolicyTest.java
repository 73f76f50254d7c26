package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gantry.backend.tensorflow.SavedModels;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelConfigRequest;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInstanceGroup;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.affinity.ThreadAffinity;
import dev.gantry.server.config.HostPolicies;
import dev.gantry.server.model.ModelState;
import dev.gantry.server.model.VersionStatus;
import dev.gantry.spi.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host policies over a real server: the instances of a group that names a policy compute on its
 * cores, as the kernel reports them in /proc; other instances are left where they were.
 */
class HostPolicyTest {
  /**
   * The cores of each of this process's threads whose name starts with {@code prefix}; threads
   * that end while being read are left out.
   */
  private static List<String> coresOfThreads(String prefix) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks
          .filter(task -> read(task.resolve("comm")).strip().startsWith(prefix))
          .map(task -> read(task.resolve("status")).lines()
              .filter(line -> line.startsWith("Cpus_allowed_list:"))
              .map(line -> line.substring(line.indexOf(':') + 1).strip())
              .findFirst())
          .flatMap(Optional::stream)
          .toList();
    }
  }

  /** The file's text, or nothing when its thread has ended. */
  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The cores of the threads whose name starts with {@code prefix}, once there are {@code count}
   * of them: a new thread takes its name a moment after it starts.
   */
  private static List<String> coresOfThreads(String prefix, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> cores = coresOfThreads(prefix);
    while (cores.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
      cores = coresOfThreads(prefix);
    }
    return cores;
  }

  /** This process's threads, by id. */
  private static Set<String> threadIds() throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.map(task -> task.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  @Test
  void threadsTensorFlowStartsForABoundInstanceRunOnItsCores(@TempDir Path root) throws Exception {
    String all = ThreadAffinity.current().toString();
    String core = all.replaceAll(".*[-,]", "");
    Path savedModel = root.resolve("dense_tf").resolve("1").resolve("model.savedmodel");
    Files.createDirectories(savedModel.getParent());
    SavedModels.dense(savedModel, new float[][] {{1f, 2f}}, new float[] {0.5f, -1f});
    new TestRepository(root).config("dense_tf",
        "instance_group [ { kind: KIND_CPU host_policy: \"pinned\" } ]\n");
    Set<String> before = threadIds();
    ServerOptions options = ServerOptions.forRepositories(root)
        .withHostPolicies(HostPolicies.parse(List.of("pinned,cpu-cores=" + core)));
    try (RunningServer gantry = new RunningServer(options)) {
      assertEquals(List.of(core), coresOfThreads("gantry-dense_tf", 1));
      Set<String> started = threadIds();
      started.removeAll(before);
      List<String> startedOnCore = started.stream()
          .map(id -> Path.of("/proc/self/task", id))
          .filter(task -> !read(task.resolve("comm")).startsWith("gantry-dense_tf"))
          .filter(task -> read(task.resolve("status"))
              .contains("Cpus_allowed_list:\t" + core + "\n"))
          .map(task -> read(task.resolve("comm")).strip())
          .toList();
      assertFalse(startedOnCore.isEmpty(), "TensorFlow's session threads start on the cores");
      ModelInferRequest request = ModelInferRequest.newBuilder()
          .setModelName("dense_tf")
          .addInputs(Tensors.input("x", "FP32", 1, 1))
          .addRawInputContents(Tensors.floats(new float[] {2f}))
          .build();
      assertEquals(Tensors.floats(new float[] {2.5f, 3f}),
          gantry.blocking.modelInfer(request).getRawOutputContents(0));
    }
  }

  @Test
  void instancesOfAPolicyRunOnItsCoresAndTheRestStayUnbound(@TempDir Path root) throws Exception {
    String all = ThreadAffinity.current().toString();
    String core = all.replaceAll(".*[-,]", "");
    ExampleRepository.write(root);
    TestRepository repository = new TestRepository(root)
        .onnx("hp", 1, OnnxModels.addSub(DataType.FP32, -1, 16))
        .config("hp", """
            max_batch_size: 8
            instance_group [ { count: 2 kind: KIND_CPU host_policy: "pinned" } ]
            """)
        .onnx("stray", 1, OnnxModels.addSub(DataType.FP32, -1, 16))
        .config("stray", "instance_group [ { kind: KIND_CPU host_policy: \"nowhere\" } ]\n");
    ServerOptions options = ServerOptions.forRepositories(repository.root())
        .withHostPolicies(HostPolicies.parse(List.of("pinned,cpu-cores=" + core)));
    try (RunningServer gantry = new RunningServer(options)) {
      assertEquals(List.of(core, core), coresOfThreads("gantry-hp-v1-in", 2));
      assertEquals(List.of(all), coresOfThreads("gantry-simple-v", 1),
          "an instance whose policy is not defined runs where the process runs");
      assertEquals(all, ThreadAffinity.current().toString(), "the test thread is untouched");

      assertEquals(2, gantry.blocking.modelInfer(Tensors.addSub("hp", 3, 2f, 1f))
          .getRawOutputContentsCount());
      ModelConfig config = gantry.blocking.modelConfig(
          ModelConfigRequest.newBuilder().setName("hp").build()).getConfig();
      assertEquals(1, config.getInstanceGroupCount());
      ModelInstanceGroup group = config.getInstanceGroup(0);
      assertEquals("pinned", group.getHostPolicy());
      assertEquals(2, group.getCount());
      assertEquals("cpu", gantry.blocking.modelConfig(ModelConfigRequest.newBuilder()
          .setName("simple").build()).getConfig().getInstanceGroup(0).getHostPolicy());

      assertFalse(gantry.blocking.modelReady(
          ModelReadyRequest.newBuilder().setName("stray").build()).getReady());
      VersionStatus stray = gantry.server.repository().index().stream()
          .filter(status -> status.model().equals("stray"))
          .findFirst()
          .orElseThrow();
      assertEquals(ModelState.UNAVAILABLE, stray.state());
      assertEquals("instance_group host_policy 'nowhere' is not defined; define it with "
          + "--host-policy nowhere,cpu-cores=LIST (defined: pinned)", stray.reason());
    }
  }
}
