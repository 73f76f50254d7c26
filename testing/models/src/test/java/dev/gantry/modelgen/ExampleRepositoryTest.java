package dev.gantry.modelgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gantry.modelgen.onnx.GraphProto;
import dev.gantry.modelgen.onnx.ModelProto;
import dev.gantry.spi.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleRepositoryTest {
  @TempDir Path root;

  @Test
  void writesThreeModelsInTritonsLayout() throws Exception {
    ExampleRepository.write(root);

    try (Stream<Path> files = Files.walk(root)) {
      assertEquals(
          List.of(
              "identity_fp32/1/model.onnx",
              "mixed/1/model.onnx",
              "mixed/config.pbtxt",
              "simple/1/model.onnx",
              "simple/config.pbtxt"),
          files
              .filter(Files::isRegularFile)
              .map(file -> root.relativize(file).toString().replace('\\', '/'))
              .sorted()
              .toList());
    }
  }

  @Test
  void simpleIsAddSubWithADynamicBatchingConfiguration() throws Exception {
    ExampleRepository.write(root);

    GraphProto graph = graph("simple");
    assertEquals(
        List.of("INPUT0:FLOAT[batch,16]", "INPUT1:FLOAT[batch,16]"),
        ValueInfos.describe(graph.getInputList()));
    assertEquals(
        List.of("OUTPUT0:FLOAT[batch,16]", "OUTPUT1:FLOAT[batch,16]"),
        ValueInfos.describe(graph.getOutputList()));
    assertArrayEquals(
        OnnxModels.addSub(DataType.FP32, -1, 16),
        Files.readAllBytes(root.resolve("simple/1/model.onnx")));
    assertEquals(
        """
        name: "simple"
        platform: "onnxruntime_onnx"
        max_batch_size: 8
        input [
          {
            name: "INPUT0"
            data_type: TYPE_FP32
            dims: [ 16 ]
          },
          {
            name: "INPUT1"
            data_type: TYPE_FP32
            dims: [ 16 ]
          }
        ]
        output [
          {
            name: "OUTPUT0"
            data_type: TYPE_FP32
            dims: [ 16 ]
          },
          {
            name: "OUTPUT1"
            data_type: TYPE_FP32
            dims: [ 16 ]
          }
        ]
        dynamic_batching {
          max_queue_delay_microseconds: 100
        }
        instance_group [
          {
            count: 1
            kind: KIND_CPU
          }
        ]
        """,
        Files.readString(root.resolve("simple/config.pbtxt")));
  }

  @Test
  void identityHasNoConfigurationForTheServerToComplete() throws Exception {
    ExampleRepository.write(root);

    assertFalse(Files.exists(root.resolve("identity_fp32/config.pbtxt")));
    GraphProto graph = graph("identity_fp32");
    assertEquals(List.of("INPUT0:FLOAT[batch,4]"), ValueInfos.describe(graph.getInputList()));
    assertEquals(List.of("OUTPUT0:FLOAT[batch,4]"), ValueInfos.describe(graph.getOutputList()));
  }

  @Test
  void mixedBatchesUpToFourWithStringTensors() throws Exception {
    ExampleRepository.write(root);

    GraphProto graph = graph("mixed");
    assertEquals(
        List.of("features:FLOAT[batch,4]", "offset:INT64[batch,1]", "label:STRING[batch,1]"),
        ValueInfos.describe(graph.getInputList()));
    assertEquals(
        List.of("scores:FLOAT[batch,4]", "label_out:STRING[batch,1]"),
        ValueInfos.describe(graph.getOutputList()));
    assertEquals(
        """
        name: "mixed"
        platform: "onnxruntime_onnx"
        max_batch_size: 4
        input [
          {
            name: "features"
            data_type: TYPE_FP32
            dims: [ 4 ]
          },
          {
            name: "offset"
            data_type: TYPE_INT64
            dims: [ 1 ]
          },
          {
            name: "label"
            data_type: TYPE_STRING
            dims: [ 1 ]
          }
        ]
        output [
          {
            name: "scores"
            data_type: TYPE_FP32
            dims: [ 4 ]
          },
          {
            name: "label_out"
            data_type: TYPE_STRING
            dims: [ 1 ]
          }
        ]
        """,
        Files.readString(root.resolve("mixed/config.pbtxt")));
  }

  @Test
  void mainWritesToTheDirectoryArgument() throws Exception {
    Path target = root.resolve("repository");

    ExampleRepository.main(new String[] {target.toString()});

    assertArrayEquals(OnnxModels.mixed(), Files.readAllBytes(target.resolve("mixed/1/model.onnx")));
  }

  @Test
  void rewritingReplacesTheFiles() throws Exception {
    ExampleRepository.write(root);
    Files.writeString(root.resolve("simple/config.pbtxt"), "stale");

    ExampleRepository.write(root);

    assertEquals(
        "name: \"simple\"", Files.readAllLines(root.resolve("simple/config.pbtxt")).get(0));
  }

  private GraphProto graph(String model) throws Exception {
    return ModelProto.parseFrom(Files.readAllBytes(root.resolve(model).resolve("1/model.onnx")))
        .getGraph();
  }

  @Test
  void committedExampleRepositoryIsWhatThisClassWrites() throws Exception {
    Path committed = Path.of("..", "..", "examples", "models");
    ExampleRepository.write(root);
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path twin = committed.resolve(root.relativize(file).toString());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(twin),
            twin + " differs from what ExampleRepository writes; regenerate examples/models");
      }
    }
  }
}
