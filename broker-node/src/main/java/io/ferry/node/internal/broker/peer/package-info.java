/**
 * Connections from this broker to the other brokers' internal listeners, for the calls a broker makes on
 * another's behalf (replica fetch, ListOffsets, RecordService forwarding). Not an API.
 */
package io.ferry.node.internal.broker.peer;
