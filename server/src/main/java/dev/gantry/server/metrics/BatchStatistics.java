package dev.gantry.server.metrics;

/**
 * The executions of one batch size: how many ran, and their accumulated time in each compute
 * phase, counted once per execution.
 */
public record BatchStatistics(
    long batchSize, long executions, long inputNanos, long inferNanos, long outputNanos) {}
