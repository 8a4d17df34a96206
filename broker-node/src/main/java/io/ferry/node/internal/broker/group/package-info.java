/**
 * The broker's consumer group coordinator runtime (DESIGN.md, "consumer groups live on brokers"): the
 * internal topic {@code __consumer_offsets} ({@link io.ferry.node.internal.broker.group.OffsetsTopic}), and
 * for each of its partitions this broker leads, the group state of the {@code group-coordinator} module
 * loaded from the partition's log, driven one operation at a time, its changes appended to the log and
 * answered once replicated ({@link io.ferry.node.internal.broker.group.GroupCoordinatorRuntime}). The RPCs
 * that reach it are in {@code handler}. Not an API.
 */
package io.ferry.node.internal.broker.group;
