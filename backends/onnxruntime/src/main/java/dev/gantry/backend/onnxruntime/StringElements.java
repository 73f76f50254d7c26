package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.gantry.spi.BytesElements;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.InvalidInputException;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts the protocol's {@code BYTES} tensors to and from ONNX Runtime string tensors.
 *
 * <p>ONNX strings are UTF-8 text and ONNX Runtime's Java API exchanges them as Java strings, so an
 * element that is not valid UTF-8 cannot pass through unchanged: it is refused with an {@link
 * InvalidInputException} (the caller's fault) rather than silently altered. Valid UTF-8, including NUL characters and
 * characters outside the Basic Multilingual Plane, round-trips byte for byte.
 */
final class StringElements {
  private StringElements() {}

  /** The elements of a BYTES input as strings, row-major. */
  static String[] decode(String inputName, Tensor tensor) throws InferenceException {
    ByteBuffer data = tensor.data();
    long count = BytesElements.checkedCount(inputName, tensor);
    byte[][] elements = BytesElements.split(data, (int) count);
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    String[] strings = new String[elements.length];
    for (int i = 0; i < elements.length; i++) {
      try {
        strings[i] = utf8.decode(ByteBuffer.wrap(elements[i])).toString();
      } catch (CharacterCodingException e) {
        throw new InvalidInputException(
            "input '"
                + inputName
                + "' element "
                + i
                + " is not valid UTF-8; ONNX Runtime strings must be UTF-8 text",
            e);
      }
    }
    return strings;
  }

  /** A string result serialised as the protocol's BYTES elements, row-major. */
  static ByteBuffer encode(OnnxTensor tensor) throws OrtException {
    List<String> strings = new ArrayList<>();
    flatten(tensor.getValue(), strings);
    return BytesElements.joinStrings(strings.toArray(String[]::new));
  }

  /** ONNX Runtime returns a string, or nested arrays of strings one level per dimension. */
  private static void flatten(Object value, List<String> into) {
    if (value instanceof String string) {
      into.add(string);
    } else {
      for (Object element : (Object[]) value) {
        flatten(element, into);
      }
    }
  }
}
