package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gantry.client.TensorDatatype;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request data read from a JSON file into the raw encoding. */
class JsonDataTest {
  private static final ModelInfo MODEL = new ModelInfo("m", "", 4,
      List.of(new InputSpec("x", TensorDatatype.INT32, new long[] {-1, 2}),
          new InputSpec("s", TensorDatatype.BYTES, new long[] {-1, 1}),
          new InputSpec("f", TensorDatatype.BOOL, new long[] {-1, 1})),
      List.of("y"));

  @TempDir Path dir;

  @Test
  void encodesEachEntryRawLittleEndian() throws IOException {
    List<RequestData> requests = read(
        "{\"data\":[{\"x\":[[1,-2]],\"s\":[\"hé\"],\"f\":[true]},{\"x\":[3,4],\"s\":[\"\"],\"f\":[0]}]}", 1);

    assertEquals(2, requests.size());
    TensorData x = requests.get(0).inputs().get(0);
    assertArrayEquals(new long[] {1, 2}, x.shape());
    ByteBuffer ints = x.data().order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(1, ints.getInt());
    assertEquals(-2, ints.getInt());
    ByteBuffer string = requests.get(0).inputs().get(1).data().order(ByteOrder.LITTLE_ENDIAN);
    byte[] utf8 = "hé".getBytes(StandardCharsets.UTF_8);
    assertEquals(utf8.length, string.getInt());
    byte[] read = new byte[utf8.length];
    string.get(read);
    assertArrayEquals(utf8, read);
    assertEquals(1, requests.get(0).inputs().get(2).data().get());
    assertEquals(0, requests.get(1).inputs().get(2).data().get());
  }

  @Test
  void repeatsOneItemForEachItemOfTheBatch() throws IOException {
    TensorData x = read("{\"data\":[{\"x\":[7,8],\"s\":[\"a\"],\"f\":[false]}]}", 3)
        .get(0).inputs().get(0);

    assertArrayEquals(new long[] {3, 2}, x.shape());
    assertEquals(3 * 2 * Integer.BYTES, x.byteSize());
    assertEquals(7, x.data().order(ByteOrder.LITTLE_ENDIAN).getInt(4 * Integer.BYTES));
  }

  @Test
  void anExplicitShapeReplacesTheModels() throws IOException {
    TensorData x = read("{\"data\":[{\"x\":{\"content\":[1,2,3],\"shape\":[3]},\"s\":[\"a\"],"
        + "\"f\":[true]}]}", 1).get(0).inputs().get(0);

    assertArrayEquals(new long[] {1, 3}, x.shape());
  }

  @Test
  void namesTheEntryAndInputThatDoNotFit() {
    assertEquals("data[0] has no input 'f'", assertThrows(IllegalArgumentException.class,
        () -> read("{\"data\":[{\"x\":[1,2],\"s\":[\"a\"]}]}", 1)).getMessage());
    assertEquals("data[0].x has 3 elements but shape [2,2] needs 4 (or 2 for one batch item)",
        assertThrows(IllegalArgumentException.class,
            () -> read("{\"data\":[{\"x\":[1,2,3],\"s\":[\"a\",\"b\"],\"f\":[1,1]}]}", 2))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> read("{\"rows\":[]}", 1));
    assertThrows(IllegalArgumentException.class, () -> read("{\"data\":[]}", 1));
    assertThrows(IllegalArgumentException.class, () -> read("not json", 1));
  }

  private List<RequestData> read(String json, int batch) throws IOException {
    Path file = Files.writeString(dir.resolve("data.json"), json);
    return JsonData.read(file, MODEL, ShapeResolver.resolve(MODEL, batch, Map.of()));
  }
}
