package io.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Every type reads back what it renders (the reference shows rendered defaults), and rejects junk with a typed error. */
class ConfigTypePropertiesTest {

    @Property
    void longsRoundTrip(@ForAll long value) throws Exception {
        assertEquals(value, ConfigType.LONG.parse(ConfigType.LONG.format(value)));
        assertEquals(value, ConfigType.DURATION_MS.parse(" " + value + " "));
    }

    @Property
    void doublesRoundTrip(@ForAll double value) throws Exception {
        if (Double.isFinite(value)) {
            assertEquals(value, ConfigType.DOUBLE.parse(ConfigType.DOUBLE.format(value)));
        }
    }

    @Test
    void doublesAreDecimalNumbersAndNothingElseJavaWouldParse() throws Exception {
        assertEquals(0.5, ConfigType.DOUBLE.parse(" 0.5 "));
        assertEquals(1.0, ConfigType.DOUBLE.parse("1"));
        assertEquals(0.25, ConfigType.DOUBLE.parse(".25"));
        assertEquals(1.5e7, ConfigType.DOUBLE.parse("1.5E7"));
        assertEquals(-2.0, ConfigType.DOUBLE.parse("-2."));
        for (String junk : List.of("", "NaN", "Infinity", "-Infinity", "0x1p3", "1d", "0.5f", "1,5", "1e", "e5", ".")) {
            InvalidValueException e = assertThrows(InvalidValueException.class, () -> ConfigType.DOUBLE.parse(junk));
            assertEquals("expected a decimal number, got '" + junk + "'", e.getMessage());
        }
        assertEquals(
                "expected a decimal number, got '1e400' (out of range)",
                assertThrows(InvalidValueException.class, () -> ConfigType.DOUBLE.parse("1e400"))
                        .getMessage());
    }

    @Property
    void intsOutsideTheirRangeAreRejected(@ForAll long value) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            assertThrows(InvalidValueException.class, () -> ConfigType.INT.parse(Long.toString(value)));
        }
    }

    @Provide
    Arbitrary<HostPort> hostPorts() {
        Arbitrary<String> names = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withChars('.', '-', '0', '9')
                .ofMinLength(1)
                .ofMaxLength(30);
        Arbitrary<String> v6 = Arbitraries.of("::1", "fe80::1", "2001:db8::42");
        return Combinators.combine(
                        Arbitraries.oneOf(names, v6), Arbitraries.integers().between(0, 65_535))
                .as(HostPort::new);
    }

    @Property
    void hostPortsRoundTrip(@ForAll("hostPorts") HostPort hostPort) throws Exception {
        assertEquals(hostPort, ConfigType.HOST_PORT.parse(ConfigType.HOST_PORT.format(hostPort)));
    }

    @Property
    void votersRoundTrip(
            @ForAll("hostPorts") HostPort a,
            @ForAll("hostPorts") HostPort b,
            @ForAll @IntRange(min = 0, max = 1000) int id)
            throws Exception {
        if (a.port() == 0 || b.port() == 0) {
            return;
        }
        List<QuorumVoter> voters = List.of(new QuorumVoter(id, a), new QuorumVoter(id + 1, b));
        assertEquals(voters, ConfigType.QUORUM_VOTERS.parse(ConfigType.QUORUM_VOTERS.format(voters)));
    }

    @Property
    void arbitraryTextNeverEscapesAsAnUncheckedException(@ForAll String text) {
        for (ConfigType<?> type : List.of(
                ConfigType.INT,
                ConfigType.LONG,
                ConfigType.BOOLEAN,
                ConfigType.DOUBLE,
                ConfigType.LIST,
                ConfigType.HOST_PORT,
                ConfigType.QUORUM_VOTERS,
                ConfigType.SIZE_BYTES)) {
            try {
                type.parse(text);
            } catch (InvalidValueException expected) {
                // a typed rejection is the only acceptable failure
            }
        }
    }
}
