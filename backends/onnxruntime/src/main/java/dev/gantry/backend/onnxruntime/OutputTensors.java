package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Copies a run's results out of ONNX Runtime's memory into Gantry tensors the caller owns, with the
 * shapes the run actually produced, before the result is closed.
 */
final class OutputTensors {
  private OutputTensors() {}

  static Map<String, Tensor> read(OrtSession.Result result) throws OrtException {
    Map<String, Tensor> outputs = new HashMap<>();
    for (Map.Entry<String, OnnxValue> entry : result) {
      OnnxTensor tensor = (OnnxTensor) entry.getValue();
      TensorInfo info = tensor.getInfo();
      DataType type =
          ElementTypes.toDataType(info.onnxType)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "output '"
                              + entry.getKey()
                              + "' has element type "
                              + info.onnxType
                              + ", which loading should have refused"));
      ByteBuffer data =
          type == DataType.BYTES ? StringElements.encode(tensor) : tensor.getByteBuffer();
      outputs.put(entry.getKey(), new Tensor(type, info.getShape(), data));
    }
    return outputs;
  }
}
