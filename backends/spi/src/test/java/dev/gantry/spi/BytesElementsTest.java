package dev.gantry.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The BYTES serialisation: 4-byte little-endian lengths, each followed by its bytes. */
class BytesElementsTest {
  @Test
  void joinsAndSplitsElements() {
    ByteBuffer joined = BytesElements.joinStrings(new String[] {"", "a", "čerešňa"});
    assertEquals(3, BytesElements.count(joined));
    byte[][] elements = BytesElements.split(joined, 3);
    assertArrayEquals(new byte[0], elements[0]);
    assertEquals("čerešňa", new String(elements[2], StandardCharsets.UTF_8));
    assertEquals(0, joined.position(), "reading does not move the caller's buffer");
  }

  @Test
  void lengthsPastTheEndAreNamed() {
    ByteBuffer overrun = ByteBuffer.allocate(7).order(ByteOrder.LITTLE_ENDIAN).putInt(10).flip();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BytesElements.count(overrun));
    assertTrue(e.getMessage().contains("element 0 declares 10 bytes but only 0 remain"),
        e.getMessage());
    ByteBuffer truncated = ByteBuffer.wrap(new byte[] {1, 0});
    assertThrows(IllegalArgumentException.class, () -> BytesElements.count(truncated));
  }

  @Test
  void checkedCountComparesWithTheShape() throws Exception {
    Tensor two = new Tensor(DataType.BYTES, new long[] {2},
        BytesElements.joinStrings(new String[] {"x", "y"}));
    assertEquals(2, BytesElements.checkedCount("t", two));
    Tensor wrong = new Tensor(DataType.BYTES, new long[] {3},
        BytesElements.joinStrings(new String[] {"x", "y"}));
    InferenceException e =
        assertThrows(InferenceException.class, () -> BytesElements.checkedCount("t", wrong));
    assertTrue(e.getMessage().contains("needs 3 BYTES elements, got 2"), e.getMessage());
  }
}
