/**
 * Gantry's ONNX Runtime backend: {@link dev.gantry.backend.onnxruntime.OnnxRuntimeBackend} is the
 * only public type; the server reaches it through {@link java.util.ServiceLoader} and the {@code
 * dev.gantry.spi} interfaces.
 */
package dev.gantry.backend.onnxruntime;
