/**
 * Writes ONNX models from Java, so that Gantry's tests, benchmarks and examples need no binary
 * model files and no Python.
 *
 * <p>{@link dev.gantry.modelgen.OnnxModelBuilder} assembles a model from inputs, outputs,
 * initializers and nodes; {@link dev.gantry.modelgen.OnnxModels} holds the ready-made models; and
 * {@link dev.gantry.modelgen.ExampleRepository} generates the example model repository:
 *
 * <pre>
 * mvn -pl testing/models exec:java \
 *     -Dexec.mainClass=dev.gantry.modelgen.ExampleRepository -Dexec.args=/path/to/models
 * </pre>
 *
 * <p>The messages in {@code dev.gantry.modelgen.onnx} are generated from this module's own subset
 * of ONNX's {@code onnx.proto}, with ONNX's field numbers.
 */
package dev.gantry.modelgen;
