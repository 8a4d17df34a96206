/**
 * Ferry's Java client: {@link io.ferry.client.FerryProducer}, {@link io.ferry.client.FerryConsumer}
 * and {@link io.ferry.client.FerryAdmin}, configured with Kafka's key names
 * ({@link io.ferry.client.ProducerConfig}, {@link io.ferry.client.ConsumerConfig},
 * {@link io.ferry.client.AdminConfig}). Every failure is a {@link io.ferry.client.FerryException}
 * carrying the broker's {@code ErrorCode} and whether retrying can help.
 *
 * <p>The wire contract is {@code ferry/v1/broker.proto}; record data travels as Kafka RecordBatch v2
 * bytes built and read by the {@code record} module. Implementation lives in
 * {@code io.ferry.client.internal} and is not API.
 */
package io.ferry.client;
