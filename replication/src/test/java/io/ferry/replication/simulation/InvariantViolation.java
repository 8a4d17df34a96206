package io.ferry.replication.simulation;

/** An invariant did not hold; thrown from inside the event that broke it, which ends the run. */
final class InvariantViolation extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final Invariant invariant;

    InvariantViolation(Invariant invariant, String message) {
        super(invariant + ": " + message, null, false, false);
        this.invariant = invariant;
    }
}
