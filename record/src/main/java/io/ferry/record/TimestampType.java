package io.ferry.record;

/** Who sets a batch's timestamps: attributes bit 3, with the names Kafka's configs use. */
public enum TimestampType {
    /** The producer's timestamps, as the records carry them. */
    CREATE_TIME("CreateTime"),
    /** The leader's clock at the append, stamped into the batch header for every record. */
    LOG_APPEND_TIME("LogAppendTime");

    public final String configName;

    TimestampType(String configName) {
        this.configName = configName;
    }

    /** The type for a configuration value such as {@code LogAppendTime} (case-sensitive, as Kafka). */
    public static TimestampType forName(String name) {
        for (TimestampType type : values()) {
            if (type.configName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException(
                "unknown timestamp type '" + name + "'; expected CreateTime or LogAppendTime");
    }
}
