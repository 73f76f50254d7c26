package dev.gantry.server.memory;

import dev.gantry.server.error.AlreadyExistsException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.NotFoundException;
import dev.gantry.server.error.ResourceExhaustedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The system shared-memory regions clients registered (Triton's system shared-memory extension),
 * each mapped once with {@link FileChannel#map} so that requests read inputs from and write
 * outputs to the client's memory without copying them through the socket.
 *
 * <p>A key names a POSIX shared-memory object as {@code shm_open} does, {@code /name}: one file
 * directly in the shared-memory directory ({@code /dev/shm}), never a path, a link or anything
 * but a regular file, so no key reaches outside it. The number of regions is bounded, and one
 * region is at most {@link #MAX_REGION_BYTES} (the most one Java mapping holds).
 *
 * <p>Registering opens and maps a file of a memory file system, which does no disk I/O, so it runs
 * on the calling thread. Unregistering only forgets the region: requests still using it keep
 * their mapping until they finish, and the JVM unmaps it when nothing refers to it.
 */
public final class SharedMemoryRegistry {
  /** The most regions registered at once. */
  public static final int MAX_REGIONS = 64;

  /** The most bytes one region maps. */
  public static final long MAX_REGION_BYTES = Integer.MAX_VALUE;

  /** Where POSIX shared-memory objects live on Linux. */
  public static final Path SYSTEM_DIRECTORY = Path.of("/dev/shm");

  private static final Pattern OBJECT_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,255}");

  private final Path directory;
  private final int maxRegions;
  private final Map<String, SharedMemoryRegion> regions = new LinkedHashMap<>();

  /**
   * @param directory the shared-memory directory keys resolve in
   * @param maxRegions the most regions registered at once
   */
  public SharedMemoryRegistry(Path directory, int maxRegions) {
    this.directory = directory.toAbsolutePath().normalize();
    this.maxRegions = maxRegions;
  }

  /**
   * Maps {@code byteSize} bytes from {@code offset} of the object {@code key} as region {@code
   * name}.
   *
   * @throws InvalidArgumentException for an empty name, a bad key, or a window outside the object
   * @throws NotFoundException when the object does not exist
   * @throws AlreadyExistsException when a region of that name is registered
   * @throws ResourceExhaustedException when {@link #MAX_REGIONS} regions are registered
   */
  public SharedMemoryRegion register(String name, String key, long offset, long byteSize) {
    if (name.isEmpty()) {
      throw new InvalidArgumentException("name is required: the region's name for requests");
    }
    String object = objectName(key);
    if (byteSize < 1 || byteSize > MAX_REGION_BYTES) {
      throw new InvalidArgumentException("byte_size of region '" + name + "' is "
          + Long.toUnsignedString(byteSize) + "; expected 1 to " + MAX_REGION_BYTES + " bytes");
    }
    if (offset < 0) {
      throw new InvalidArgumentException("offset of region '" + name + "' is "
          + Long.toUnsignedString(offset) + "; expected at most the object's size");
    }
    synchronized (regions) {
      if (regions.containsKey(name)) {
        throw new AlreadyExistsException(
            "shared memory region '" + name + "' is already registered; unregister it first");
      }
      if (regions.size() >= maxRegions) {
        throw new ResourceExhaustedException("cannot register region '" + name + "': "
            + maxRegions + " shared memory regions are registered, the server's limit");
      }
      SharedMemoryRegion region = new SharedMemoryRegion(name, key, offset,
          map(name, object, offset, byteSize));
      regions.put(name, region);
      return region;
    }
  }

  /**
   * The regions registered, or only the named one.
   *
   * @param name a region's name, or empty for all
   * @throws NotFoundException when the named region is not registered
   */
  public List<SharedMemoryRegion> status(String name) {
    synchronized (regions) {
      if (name.isEmpty()) {
        return List.copyOf(regions.values());
      }
      return List.of(region(name));
    }
  }

  /**
   * Forgets the named region, or every region; a name that is not registered is no error, as in
   * Triton.
   *
   * @param name a region's name, or empty for all
   */
  public void unregister(String name) {
    synchronized (regions) {
      if (name.isEmpty()) {
        regions.clear();
      } else {
        regions.remove(name);
      }
    }
  }

  /**
   * The window an input or output of a request names, checked to lie inside its region.
   *
   * @param field how messages name the tensor, {@code input 'x'}
   * @throws NotFoundException when the region is not registered
   * @throws InvalidArgumentException when the window is not inside the region
   */
  public SharedMemorySlice slice(String field, String name, long offset, long byteSize) {
    SharedMemoryRegion region;
    synchronized (regions) {
      region = regions.get(name);
    }
    if (region == null) {
      throw new NotFoundException(field + ": shared memory region '" + name
          + "' is not registered; register it with SystemSharedMemoryRegister");
    }
    if (offset < 0 || byteSize < 0 || offset > region.byteSize() - byteSize) {
      throw new InvalidArgumentException(field + ": shared_memory_offset "
          + Long.toUnsignedString(offset) + " plus shared_memory_byte_size "
          + Long.toUnsignedString(byteSize) + " goes beyond region '" + name + "' of "
          + region.byteSize() + " bytes");
    }
    return new SharedMemorySlice(name, offset, byteSize, region.slice(offset, byteSize));
  }

  private SharedMemoryRegion region(String name) {
    SharedMemoryRegion region = regions.get(name);
    if (region == null) {
      throw new NotFoundException("shared memory region '" + name + "' is not registered");
    }
    return region;
  }

  /**
   * The object a key names: {@code /name} (or {@code name}), one file directly in the directory.
   * Messages name the object without its slash, since the server hides absolute paths from
   * callers.
   */
  private static String objectName(String key) {
    String object = key.startsWith("/") ? key.substring(1) : key;
    if (!OBJECT_NAME.matcher(object).matches() || object.equals(".") || object.equals("..")) {
      throw new InvalidArgumentException("key '" + key + "' is not a shared memory object name: "
          + "expected '/' and then 1 to 255 letters, digits, '_', '.' or '-'");
    }
    return object;
  }

  private ByteBuffer map(String name, String object, long offset, long byteSize) {
    Path file = directory.resolve(object);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new NotFoundException("shared memory object '" + object + "' does not exist; "
          + "create it (shm_open) before registering region '" + name + "'");
    }
    if (!attributes.isRegularFile()) {
      throw new InvalidArgumentException(
          "shared memory object '" + object + "' is not a regular file");
    }
    if (offset > attributes.size() - byteSize) {
      throw new InvalidArgumentException("offset " + offset + " plus byte_size " + byteSize
          + " of region '" + name + "' goes beyond shared memory object '" + object + "' of "
          + attributes.size() + " bytes");
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      return channel.map(FileChannel.MapMode.READ_WRITE, offset, byteSize);
    } catch (IOException e) {
      throw new InvalidArgumentException("cannot map shared memory object '" + object
          + "' for region '" + name + "': " + e.getClass().getSimpleName());
    }
  }
}
