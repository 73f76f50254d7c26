package dev.gantry.client;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;

/**
 * One output tensor of an inference response, read back as a Java array of its element type.
 *
 * <p>Each {@code as...} method reads the datatypes stored in that Java type and throws {@link
 * IllegalStateException} naming the actual datatype for any other, so that reading an INT32 output
 * as floats is an error rather than garbage. Unsigned datatypes read into the signed Java type of
 * the same width, bit for bit (use {@link Byte#toUnsignedInt}, {@link Integer#toUnsignedLong} and
 * the like). {@link #buffer()} gives the raw little-endian bytes without a copy.
 */
public final class InferOutput {
  private final String name;
  private final TensorDatatype datatype;
  private final long[] shape;
  private final long elementCount;
  private final ByteString contents;
  private final SharedMemoryRange sharedMemory;

  /**
   * An output with contents in the raw encoding.
   *
   * @throws IllegalArgumentException if the contents do not fit the shape and datatype
   */
  InferOutput(String name, TensorDatatype datatype, long[] shape, ByteString contents) {
    this(name, datatype, shape, contents, null);
  }

  /**
   * An output the server wrote into shared memory, with no contents in the response.
   *
   * @param written where, and how many bytes the server wrote
   */
  InferOutput(String name, TensorDatatype datatype, long[] shape, SharedMemoryRange written) {
    this(name, datatype, shape, ByteString.EMPTY, written);
  }

  private InferOutput(String name, TensorDatatype datatype, long[] shape, ByteString contents,
      SharedMemoryRange sharedMemory) {
    this.name = name;
    this.datatype = datatype;
    this.shape = shape.clone();
    this.elementCount = Shapes.elementCount(describe(), this.shape);
    this.contents = contents;
    this.sharedMemory = sharedMemory;
    if (sharedMemory == null && datatype.hasFixedSize() && contents.size() != elementCount * datatype.byteSize()) {
      throw new IllegalArgumentException(
          describe()
              + ": "
              + datatype
              + " "
              + Arrays.toString(shape)
              + " needs "
              + elementCount * datatype.byteSize()
              + " bytes but the server sent "
              + contents.size());
    }
  }

  /** The output's name. */
  public String name() {
    return name;
  }

  /** The output's datatype. */
  public TensorDatatype datatype() {
    return datatype;
  }

  /** The output's shape; a copy. */
  public long[] shape() {
    return shape.clone();
  }

  /** The number of elements, the product of the shape. */
  public long elementCount() {
    return elementCount;
  }

  /** The raw contents: little-endian, row-major, read-only, sharing the response's bytes. */
  public ByteBuffer buffer() {
    return RawContents.view(contents);
  }

  /** A BOOL output; any nonzero byte is {@code true}. */
  public boolean[] asBooleans() {
    require("asBooleans()", TensorDatatype.BOOL);
    boolean[] values = new boolean[contents.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = contents.byteAt(i) != 0;
    }
    return values;
  }

  /** An INT8 or UINT8 output. */
  public byte[] asBytes() {
    require("asBytes()", TensorDatatype.INT8, TensorDatatype.UINT8);
    return contents.toByteArray();
  }

  /** An INT16 or UINT16 output. */
  public short[] asShorts() {
    require("asShorts()", TensorDatatype.INT16, TensorDatatype.UINT16);
    short[] values = new short[(int) elementCount];
    buffer().asShortBuffer().get(values);
    return values;
  }

  /** An INT32 or UINT32 output. */
  public int[] asInts() {
    require("asInts()", TensorDatatype.INT32, TensorDatatype.UINT32);
    int[] values = new int[(int) elementCount];
    buffer().asIntBuffer().get(values);
    return values;
  }

  /** An INT64 or UINT64 output. */
  public long[] asLongs() {
    require("asLongs()", TensorDatatype.INT64, TensorDatatype.UINT64);
    long[] values = new long[(int) elementCount];
    buffer().asLongBuffer().get(values);
    return values;
  }

  /** An FP32 output. */
  public float[] asFloats() {
    require("asFloats()", TensorDatatype.FP32);
    float[] values = new float[(int) elementCount];
    buffer().asFloatBuffer().get(values);
    return values;
  }

  /** An FP64 output. */
  public double[] asDoubles() {
    require("asDoubles()", TensorDatatype.FP64);
    double[] values = new double[(int) elementCount];
    buffer().asDoubleBuffer().get(values);
    return values;
  }

  /** An FP16 output, each value widened exactly to a {@code float}. */
  public float[] asFloatsFromHalf() {
    require("asFloatsFromHalf()", TensorDatatype.FP16);
    ByteBuffer buffer = buffer();
    float[] values = new float[(int) elementCount];
    for (int i = 0; i < values.length; i++) {
      values[i] = HalfPrecision.fp16ToFloat(buffer.getShort());
    }
    return values;
  }

  /** A BF16 output, each value widened exactly to a {@code float}. */
  public float[] asFloatsFromBf16() {
    require("asFloatsFromBf16()", TensorDatatype.BF16);
    ByteBuffer buffer = buffer();
    float[] values = new float[(int) elementCount];
    for (int i = 0; i < values.length; i++) {
      values[i] = HalfPrecision.bf16ToFloat(buffer.getShort());
    }
    return values;
  }

  /**
   * A BYTES output, one array per element.
   *
   * @throws IllegalStateException if the output is not BYTES or its elements do not match its shape
   */
  public List<byte[]> asByteArrays() {
    require("asByteArrays()", TensorDatatype.BYTES);
    List<byte[]> elements;
    try {
      elements = RawContents.elements(buffer());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(describe() + ": " + e.getMessage(), e);
    }
    if (elements.size() != elementCount) {
      throw new IllegalStateException(
          describe()
              + ": shape "
              + Arrays.toString(shape)
              + " holds "
              + elementCount
              + " elements but the server sent "
              + elements.size());
    }
    return elements;
  }

  /** A BYTES output, each element decoded as UTF-8. */
  public List<String> asStrings() {
    return asByteArrays().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
  }

  /**
   * An output requested with {@link OutputOption#classCount(int)}: its top classes, highest
   * first, batch item after batch item when the model batches.
   *
   * @throws IllegalStateException if the output is not BYTES or an element is not {@code
   *     value:index[:label]}
   */
  public List<Classification> asClassifications() {
    try {
      return asStrings().stream().map(Classification::parse).toList();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(describe() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Where the server wrote this output, when it was requested with {@link
   * OutputOption#sharedMemory}: the region, the offset and the bytes written. Such an output has
   * no contents in the response; read it from the region.
   */
  public java.util.Optional<SharedMemoryRange> sharedMemory() {
    return java.util.Optional.ofNullable(sharedMemory);
  }

  private void require(String read, TensorDatatype... readable) {
    if (sharedMemory != null) {
      throw new IllegalStateException(describe() + " was written to shared memory region \""
          + sharedMemory.region() + "\" (" + sharedMemory.byteSize() + " bytes at offset "
          + sharedMemory.offset() + "); read it there");
    }
    if (!Arrays.asList(readable).contains(datatype)) {
      StringJoiner names = new StringJoiner(" or ");
      for (TensorDatatype type : readable) {
        names.add(type.wireName());
      }
      throw new IllegalStateException(
          describe() + " is " + datatype + "; " + read + " reads " + names);
    }
  }

  private String describe() {
    return "output \"" + name + "\"";
  }
}
