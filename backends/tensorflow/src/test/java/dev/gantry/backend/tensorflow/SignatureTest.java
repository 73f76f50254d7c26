package dev.gantry.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gantry.spi.DataType;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

class SignatureTest {
  @TempDir static Path root;

  private static InstanceSpec dense;
  private static InstanceSpec mixed;
  private static InstanceSpec strings;
  private static InstanceSpec identities;
  private static InstanceSpec twoSignatures;
  private static InstanceSpec complexOutput;
  private static InstanceSpec unknownRank;

  private final TensorFlowBackend backend = new TensorFlowBackend();

  @BeforeAll
  static void writeModels() throws Exception {
    dense =
        TestRepository.write(
            root,
            "dense",
            dir -> SavedModels.dense(dir, new float[][] {{1, 2}, {3, 4}, {5, 6}}, new float[2]));
    mixed = TestRepository.write(root, "mixed", SavedModels::mixed);
    strings = TestRepository.write(root, "strings", SavedModels::strings);
    identities = TestRepository.write(root, "identities", SavedModels::identities);
    twoSignatures = TestRepository.write(root, "two", SavedModels::twoSignatures);
    complexOutput = TestRepository.write(root, "complex", SavedModels::complexOutput);
    unknownRank = TestRepository.write(root, "unranked", SavedModels::unknownRank);
  }

  @Test
  void denseHasAVariableBatchDimension() throws Exception {
    assertEquals(
        new ModelSignature(
            List.of(spec("x", DataType.FP32, -1, 3)), List.of(spec("y", DataType.FP32, -1, 2))),
        signature(dense));
  }

  @Test
  void mixedListsItsKeysInOrderWithTheirDatatypes() throws Exception {
    assertEquals(
        new ModelSignature(
            List.of(
                spec("features", DataType.FP32, -1, 4),
                spec("flag", DataType.BOOL, -1, 1),
                spec("label", DataType.BYTES, -1, 1),
                spec("offset", DataType.INT64, -1, 1)),
            List.of(
                spec("count", DataType.INT64, -1, 1),
                spec("label_out", DataType.BYTES, -1, 1),
                spec("negated", DataType.BOOL, -1, 1),
                spec("scores", DataType.FP32, -1, 4))),
        signature(mixed));
  }

  @Test
  void stringsAreBytes() throws Exception {
    assertEquals(
        new ModelSignature(
            List.of(spec("text", DataType.BYTES, -1)),
            List.of(spec("greeting", DataType.BYTES, -1), spec("length", DataType.INT32, -1))),
        signature(strings));
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  void everyDatatypeHasItsTensorFlowType(DataType type) throws Exception {
    InstanceSpec spec =
        TestRepository.withParameters(
            identities, Map.of("signature_name", SavedModels.identitySignature(type)));

    assertEquals(
        new ModelSignature(List.of(spec("in", type, -1, 2)), List.of(spec("out", type, -1, 2))),
        signature(spec));
  }

  @Test
  void servingDefaultIsServedUnlessAnotherSignatureIsNamed() throws Exception {
    InstanceSpec timesTen =
        TestRepository.withParameters(twoSignatures, Map.of("signature_name", "times_ten"));

    assertEquals(List.of(spec("plus_one", DataType.FP32, -1)), signature(twoSignatures).outputs());
    assertEquals(List.of(spec("scaled", DataType.FP32, -1)), signature(timesTen).outputs());
  }

  @Test
  void anUnknownSignatureNameListsTheSignatures() {
    InstanceSpec spec =
        TestRepository.withParameters(twoSignatures, Map.of("signature_name", "times_two"));

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(spec));

    assertEquals(
        "TensorFlow SavedModel "
            + savedModel(twoSignatures)
            + " has no signature 'times_two'; its signatures are [serving_default, times_ten]",
        error.getMessage());
  }

  @Test
  void anElementTypeWithoutAProtocolDatatypeIsRefusedNamingTheTensor() {
    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> backend.load(complexOutput));

