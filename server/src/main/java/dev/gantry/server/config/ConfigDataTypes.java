package dev.gantry.server.config;

import dev.gantry.spi.DataType;
import java.util.Optional;

/** Translates between configuration datatypes ({@code TYPE_FP32}) and protocol ones ({@code FP32}). */
public final class ConfigDataTypes {
  private ConfigDataTypes() {}

  /** The protocol datatype of a configuration datatype; empty for {@code TYPE_INVALID}. */
  public static Optional<DataType> toProtocol(dev.gantry.proto.DataType type) {
    return switch (type) {
      case TYPE_BOOL -> Optional.of(DataType.BOOL);
      case TYPE_UINT8 -> Optional.of(DataType.UINT8);
      case TYPE_UINT16 -> Optional.of(DataType.UINT16);
      case TYPE_UINT32 -> Optional.of(DataType.UINT32);
      case TYPE_UINT64 -> Optional.of(DataType.UINT64);
      case TYPE_INT8 -> Optional.of(DataType.INT8);
      case TYPE_INT16 -> Optional.of(DataType.INT16);
      case TYPE_INT32 -> Optional.of(DataType.INT32);
      case TYPE_INT64 -> Optional.of(DataType.INT64);
      case TYPE_FP16 -> Optional.of(DataType.FP16);
      case TYPE_FP32 -> Optional.of(DataType.FP32);
      case TYPE_FP64 -> Optional.of(DataType.FP64);
      case TYPE_STRING -> Optional.of(DataType.BYTES);
      case TYPE_BF16 -> Optional.of(DataType.BF16);
      case TYPE_INVALID, UNRECOGNIZED -> Optional.empty();
    };
  }

  /** The configuration datatype of a protocol datatype. */
  public static dev.gantry.proto.DataType toConfig(DataType type) {
    return switch (type) {
      case BOOL -> dev.gantry.proto.DataType.TYPE_BOOL;
      case UINT8 -> dev.gantry.proto.DataType.TYPE_UINT8;
      case UINT16 -> dev.gantry.proto.DataType.TYPE_UINT16;
      case UINT32 -> dev.gantry.proto.DataType.TYPE_UINT32;
      case UINT64 -> dev.gantry.proto.DataType.TYPE_UINT64;
      case INT8 -> dev.gantry.proto.DataType.TYPE_INT8;
      case INT16 -> dev.gantry.proto.DataType.TYPE_INT16;
      case INT32 -> dev.gantry.proto.DataType.TYPE_INT32;
      case INT64 -> dev.gantry.proto.DataType.TYPE_INT64;
      case FP16 -> dev.gantry.proto.DataType.TYPE_FP16;
      case FP32 -> dev.gantry.proto.DataType.TYPE_FP32;
      case FP64 -> dev.gantry.proto.DataType.TYPE_FP64;
      case BYTES -> dev.gantry.proto.DataType.TYPE_STRING;
      case BF16 -> dev.gantry.proto.DataType.TYPE_BF16;
    };
  }
}
