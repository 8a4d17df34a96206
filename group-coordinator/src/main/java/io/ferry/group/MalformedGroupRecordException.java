package io.ferry.group;

/**
 * A record of a {@code __consumer_offsets} partition that this code cannot read: an unknown key type or value
 * version, bytes missing or left over, or a field out of its range. The message names the record type and
 * the field.
 */
public final class MalformedGroupRecordException extends RuntimeException {

    public MalformedGroupRecordException(String message) {
        super(message);
    }
}