    assertEquals(
        "cannot serve "
            + savedModel(complexOutput)
            + " signature 'serving_default': output 'z' has element type DT_COMPLEX64, which has"
            + " no datatype in the inference protocol",
        error.getMessage());
  }

  @Test
  void anUnknownRankIsRefusedNamingTheTensor() {
    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> backend.load(unknownRank));

    assertEquals(
        "cannot serve "
            + savedModel(unknownRank)
            + " signature 'serving_default': input 'x' has an unknown rank; serving needs the"
            + " number of dimensions of every tensor",
        error.getMessage());
  }

  @Test
  void aSparseTensorIsRefusedNamingIt() throws Exception {
    InstanceSpec sparse =
        rewrittenIncrement(
            "sparse",
            signature ->
                signature.putInputs(
                    "x",
                    signature.getInputsOrThrow("x").toBuilder()
                        .setCooSparse(
                            TensorInfo.CooSparse.newBuilder()
                                .setValuesTensorName("x:0")
                                .setIndicesTensorName("x:0")
                                .setDenseShapeTensorName("x:0"))
                        .build()));

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(sparse));

    assertEquals(
        "cannot serve "
            + savedModel(sparse)
            + " signature 'serving_default': input 'x' is a sparse or composite tensor; only"
            + " dense tensors are supported",
        error.getMessage());
  }

  @Test
  void aGraphTensorTheGraphDoesNotHaveIsRefusedNamingIt() throws Exception {
    InstanceSpec dangling =
        rewrittenIncrement(
            "dangling",
            signature ->
                signature.putOutputs(
                    "y",
                    signature.getOutputsOrThrow("y").toBuilder().setName("nowhere:0").build()));

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> backend.load(dangling));

    assertEquals(
        "cannot serve "
            + savedModel(dangling)
            + " signature 'serving_default': output 'y' names graph tensor 'nowhere:0', which the"
            + " graph does not have",
        error.getMessage());
  }

  @Test
  void aDatatypeTheGraphDoesNotHaveIsRefusedNamingIt() throws Exception {
    InstanceSpec misdeclared =
        rewrittenIncrement(
            "misdeclared",
            signature ->
                signature.putInputs(
                    "x",
                    signature.getInputsOrThrow("x").toBuilder()
                        .setDtype(org.tensorflow.proto.DataType.DT_DOUBLE)
                        .build()));

    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> backend.load(misdeclared));

    assertEquals(
        "cannot serve "
            + savedModel(misdeclared)
            + " signature 'serving_default': input 'x' is declared DT_DOUBLE but graph tensor"
            + " 'x:0' is DT_FLOAT",
        error.getMessage());
  }

  /** The increment model with its {@code serving_default} signature edited in saved_model.pb. */
  private static InstanceSpec rewrittenIncrement(
      String name, Consumer<SignatureDef.Builder> rewrite) throws Exception {
    InstanceSpec spec =
        TestRepository.write(root, name, dir -> SavedModels.increment(dir, "serve"));
    Path file = savedModel(spec).resolve("saved_model.pb");
    SavedModel.Builder savedModel = SavedModel.parseFrom(Files.readAllBytes(file)).toBuilder();
    MetaGraphDef.Builder metaGraph = savedModel.getMetaGraphsBuilder(0);
    SignatureDef.Builder signature =
        metaGraph.getSignatureDefOrThrow("serving_default").toBuilder();
    rewrite.accept(signature);
    metaGraph.putSignatureDef("serving_default", signature.build());
    Files.write(file, savedModel.build().toByteArray());
    return spec;
  }

  private ModelSignature signature(InstanceSpec spec) throws Exception {
    try (ModelInstance instance = backend.load(spec)) {
      return instance.signature();
    }
  }

  private static Path savedModel(InstanceSpec spec) {
    return spec.versionDirectory().resolve("model.savedmodel");
  }

  private static TensorSpec spec(String name, DataType type, long... shape) {
    return new TensorSpec(name, type, shape);
  }
}
