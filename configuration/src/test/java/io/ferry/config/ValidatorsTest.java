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
    void connectableAddressesAreAtLeastOneWithoutPortZero() {
        Validator<List<HostPort>> connectable = Validators.nonEmptyConnectable();
        assertEquals(Optional.empty(), connectable.problem(List.of(new HostPort("a", 1), new HostPort("b", 65_535))));
        assertEquals(Optional.of("expected at least one host:port"), connectable.problem(List.of()));
        assertEquals(
                Optional.of("expected a port in 1-65535 to connect to, got 'b:0'"),
                connectable.problem(List.of(new HostPort("a", 1), new HostPort("b", 0))));
    }
}
