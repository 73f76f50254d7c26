package dev.gantry.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_STRING;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TString_GetDataPointer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TString_GetSize;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TString_Init;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TString_ResizeUninitialized;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorElementCount;

import dev.gantry.spi.BytesElements;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.Loader;
import org.tensorflow.internal.c_api.TF_TString;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * Converts the protocol's {@code BYTES} tensors to and from TensorFlow string tensors.
 *
 * <p>A TensorFlow string is a byte sequence of any content, so every element passes through
 * unchanged, whether or not it is text. Bytes are copied straight between Gantry's buffers and the
 * elements' memory, with no Java array per element.
 */
final class StringElements {
  private static final long TSTRING_SIZE = Loader.sizeof(TF_TString.class);

  private StringElements() {}

  /**
   * A new string tensor holding a BYTES input's elements.
   *
   * @throws InferenceException naming the input when its elements do not fill its shape exactly
   */
  static TF_Tensor write(String inputName, Tensor tensor) throws InferenceException {
    ByteBuffer data = tensor.data();
    long count = BytesElements.checkedCount(inputName, tensor);
    TF_Tensor strings = NativeTensors.allocate(TF_STRING, tensor.shape(), count * TSTRING_SIZE);
    TF_TString elements = NativeTensors.strings(strings);
    for (long i = 0; i < count; i++) {
      TF_TString_Init(elements.position(i));
    }
    try {
      for (long i = 0; i < count; i++) {
        int length = data.getInt();
        if (length > 0) {
          TF_TString_ResizeUninitialized(elements.position(i), length)
              .limit(length)
              .asByteBuffer()
              .put(data.slice().limit(length));
          data.position(data.position() + length);
        }
      }
    } catch (RuntimeException e) {
      NativeTensors.delete(strings);
      throw e;
    }
    return strings;
  }

  /** A string tensor's elements serialised as the protocol's BYTES elements, row-major. */
  static ByteBuffer read(TF_Tensor tensor) throws InferenceException {
    long count = TF_TensorElementCount(tensor);
    TF_TString elements = NativeTensors.strings(tensor);
    long size = 0;
    for (long i = 0; i < count; i++) {
      size += Integer.BYTES + TF_TString_GetSize(elements.position(i));
    }
    if (size > Integer.MAX_VALUE) {
      throw new InferenceException(
          "a string tensor of " + size + " serialised bytes is larger than a buffer can hold");
    }
    ByteBuffer serialized = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < count; i++) {
      TF_TString element = elements.position(i);
      int length = (int) TF_TString_GetSize(element);
      serialized.putInt(length);
      if (length > 0) {
        serialized.put(TF_TString_GetDataPointer(element).limit(length).asByteBuffer());
      }
    }
    return serialized.flip();
  }
}
