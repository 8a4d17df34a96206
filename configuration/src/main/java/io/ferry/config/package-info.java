/**
 * A small typed configuration framework in the manner of Kafka's {@code ConfigDef}: a
 * {@link io.ferry.config.ConfigKey} per key (type, default, validator, importance, doc), sources
 * that remember where each value came from ({@link io.ferry.config.ConfigSources}), resolution
 * that reports every problem at once ({@link io.ferry.config.ConfigDef#resolve}), and the
 * generated reference ({@link io.ferry.config.ConfigDocs}). Nothing here knows Ferry's keys.
 */
package io.ferry.config;
