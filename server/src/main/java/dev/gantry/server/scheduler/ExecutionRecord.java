package dev.gantry.server.scheduler;

/**
 * What one execution on one instance did: how many requests and batch items it took, why it was
 * dispatched, how long its requests had queued, and the time of each compute phase. The scheduler
 * hands one to its {@link ExecutionListener} after every execution.
 *
 * @param requests the number of requests in the batch
 * @param items the number of batch items (the sum of the requests' batch sizes)
 * @param reason why the batch was dispatched when it was
 * @param queueNanos per request, the time from enqueue to dispatch
 * @param inputNanos time to prepare inputs (joining, handing them to the runtime)
 * @param inferNanos time in the runtime
 * @param outputNanos time to collect outputs and split them per request
 * @param succeeded whether the execution produced outputs
 */
public record ExecutionRecord(
    int requests,
    long items,
    DispatchReason reason,
    long[] queueNanos,
    long inputNanos,
    long inferNanos,
    long outputNanos,
    boolean succeeded) {}
