package io.ferry.group;

/** A consumer group's state as Kafka 4's {@code ConsumerGroupState} reports it to admin tools. */
public enum GroupState {
    /** No member. */
    EMPTY,
    /** The group epoch passed the target assignment's: a new target is computed on the next heartbeat. */
    ASSIGNING,
    /** Some member is not yet stable at the target assignment epoch. */
    RECONCILING,
    /** Every member is stable with its target, at the target assignment epoch. */
    STABLE;

    public static GroupState of(ConsumerGroup group) {
        if (group.members().isEmpty()) {
            return EMPTY;
        }
        if (group.groupEpoch() > group.targetAssignmentEpoch()) {
            return ASSIGNING;
        }
        boolean reconciled = group.members().values().stream()
                .allMatch(m -> m.state() == MemberState.STABLE && m.memberEpoch() == group.targetAssignmentEpoch());
        return reconciled ? STABLE : RECONCILING;
    }
}
