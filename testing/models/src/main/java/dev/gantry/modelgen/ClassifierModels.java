package dev.gantry.modelgen;

import dev.gantry.spi.DataType;
import java.util.List;

/**
 * ONNX classifiers for the classification extension's tests: scores in, class probabilities out,
 * so that the top-k a server returns can be checked against softmax by hand.
 */
public final class ClassifierModels {
  private ClassifierModels() {}

  /**
   * {@code logits} FP32 {@code [-1, classes]} through ONNX {@code Softmax} over the last axis to
   * {@code probs} FP32 {@code [-1, classes]}; the first dimension is the batch.
   */
  public static byte[] softmax(int classes) {
    return new OnnxModelBuilder("softmax_classifier")
        .input("logits", DataType.FP32, -1, classes)
        .output("probs", DataType.FP32, -1, classes)
        .node("Softmax", List.of("logits"), List.of("probs"))
        .build();
  }
}
