package dev.gantry.server.metrics;

/** How many events and their accumulated duration, as the statistics RPC reports them. */
public record CountAndNanos(long count, long nanos) {}
