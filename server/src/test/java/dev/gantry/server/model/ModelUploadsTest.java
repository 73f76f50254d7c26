package dev.gantry.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.ResourceExhaustedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing and deleting the model files sent in load calls. */
class ModelUploadsTest {
  @TempDir Path root;
  @TempDir Path elsewhere;

  @Test
  void writesEachCallsFilesIntoADirectoryOfTheirOwn() throws Exception {
    ModelUploads uploads = new ModelUploads(root, 100);

    Path first = uploads.write("m", Map.of("1/model.onnx", new byte[] {7}));
    Path second = uploads.write("m", Map.of("1/model.onnx", new byte[] {8}));

    assertFalse(first.equals(second));
    assertArrayEquals(new byte[] {7}, Files.readAllBytes(first.resolve("1/model.onnx")));
    uploads.delete(first);
    assertFalse(Files.exists(first));
    assertTrue(Files.exists(second.resolve("1/model.onnx")));
  }

  @Test
  void refusesFilesOverTheLimitAndPathsOutsideTheDirectory() {
    ModelUploads uploads = new ModelUploads(root, 4);

    ResourceExhaustedException tooBig = assertThrows(ResourceExhaustedException.class,
        () -> uploads.write("m", Map.of("1/model.onnx", new byte[5])));
    assertTrue(tooBig.getMessage().contains("total 5 bytes, over the server's limit of 4"),
        tooBig.getMessage());
    InvalidArgumentException escape = assertThrows(InvalidArgumentException.class,
        () -> uploads.write("m", Map.of("../x", new byte[1])));
    assertTrue(escape.getMessage().contains("parameter 'file:../x'"), escape.getMessage());
  }

  @Test
  void aRefusedCallLeavesNothingBehindNotEvenDirectories() throws Exception {
    ModelUploads uploads = new ModelUploads(root, 100);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("1/model.onnx", new byte[] {1});
    files.put("../../escape", new byte[] {2});

    assertThrows(InvalidArgumentException.class, () -> uploads.write("m", files));

    assertEquals(List.of(), entries(root));
  }

  @Test
  void deletingAModelsLastUploadDeletesItsDirectoryButNotAnothersUpload() throws Exception {
    ModelUploads uploads = new ModelUploads(root, 100);
    Path first = uploads.write("m", Map.of("1/model.onnx", new byte[] {1}));
    Path second = uploads.write("m", Map.of("1/model.onnx", new byte[] {2}));

    uploads.delete(first);
    assertTrue(Files.exists(second.resolve("1/model.onnx")));
    uploads.delete(second);

    assertEquals(List.of(), entries(root));
  }

  private static List<Path> entries(Path directory) throws Exception {
    try (var paths = Files.list(directory)) {
      return paths.toList();
    }
  }

  @Test
  void neverDeletesADirectoryThatIsNotAnUpload() throws Exception {
    Path model = Files.createDirectories(elsewhere.resolve("m/1"));
    new ModelUploads(root, 100).delete(elsewhere.resolve("m"));
    assertTrue(Files.isDirectory(model));
  }
}
