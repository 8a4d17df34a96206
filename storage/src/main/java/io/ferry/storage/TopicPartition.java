package io.ferry.storage;

/**
 * A partition of a topic, and the name of its directory under a log directory.
 *
 * <p>Topic names follow Kafka's rule: 1 to {@value #MAX_TOPIC_LENGTH} characters from the ASCII set
 * {@code [a-zA-Z0-9._-]}, and neither {@code "."} nor {@code ".."}. The rule is what keeps a partition
 * directory inside its parent: a valid name contains no separator, no NUL, no non-ASCII character,
 * and cannot be a relative path component.
 *
 * @param topic     the topic name
 * @param partition the partition number, at least 0
 * @throws InvalidTopicException if the name or the partition breaks the rule
 */
public record TopicPartition(String topic, int partition) {

    /** The longest topic name allowed, as in Kafka (a directory name must also fit the partition suffix). */
    public static final int MAX_TOPIC_LENGTH = 249;

    public TopicPartition {
        validateTopic(topic);
        if (partition < 0) {
            throw new InvalidTopicException("partition " + partition + " of topic '" + topic
                    + "' is invalid: a partition number must be at least 0");
        }
    }

    /** The partition's directory name: {@code topic + "-" + partition}. */
    public String dirName() {
        return topic + "-" + partition;
    }

    /**
     * Parses a partition directory name, the inverse of {@link #dirName()}. The name is split at its
     * last {@code '-'} (topic names may contain {@code '-'}; partition numbers do not). Only the
     * canonical form is accepted, so {@code "t-01"} is refused: every accepted name round-trips.
     *
     * @throws InvalidTopicException if the name has no {@code '-'}, the topic part is not a valid topic
     *                               name, or the partition part is not a canonical non-negative int
     */
    public static TopicPartition fromDirName(String dirName) {
        if (dirName == null) {
            throw new InvalidTopicException("partition directory name must not be null");
        }
        int dash = dirName.lastIndexOf('-');
        if (dash < 0) {
            throw new InvalidTopicException(
                    "'" + printable(dirName) + "' is not a partition directory name: expected <topic>-<partition>");
        }
        String partitionPart = dirName.substring(dash + 1);
        int partition = parseCanonicalPartition(dirName, partitionPart);
        return new TopicPartition(dirName.substring(0, dash), partition);
    }

    @Override
    public String toString() {
        return dirName();
    }

    private static int parseCanonicalPartition(String dirName, String digits) {
        boolean canonical = !digits.isEmpty()
                && digits.length() <= 10
                && (digits.length() == 1 || digits.charAt(0) != '0')
                && digits.chars().allMatch(c -> c >= '0' && c <= '9');
        long value = canonical ? Long.parseLong(digits) : -1;
        if (!canonical || value > Integer.MAX_VALUE) {
            throw new InvalidTopicException(
                    "'" + printable(dirName) + "' is not a partition directory name: the part after the"
                            + " last '-' must be a partition number in canonical decimal form (0 to "
                            + Integer.MAX_VALUE + ")");
        }
        return (int) value;
    }

    private static void validateTopic(String topic) {
        if (topic == null) {
            throw new InvalidTopicException("topic name must not be null");
        }
        if (topic.isEmpty()) {
            throw new InvalidTopicException("topic name must not be empty");
        }
        if (topic.length() > MAX_TOPIC_LENGTH) {
            throw new InvalidTopicException("topic name '" + printable(topic.substring(0, 40)) + "…' is "
                    + topic.length() + " characters long: the limit is " + MAX_TOPIC_LENGTH);
        }
        if (topic.equals(".") || topic.equals("..")) {
            throw new InvalidTopicException("topic name '" + topic + "' is not allowed: '.' and '..' are reserved");
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (!isLegal(c)) {
                throw new InvalidTopicException(
                        "topic name '" + printable(topic) + "' contains the illegal character " + describe(c)
                                + " at index " + i + ": only ASCII letters, digits, '.', '_' and '-' are allowed");
            }
        }
    }

    private static boolean isLegal(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '-';
    }

    private static String describe(char c) {
        String code = String.format("U+%04X", (int) c);
        return c >= 0x20 && c < 0x7f ? "'" + c + "' (" + code + ")" : code;
    }

    /** The name with control and non-ASCII characters escaped, so a message never carries them raw. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }
}
