/**
 * The commands behind {@code ferry}: each picocli command class builds its clients from
 * {@link io.ferry.cli.internal.ClientSettings}, while the text it prints comes from pure
 * formatters ({@link io.ferry.cli.internal.TopicFormat}, {@link io.ferry.cli.internal.ClusterReport},
 * {@link io.ferry.cli.internal.RecordFormat}, {@link io.ferry.cli.internal.PerfFormat}) that tests
 * check without a cluster. Waiting and time go through {@link io.ferry.cli.internal.Ticker}.
 */
package io.ferry.cli.internal;
