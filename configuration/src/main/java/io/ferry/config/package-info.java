/**
 * Ferry's configuration, defined once. The framework, in the manner of Kafka's {@code ConfigDef}: a
 * {@link io.ferry.config.ConfigKey} per key (type, default, validator, importance, doc), sources that
 * remember where each value came from ({@link io.ferry.config.ConfigSources}), resolution that
 * reports every problem at once ({@link io.ferry.config.ConfigDef#resolve}), and the generated
 * reference ({@link io.ferry.config.ConfigDocs}). The declarations, each key exactly once: a node's
 * keys ({@link io.ferry.config.NodeKeys}), a topic's ({@link io.ferry.config.TopicKeys}, each with
 * the node key that supplies its default) and the clients' ({@link io.ferry.config.ClientKeys},
 * {@link io.ferry.config.ProducerKeys}, {@link io.ferry.config.ConsumerKeys},
 * {@link io.ferry.config.AdminKeys}). {@link io.ferry.config.ConfigReference} renders all of
 * them as {@code docs/configuration.md}.
 */
package io.ferry.config;
