package dev.gantry.server.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gantry.server.error.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a key may name, on a directory standing in for /dev/shm. */
class SharedMemoryRegistryTest {
  @TempDir Path directory;

  @Test
  void aLinkOrADirectoryIsNotAnObject() throws Exception {
    Path outside = Files.write(Files.createTempFile("outside", ".bin"), new byte[64]);
    try {
      Files.createSymbolicLink(directory.resolve("link"), outside);
      Files.createDirectory(directory.resolve("dir"));
      SharedMemoryRegistry registry = new SharedMemoryRegistry(directory, 4);
      assertEquals("shared memory object 'link' is not a regular file",
          assertThrows(InvalidArgumentException.class,
              () -> registry.register("a", "/link", 0, 16)).getMessage());
      assertEquals("shared memory object 'dir' is not a regular file",
          assertThrows(InvalidArgumentException.class,
              () -> registry.register("b", "/dir", 0, 16)).getMessage());
      assertEquals(0, registry.status("").size());
    } finally {
      Files.delete(outside);
    }
  }

  @Test
  void aSliceIsAViewOfTheMappedObject() throws Exception {
    Files.write(directory.resolve("obj"), new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
    SharedMemoryRegistry registry = new SharedMemoryRegistry(directory, 4);
    registry.register("r", "/obj", 2, 6);
    SharedMemorySlice slice = registry.slice("input 'x'", "r", 1, 3);
    assertEquals(3, slice.view().remaining());
    assertEquals(3, slice.view().get(0));
    slice.view().put(0, (byte) 42);
    registry.unregister("r");
    assertEquals(42, Files.readAllBytes(directory.resolve("obj"))[3]);
  }
}
