package dev.gantry.backend.tensorflow;

import dev.gantry.spi.TensorSpec;
import org.tensorflow.internal.c_api.TF_Operation;

/**
 * One input or output of the served signature: what Gantry sees of it and the graph tensor it
 * names, resolved once when the model loads so that no execution looks a name up.
 *
 * @param spec the tensor under the signature's key, with its datatype and shape
 * @param operation the graph operation producing the tensor; owned by the session's graph
 * @param index which output of {@code operation} the tensor is
 */
record SignatureTensor(TensorSpec spec, TF_Operation operation, int index) {
  String name() {
    return spec.name();
  }
}
