package dev.gantry.bench;

/**
 * What a run measured, printed at the head of every report so that a result file explains itself.
 *
 * @param target where the requests went: {@code host:port} or {@code in-process}
 * @param server the server's name and version from ServerMetadata, or the backend in-process
 * @param model the model ({@code ServerLive} for the empty-RPC benchmark)
 * @param version the model version asked for; empty for the server's choice
 * @param mode how requests were sent
 * @param batchSize the batch size of each request
 * @param inputData the input data: zero, random or the data file
 * @param percentile the latency percentile judged for stability; 0 for the mean
 * @param started when the run started, ISO-8601
 */
public record RunInfo(String target, String server, String model, String version, Mode mode,
    int batchSize, String inputData, int percentile, String started) {}
