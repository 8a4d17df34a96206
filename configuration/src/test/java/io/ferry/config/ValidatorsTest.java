package io.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValidatorsTest {

    @Test
    void oneOfIsExactAndOneOfIgnoringCaseIsNot() {
        assertEquals(
                Optional.empty(),
                Validators.oneOf("CreateTime", "LogAppendTime").problem("CreateTime"));
        assertEquals(
                Optional.of("expected one of CreateTime, LogAppendTime, got 'createtime'"),
                Validators.oneOf("CreateTime", "LogAppendTime").problem("createtime"));

        Validator<String> codec = Validators.oneOfIgnoringCase("none", "lz4");
        assertEquals(Optional.empty(), codec.problem("LZ4"));
        assertEquals(Optional.of("expected one of none, lz4 (in any case), got 'lz5'"), codec.problem("lz5"));
        assertEquals("one of none, lz4 (in any case)", codec.describe());
    }

    @Test
    void emptyOrAcceptsNothingElse() {
        Validator<String> authorizer = Validators.emptyOr("a.b.Standard");
        assertEquals(Optional.empty(), authorizer.problem(""));
        assertEquals(Optional.empty(), authorizer.problem("a.b.Standard"));
        assertEquals(Optional.of("expected empty or a.b.Standard, got 'a.b.Other'"), authorizer.problem("a.b.Other"));
    }

    @Test
    void connectableAddressesAreAtLeastOneWithoutPortZero() {
        Validator<List<HostPort>> connectable = Validators.nonEmptyConnectable();
        assertEquals(Optional.empty(), connectable.problem(List.of(new HostPort("a", 1), new HostPort("b", 65_535))));
        assertEquals(Optional.of("expected at least one host:port"), connectable.problem(List.of()));
        assertEquals(
                Optional.of("expected a port in 1-65535 to connect to, got 'b:0'"),
                connectable.problem(List.of(new HostPort("a", 1), new HostPort("b", 0))));
    }

    @Test
    void fractionsIncludeOneAndPositiveFractionsExcludeZero() {
        Validator<Double> fraction = Validators.fraction();
        assertEquals(Optional.empty(), fraction.problem(0.0));
        assertEquals(Optional.empty(), fraction.problem(1.0));
        assertEquals(Optional.of("expected a value in [0, 1], got 1.01"), fraction.problem(1.01));
        assertEquals(Optional.of("expected a value in [0, 1], got -0.1"), fraction.problem(-0.1));
        assertEquals(Optional.of("expected a value in [0, 1], got NaN"), fraction.problem(Double.NaN));

        Validator<Double> positive = Validators.positiveFraction();
        assertEquals(Optional.empty(), positive.problem(Double.MIN_VALUE));
        assertEquals(Optional.empty(), positive.problem(1.0));
        assertEquals(Optional.of("expected a value in (0, 1], got 0.0"), positive.problem(0.0));
        assertEquals("(0, 1]", positive.describe());
    }

    @Test
    void aCleanupPolicyIsDeleteCompactOrBothInAnyOrderAndCase() {
        Validator<String> policy = Validators.cleanupPolicy();
        for (String valid : List.of("delete", "compact", "compact,delete", "delete,compact", " Compact , DELETE ")) {
            assertEquals(Optional.empty(), policy.problem(valid), valid);
        }
        for (String invalid : List.of("shred", "", "compact,", ",delete", "compact;delete", "compact,delete,shred")) {
            assertEquals(
                    Optional.of("expected delete, compact or compact,delete (words in any order and case), got '"
                            + invalid + "'"),
                    policy.problem(invalid),
                    invalid);
        }
    }
}
