package io.ferry.node.internal.broker.kafka;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataOutputStream;
import org.apache.kafka.common.protocol.DataOutputStreamWritable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Where kafka-clients' generated message code writes an answer: its fields into one buffer of the connection's
 * allocator, and each record set of at least {@link #WRAPPED_RECORDS_BYTES} not copied but wrapped, as a
 * component of the answer that reads the records' own buffer (a slice of the log a fetch holds), as Kafka's
 * {@code SendBuilder} does for its own network layer. A fetch answer's records so reach the socket without being
 * copied to the heap and back, and no answer-sized array is allocated for them. The answer is valid only as long
 * as those buffers are: the caller gives them back once it is written.
 */
final class AnswerWriter extends DataOutputStreamWritable {

    /** Smaller record sets are copied with the fields: a component costs more than copying a few bytes. */
    static final int WRAPPED_RECORDS_BYTES = 4096;

    private final ByteBuf fields;
    private final CompositeByteBuf answer;
    /** How much of {@link #fields} is already a component of {@link #answer}. */
    private int added;

    private AnswerWriter(ByteBufAllocator allocator, ByteBuf fields) {
        super(new DataOutputStream(new ByteBufOutputStream(fields)));
        this.fields = fields;
        this.answer = allocator.compositeBuffer(Integer.MAX_VALUE);
    }

    static AnswerWriter using(ByteBufAllocator allocator) {
        return new AnswerWriter(allocator, allocator.buffer());
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof MemoryRecords memory && memory.sizeInBytes() >= WRAPPED_RECORDS_BYTES) {
            addFields();
            answer.addComponent(true, Unpooled.wrappedBuffer(memory.buffer()));
            return;
        }
        super.writeRecords(records);
    }

    /** The answer written, whose release gives back its buffers; this writer is not used after. */
    ByteBuf toByteBuf() {
        if (answer.numComponents() == 0) {
            answer.release();
            return fields;
        }
        addFields();
        fields.release();
        return answer;
    }

    /** Gives back what was written so far: the answer could not be written whole. */
    void discard() {
        answer.release();
        fields.release();
    }

    private void addFields() {
        int end = fields.writerIndex();
        if (end > added) {
            answer.addComponent(true, fields.retainedSlice(added, end - added));
            added = end;
        }
    }
}
