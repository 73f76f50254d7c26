package dev.gantry.client;

/**
 * The tensor element types of the Open Inference Protocol.
 *
 * <p>The protocol names datatypes with strings ({@code "FP32"}, {@code "BYTES"}, ...); this enum
 * gives them a type so that a misspelt datatype is a compile error rather than a server error, and
 * records how many bytes one element takes in the raw little-endian encoding. It is the client's
 * own, so the client depends on nothing of the server (whose layers share the backend SPI's
 * {@code DataType}).
 */
public enum TensorDatatype {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  BF16(2),
  FP32(4),
  FP64(8),
  /** Variable-length byte strings, each encoded as a 4-byte little-endian length and the bytes. */
  BYTES(-1);

  private final int byteSize;

  TensorDatatype(int byteSize) {
    this.byteSize = byteSize;
  }

  /** The name the protocol uses for this datatype, e.g. {@code "FP32"}. */
  public String wireName() {
    return name();
  }

  /**
   * The size in bytes of one element in the raw encoding.
   *
   * @throws UnsupportedOperationException for {@link #BYTES}, whose elements vary in size
   */
  public int byteSize() {
    if (byteSize < 0) {
      throw new UnsupportedOperationException("BYTES elements have no fixed size");
    }
    return byteSize;
  }

  /** Whether every element of this datatype takes the same number of bytes. */
  public boolean hasFixedSize() {
    return byteSize > 0;
  }

  /**
   * The datatype the protocol names {@code wireName}.
   *
   * @throws IllegalArgumentException if the protocol has no such datatype
   */
  public static TensorDatatype fromWireName(String wireName) {
    for (TensorDatatype datatype : values()) {
      if (datatype.name().equals(wireName)) {
        return datatype;
      }
    }
    throw new IllegalArgumentException("unknown datatype \"" + wireName + "\"");
  }
}
