/**
 * Gantry's TensorFlow backend: {@link dev.gantry.backend.tensorflow.TensorFlowBackend} is the only
 * public type; the server reaches it through {@link java.util.ServiceLoader} and the {@code
 * dev.gantry.spi} interfaces.
 *
 * <p>The backend drives TensorFlow through the C API bindings that TensorFlow Java ships ({@code
 * org.tensorflow.internal.c_api}) rather than through {@code SavedModelBundle}: TensorFlow Java
 * 1.1.0 has no tensor classes for INT8, INT16, UINT32 and UINT64, so its sessions can neither feed
 * nor return such tensors, and listing a session's devices needs the C API anyway. Every native
 * object is created and freed explicitly by this package; none is left to the garbage collector.
 */
package dev.gantry.backend.tensorflow;
