/**
 * Topic configuration as the broker applies it: the override keys it knows, their checks on CreateTopic and
 * AlterTopicConfigs, and the effective config of each topic's logs. Not an API.
 */
package io.ferry.node.internal.broker.topic;
