package dev.gantry.spi;

import java.util.Optional;

/**
 * The tensor element types of the Open Inference Protocol, named as on the wire.
 *
 * <p>Every layer of Gantry speaks these names, so a datatype never needs translating between the
 * transport, the scheduler and a backend. {@link #BYTES} elements have no fixed size: each is a
 * 4-byte little-endian length followed by that many bytes.
 */
public enum DataType {
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
  BYTES(0);

  private final int elementSize;

  DataType(int elementSize) {
    this.elementSize = elementSize;
  }

  /** Bytes per element, or 0 for {@link #BYTES}, whose elements vary in length. */
  public int elementSize() {
    return elementSize;
  }

  /** Whether every element takes {@link #elementSize()} bytes. */
  public boolean isFixedSize() {
    return elementSize > 0;
  }

  /** The datatype with this protocol name ({@code "FP32"}), if there is one. */
  public static Optional<DataType> fromWireName(String name) {
    for (DataType type : values()) {
      if (type.name().equals(name)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
