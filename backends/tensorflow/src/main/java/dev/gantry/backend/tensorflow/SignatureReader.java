package dev.gantry.backend.tensorflow;

import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.Shapes;
import dev.gantry.spi.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Reads the served {@code SignatureDef} of a loaded SavedModel as a {@link BoundSignature}.
 *
 * <p>Inputs and outputs are named by the signature's keys, not by the graph tensors behind them,
 * and listed in key order, since a signature's keys have no order of their own. Shapes come from
 * the signature, with {@code -1} for dimensions it leaves unknown. The reader refuses what Gantry
 * cannot serve, naming the tensor: an unknown rank, a sparse or composite tensor, an element type
 * with no protocol datatype, or a name the graph does not have.
 */
final class SignatureReader {
  /** The signature TensorFlow adds for the init op; it is not a function to serve. */
  private static final String INIT_OP_SIGNATURE = "__saved_model_init_op";

  private SignatureReader() {}

  static BoundSignature read(SavedModelSession session, String signatureKey, Path directory)
      throws ModelLoadException {
    Map<String, SignatureDef> signatures = session.signatures();
    SignatureDef signature = signatures.get(signatureKey);
    if (signature == null || signatureKey.equals(INIT_OP_SIGNATURE)) {
      throw new ModelLoadException(
          "TensorFlow SavedModel "
              + directory
              + " has no signature '"
              + signatureKey
              + "'; its signatures are "
              + new TreeMap<>(signatures)
                  .keySet().stream().filter(key -> !key.equals(INIT_OP_SIGNATURE)).toList());
    }
    String prefix = "cannot serve " + directory + " signature '" + signatureKey + "': ";
    return new BoundSignature(
        tensors(session, prefix + "input", signature.getInputsMap()),
        tensors(session, prefix + "output", signature.getOutputsMap()));
  }

  private static List<SignatureTensor> tensors(
      SavedModelSession session, String kind, Map<String, TensorInfo> infos)
      throws ModelLoadException {
    List<SignatureTensor> tensors = new ArrayList<>(infos.size());
    for (Map.Entry<String, TensorInfo> entry : new TreeMap<>(infos).entrySet()) {
      tensors.add(tensor(session, kind + " '" + entry.getKey() + "' ", entry));
    }
    return tensors;
  }

  private static SignatureTensor tensor(
      SavedModelSession session, String prefix, Map.Entry<String, TensorInfo> entry)
      throws ModelLoadException {
    TensorInfo info = entry.getValue();
    if (info.getEncodingCase() != TensorInfo.EncodingCase.NAME) {
      throw new ModelLoadException(
          prefix + "is a sparse or composite tensor; only dense tensors are supported");
    }
    DataType type =
        DataTypes.toDataType(info.getDtype())
            .orElseThrow(
                () ->
                    new ModelLoadException(
                        prefix
                            + "has element type "
                            + info.getDtype()
                            + ", which has no datatype in the inference protocol"));
    TensorShapeProto shape = info.getTensorShape();
    if (!info.hasTensorShape() || shape.getUnknownRank()) {
      throw new ModelLoadException(
          prefix + "has an unknown rank; serving needs the number of dimensions of every tensor");
    }
    SavedModelSession.GraphTensor graphTensor =
        session
            .graphTensor(info.getName())
            .orElseThrow(
                () ->
                    new ModelLoadException(
                        prefix
                            + "names graph tensor '"
                            + info.getName()
                            + "', which the graph does not have"));
    if (graphTensor.nativeType() != info.getDtypeValue()) {
      throw new ModelLoadException(
          prefix
              + "is declared "
              + info.getDtype()
              + " but graph tensor '"
              + info.getName()
              + "' is "
              + org.tensorflow.proto.DataType.forNumber(graphTensor.nativeType()));
    }
    long[] dims =
        shape.getDimList().stream()
            .mapToLong(dim -> dim.getSize() < 0 ? Shapes.VARIABLE : dim.getSize())
            .toArray();
    return new SignatureTensor(
        new TensorSpec(entry.getKey(), type, dims), graphTensor.operation(), graphTensor.index());
  }
}
