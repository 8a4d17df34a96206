/**
 * {@code ferry.v1.RecordService}: plain records for clients in any language. Publish partitions records as the
 * Java client does, encodes RecordBatch v2 and appends on this broker or forwards to each partition's leader;
 * Subscribe long-polls the leaders and streams decoded records under gRPC flow control. Errors leave as gRPC
 * statuses with the Ferry error in their details ({@link RecordErrors}). Not an API.
 */
package io.ferry.node.internal.broker.records;
