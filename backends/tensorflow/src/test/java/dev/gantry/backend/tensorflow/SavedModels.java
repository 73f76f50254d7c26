package dev.gantry.backend.tensorflow;

import dev.gantry.spi.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.strings.StringLength;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Writes small TensorFlow SavedModels with TensorFlow Java's graph API and exporter, for tests.
 *
 * <p>Public and shipped in this module's test jar ({@code gantry-backend-tensorflow:tests}) so that
 * other modules' tests can serve real TensorFlow models. Every method writes one SavedModel
 * directory (the {@code model.savedmodel} of a version directory) tagged {@code serve} unless told
 * otherwise. Exporting takes a few hundred milliseconds, so write each model once per test class.
 */
public final class SavedModels {
  private SavedModels() {}

  /**
   * A dense layer {@code y = x·W + b}: input {@code x} FP32 {@code [-1, rows of W]}, output {@code
   * y} FP32 {@code [-1, columns of W]}, with {@code W} and {@code b} as variables restored from the
   * SavedModel's checkpoint.
   */
  public static void dense(Path directory, float[][] weights, float[] bias) throws IOException {
    export(
        directory,
        List.of(SavedModelBundle.DEFAULT_TAG),
        tf -> {
          Placeholder<TFloat32> x =
              tf.withName("x")
                  .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, weights.length)));
          Operand<TFloat32> w = tf.withName("W").variable(tf.constant(StdArrays.ndCopyOf(weights)));
          Operand<TFloat32> b = tf.withName("b").variable(tf.constant(bias));
          Operand<TFloat32> y = tf.withName("y").math.add(tf.linalg.matMul(x, w), b);
          return List.of(Signature.builder().input("x", x).output("y", y).build());
        });
  }

  /**
   * Several inputs and outputs of different types, listed here in key order. Inputs: {@code
   * features} FP32 {@code [-1, 4]}, {@code flag} BOOL {@code [-1, 1]}, {@code label} BYTES {@code
   * [-1, 1]}, {@code offset} INT64 {@code [-1, 1]}. Outputs: {@code count} INT64 {@code [-1, 1]}
   * ({@code offset * 2}), {@code label_out} BYTES {@code [-1, 1]} ({@code label} passed through),
   * {@code negated} BOOL {@code [-1, 1]} ({@code !flag}) and {@code scores} FP32 {@code [-1, 4]}
   * ({@code features + offset}, broadcast along each row).
   */
  public static void mixed(Path directory) throws IOException {
    export(
        directory,
        List.of(SavedModelBundle.DEFAULT_TAG),
        tf -> {
          Placeholder<TFloat32> features =
              tf.withName("features").placeholder(TFloat32.class, shape(-1, 4));
          Placeholder<TInt64> offset =
              tf.withName("offset").placeholder(TInt64.class, shape(-1, 1));
          Placeholder<TBool> flag = tf.withName("flag").placeholder(TBool.class, shape(-1, 1));
          Placeholder<TString> label =
              tf.withName("label").placeholder(TString.class, shape(-1, 1));
          return List.of(
              Signature.builder()
                  .input("features", features)
                  .input("offset", offset)
                  .input("flag", flag)
                  .input("label", label)
                  .output(
                      "scores",
                      tf.withName("scores")
                          .math
                          .add(features, tf.dtypes.cast(offset, TFloat32.class)))
                  .output("count", tf.withName("count").math.mul(offset, tf.constant(2L)))
                  .output("negated", tf.withName("negated").math.logicalNot(flag))
                  .output("label_out", tf.withName("label_out").identity(label))
                  .build());
        });
  }

  /**
   * A string model: input {@code text} BYTES {@code [-1]}; outputs {@code length} INT32 {@code
   * [-1]}, each element's length in bytes, and {@code greeting} BYTES {@code [-1]}, {@code "hello,
   * "} followed by the element.
   */
  public static void strings(Path directory) throws IOException {
    export(
        directory,
        List.of(SavedModelBundle.DEFAULT_TAG),
        tf -> {
          Placeholder<TString> text = tf.withName("text").placeholder(TString.class, shape(-1));
          return List.of(
              Signature.builder()
                  .input("text", text)
                  .output(
                      "length",
                      tf.withName("length").strings.stringLength(text, StringLength.unit("BYTE")))
                  .output(
                      "greeting",
                      tf.withName("greeting").strings.join(List.of(tf.constant("hello, "), text)))
                  .build());
        });
  }

  /**
   * One identity signature per protocol datatype, keyed {@link #identitySignature}: input {@code
   * in} and output {@code out} of that datatype, shape {@code [-1, 2]}.
   */
  public static void identities(Path directory) throws IOException {
    export(
        directory,
        List.of(SavedModelBundle.DEFAULT_TAG),
        tf -> {
          List<Signature> signatures = new ArrayList<>();
          for (DataType type : DataType.values()) {
            String key = identitySignature(type);
            Operation in = placeholder(tf, key + "_in", type, Shape.of(-1, 2));
            Operand<?> out = tf.withName(key + "_out").identity(in.output(0));
            signatures.add(
                Signature.builder().key(key).input("in", in.output(0)).output("out", out).build());
          }
          return signatures;
        });
  }

  /** The key of the identity signature for a datatype in {@link #identities}, e.g. {@code fp32}. */
  public static String identitySignature(DataType type) {
    return "identity_" + type.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Two signatures over one FP32 input {@code x} {@code [-1]}: {@code serving_default} with output
   * {@code plus_one} ({@code x + 1}) and {@code times_ten} with output {@code scaled} ({@code x *
   * 10}).
   */
  public static void twoSignatures(Path directory) throws IOException {
    export(
        directory,
        List.of(SavedModelBundle.DEFAULT_TAG),
        tf -> {
          Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, shape(-1));
          return List.of(
              Signature.builder()
                  .input("x", x)
                  .output("plus_one", tf.withName("plus_one").math.add(x, tf.constant(1f)))
                  .build(),
              Signature.builder()
                  .key("times_ten")
                  .input("x", x)
                  .output("scaled", tf.withName("scaled").math.mul(x, tf.constant(10f)))
                  .build());
        });
  }

  /**
   * {@code serving_default} with input {@code x} FP32 {@code [-1]} and output {@code y = x + 1},
   * under these tags.
   */
  public static void increment(Path directory, String... tags) throws IOException {
    export(
        directory,
        List.of(tags),
        tf -> {
          Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, shape(-1));
          return List.of(
              Signature.builder()
                  .input("x", x)
                  .output("y", tf.withName("y").math.add(x, tf.constant(1f)))
                  .build());
        });
  }

  /** Input {@code x} FP32 {@code [-1]} and output {@code z}, a DT_COMPLEX64 tensor. */
  public static void complexOutput(Path directory) throws IOException {
    export(
        directory,
        List.of(SavedModelBundle.DEFAULT_TAG),
        tf -> {
          Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, shape(-1));
          Operation z =
              tf.scope()
                  .env()
                  .opBuilder("Complex", "z", tf.scope())
                  .addInput(x.asOutput())
                  .addInput(x.asOutput())
                  .setAttr("Tout", org.tensorflow.proto.DataType.DT_COMPLEX64)
                  .build();
          return List.of(Signature.builder().input("x", x).output("z", z.output(0)).build());
        });
  }

  /** Input {@code x} FP32 of unknown rank and output {@code y}, its identity. */
  public static void unknownRank(Path directory) throws IOException {
    export(
        directory,
        List.of(SavedModelBundle.DEFAULT_TAG),
        tf -> {
          Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class);
          return List.of(
              Signature.builder().input("x", x).output("y", tf.withName("y").identity(x)).build());
        });
  }

  private static Placeholder.Options shape(long... dims) {
    return Placeholder.shape(Shape.of(dims));
  }

  /** A placeholder of any TensorFlow type, including those TensorFlow Java has no class for. */
  private static Operation placeholder(Ops tf, String name, DataType type, Shape shape) {
    return tf.scope()
        .env()
        .opBuilder(Placeholder.OP_NAME, name, tf.scope())
        .setAttr("dtype", org.tensorflow.proto.DataType.forNumber(DataTypes.toNative(type)))
        .setAttr("shape", shape)
        .build();
  }

  private static void export(
      Path directory, List<String> tags, Function<Ops, List<Signature>> graphBuilder)
      throws IOException {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      List<Signature> signatures = graphBuilder.apply(Ops.create(graph));
      SavedModelBundle.Exporter exporter =
          SavedModelBundle.exporter(directory.toString())
              .withTags(tags.toArray(String[]::new))
              .withSession(session);
      signatures.forEach(exporter::withSignature);
      exporter.export();
    }
  }
}
