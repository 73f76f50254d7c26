package dev.gantry.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.MapEntry;
import com.google.protobuf.Message;
import java.math.BigInteger;
import java.util.Base64;
import java.util.List;

/**
 * Protocol messages as the JSON that Triton's HTTP API answers with, which is not protobuf's own
 * JSON mapping: field names as in the proto, 64-bit integers as JSON numbers (protobuf would
 * quote them), every scalar field present with its value even when it is the default (so that a
 * zero count reads as 0 rather than missing), and a parameter message (one {@code
 * parameter_choice} oneof) as the bare value it holds.
 */
final class ProtoJson {
  private static final String PARAMETER_CHOICE = "parameter_choice";

  private ProtoJson() {}

  static JsonObject object(Message message) {
    JsonObject json = new JsonObject();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      OneofDescriptor oneof = field.getRealContainingOneof();
      boolean present = field.isRepeated()
          || (oneof == null && field.getJavaType() != FieldDescriptor.JavaType.MESSAGE)
          || message.hasField(field);
      if (present) {
        json.add(field.getName(), field(field, message.getField(field)));
      }
    }
    return json;
  }

  /** A message as JSON; a parameter message as the value it holds. */
  static JsonElement value(Message message) {
    List<OneofDescriptor> oneofs = message.getDescriptorForType().getRealOneofs();
    if (oneofs.size() == 1 && oneofs.get(0).getName().equals(PARAMETER_CHOICE)) {
      FieldDescriptor set = message.getOneofFieldDescriptor(oneofs.get(0));
      return set == null ? JsonNull.INSTANCE : scalar(set, message.getField(set));
    }
    return object(message);
  }

  private static JsonElement field(FieldDescriptor field, Object value) {
    if (field.isMapField()) {
      JsonObject map = new JsonObject();
      for (Object entry : (List<?>) value) {
        MapEntry<?, ?> pair = (MapEntry<?, ?>) entry;
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        map.add(String.valueOf(pair.getKey()), scalar(valueField, pair.getValue()));
      }
      return map;
    }
    if (field.isRepeated()) {
      JsonArray array = new JsonArray();
      for (Object element : (List<?>) value) {
        array.add(scalar(field, element));
      }
      return array;
    }
    return scalar(field, value);
  }

  private static JsonElement scalar(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case MESSAGE -> value((Message) value);
      case ENUM -> new JsonPrimitive(((EnumValueDescriptor) value).getName());
      case BYTE_STRING -> new JsonPrimitive(
          Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
      case BOOLEAN -> new JsonPrimitive((Boolean) value);
      case STRING -> new JsonPrimitive((String) value);
      case LONG -> unsigned(field)
          ? new JsonPrimitive(new BigInteger(Long.toUnsignedString((Long) value)))
          : new JsonPrimitive((Long) value);
      case INT -> unsigned(field)
          ? new JsonPrimitive(Integer.toUnsignedLong((Integer) value))
          : new JsonPrimitive((Integer) value);
      case FLOAT, DOUBLE -> new JsonPrimitive((Number) value);
    };
  }

  private static boolean unsigned(FieldDescriptor field) {
    return switch (field.getType()) {
      case UINT32, UINT64, FIXED32, FIXED64 -> true;
      default -> false;
    };
  }
}
