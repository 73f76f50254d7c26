package dev.gantry.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One named input tensor of an inference request: its datatype, shape and data.
 *
 * <p>Built from Java arrays, strings or a {@link ByteBuffer} through one factory per datatype, so
 * the data always has the right element type, and the shape is checked against the amount of data
 * here, before anything is sent. The data is held in the protocol's raw little-endian encoding:
 * arrays are copied once into it, a {@code ByteBuffer} is sent as it is without a copy.
 *
 * <p>Instances are immutable and may be reused across requests; a {@code ByteBuffer} passed to
 * {@link #raw} must not be changed while a request holding it is in flight.
 */
public final class InferInput {
  private final String name;
  private final TensorDatatype datatype;
  private final long[] shape;
  private final ByteString contents;
  private final SharedMemoryRange sharedMemory;

  private InferInput(String name, TensorDatatype datatype, long[] shape, ByteString contents,
      SharedMemoryRange sharedMemory) {
    this.name = name;
    this.datatype = datatype;
    this.shape = shape;
    this.contents = contents;
    this.sharedMemory = sharedMemory;
  }

  /**
   * A tensor the server reads from a registered system shared-memory region instead of the
   * request: the caller has written its raw encoding there. Only the range travels.
   */
  public static InferInput sharedMemory(
      String name, TensorDatatype datatype, SharedMemoryRange range, long... shape) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    long[] dimensions = shape.clone();
    Shapes.elementCount(describe(name), dimensions);
    return new InferInput(name, datatype, dimensions, ByteString.EMPTY,
        Objects.requireNonNull(range, "range"));
  }

  /** A BOOL tensor. */
  public static InferInput bool(String name, boolean[] data, long... shape) {
    return of(name, TensorDatatype.BOOL, shape, data.length, () -> RawContents.ofBooleans(data));
  }

  /** A UINT8 tensor; each byte is read as unsigned. */
  public static InferInput uint8(String name, byte[] data, long... shape) {
    return of(name, TensorDatatype.UINT8, shape, data.length, () -> RawContents.ofBytes(data));
  }

  /** An INT8 tensor. */
  public static InferInput int8(String name, byte[] data, long... shape) {
    return of(name, TensorDatatype.INT8, shape, data.length, () -> RawContents.ofBytes(data));
  }

  /** A UINT16 tensor; each short is read as unsigned. */
  public static InferInput uint16(String name, short[] data, long... shape) {
    return of(name, TensorDatatype.UINT16, shape, data.length, () -> RawContents.ofShorts(data));
  }

  /** An INT16 tensor. */
  public static InferInput int16(String name, short[] data, long... shape) {
    return of(name, TensorDatatype.INT16, shape, data.length, () -> RawContents.ofShorts(data));
  }

  /** A UINT32 tensor; each int is read as unsigned. */
  public static InferInput uint32(String name, int[] data, long... shape) {
    return of(name, TensorDatatype.UINT32, shape, data.length, () -> RawContents.ofInts(data));
  }

  /** An INT32 tensor. */
  public static InferInput int32(String name, int[] data, long... shape) {
    return of(name, TensorDatatype.INT32, shape, data.length, () -> RawContents.ofInts(data));
  }

  /** A UINT64 tensor; each long is read as unsigned. */
  public static InferInput uint64(String name, long[] data, long... shape) {
    return of(name, TensorDatatype.UINT64, shape, data.length, () -> RawContents.ofLongs(data));
  }

  /** An INT64 tensor. */
  public static InferInput int64(String name, long[] data, long... shape) {
    return of(name, TensorDatatype.INT64, shape, data.length, () -> RawContents.ofLongs(data));
  }

  /** An FP16 tensor, each value rounded to the nearest half-precision value. */
  public static InferInput fp16(String name, float[] data, long... shape) {
    return of(name, TensorDatatype.FP16, shape, data.length, () -> RawContents.ofFp16(data));
  }

  /** A BF16 tensor, each value rounded to the nearest bfloat16 value. */
  public static InferInput bf16(String name, float[] data, long... shape) {
    return of(name, TensorDatatype.BF16, shape, data.length, () -> RawContents.ofBf16(data));
  }

  /** An FP32 tensor. */
  public static InferInput fp32(String name, float[] data, long... shape) {
    return of(name, TensorDatatype.FP32, shape, data.length, () -> RawContents.ofFloats(data));
  }

  /** An FP64 tensor. */
  public static InferInput fp64(String name, double[] data, long... shape) {
    return of(name, TensorDatatype.FP64, shape, data.length, () -> RawContents.ofDoubles(data));
  }

  /** A BYTES tensor of arbitrary byte strings. */
  public static InferInput bytes(String name, List<byte[]> data, long... shape) {
    return of(name, TensorDatatype.BYTES, shape, data.size(), () -> RawContents.ofElements(data));
  }

  /** A BYTES tensor of strings, each encoded as UTF-8. */
  public static InferInput strings(String name, List<String> data, long... shape) {
    return of(
        name,
        TensorDatatype.BYTES,
        shape,
        data.size(),
        () ->
            RawContents.ofElements(
                data.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList()));
  }

  /**
   * A tensor whose data is already in the protocol's raw encoding: little-endian, row-major, and
   * for BYTES each element a 4-byte little-endian length followed by its bytes. The remaining bytes
   * of {@code data} are sent without a copy; its position, limit and byte order are not changed.
   *
   * @throws IllegalArgumentException if the bytes do not hold exactly the elements of the shape
   */
  public static InferInput raw(
      String name, TensorDatatype datatype, ByteBuffer data, long... shape) {
    Objects.requireNonNull(datatype, "datatype");
    ByteBuffer slice = data.slice();
    long elements;
    if (datatype.hasFixedSize()) {
      if (slice.remaining() % datatype.byteSize() != 0) {
        throw new IllegalArgumentException(
            describe(name)
                + ": "
                + slice.remaining()
                + " bytes are not a whole number of "
                + datatype
                + " elements");
      }
      elements = slice.remaining() / datatype.byteSize();
    } else {
      try {
        elements = RawContents.elements(slice).size();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(describe(name) + ": " + e.getMessage(), e);
      }
    }
    return of(name, datatype, shape, elements, () -> UnsafeByteOperations.unsafeWrap(slice));
  }

  /** The input's name, as the model declares it. */
  public String name() {
    return name;
  }

  /** The input's datatype. */
  public TensorDatatype datatype() {
    return datatype;
  }

  /** The input's shape; a copy. */
  public long[] shape() {
    return shape.clone();
  }

  /** The input's data in the raw encoding, as it is sent; empty when it is in shared memory. */
  ByteString contents() {
    return contents;
  }

  /** Where the server reads the input, when it is in shared memory; otherwise null. */
  SharedMemoryRange sharedMemoryRange() {
    return sharedMemory;
  }

  private static InferInput of(
      String name,
      TensorDatatype datatype,
      long[] shape,
      long length,
      Supplier<ByteString> encoder) {
    Objects.requireNonNull(name, "name");
    long[] dimensions = shape.clone();
    long expected = Shapes.elementCount(describe(name), dimensions);
    if (expected != length) {
      throw new IllegalArgumentException(
          describe(name)
              + ": shape "
              + Arrays.toString(dimensions)
              + " holds "
              + expected
              + " elements but the data has "
              + length);
    }
    return new InferInput(name, datatype, dimensions, encoder.get(), null);
  }

  private static String describe(String name) {
    return "input \"" + name + "\"";
  }
}
