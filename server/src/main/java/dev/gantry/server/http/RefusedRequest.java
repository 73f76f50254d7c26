package dev.gantry.server.http;

import io.netty.channel.ChannelHandlerContext;

/**
 * A request refused before it arrived whole (too slow, too large), as an event for the
 * connection, which writes its answer in turn: after the answers of the requests read before it,
 * as pipelining requires, and as the connection's last.
 *
 * @param writeFrom the context to write the answer from, for a handler whose answer must not pass
 *     the handlers after it
 */
record RefusedRequest(HttpAnswer answer, ChannelHandlerContext writeFrom) {}
