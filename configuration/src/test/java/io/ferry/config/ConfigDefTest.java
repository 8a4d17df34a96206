package io.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDefTest {

    private static final ConfigKey<Integer> COUNT =
            ConfigKey.define("count", ConfigType.INT, 1, Validators.atLeast(1), Importance.HIGH, "A count.");
    private static final ConfigKey<Long> SIZE = ConfigKey.required(
            "size.bytes", ConfigType.SIZE_BYTES, Validators.between(0, 100), Importance.LOW, "A size.");
    private static final ConfigKey<Boolean> FLAG =
            ConfigKey.define("flag.enable", ConfigType.BOOLEAN, false, Validators.any(), Importance.MEDIUM, "A flag.");
    private static final ConfigKey<HostPort> ADDR = ConfigKey.define(
            "addr",
            ConfigType.HOST_PORT,
            new HostPort("127.0.0.1", 1),
            Validators.any(),
            Importance.MEDIUM,
            "An address.");
    private static final ConfigKey<List<QuorumVoter>> VOTERS = ConfigKey.define(
            "voters", ConfigType.QUORUM_VOTERS, List.of(), Validators.any(), Importance.MEDIUM, "Voters.");
    private static final ConfigDef DEF = ConfigDef.of(COUNT, SIZE, FLAG, ADDR, VOTERS);

    private static RawSetting flag(String key, String value) {
        return new RawSetting(key, value, ConfigOrigin.flag(key + "=" + value));
    }

    private static ConfigProblem onlyProblem(RawSetting... settings) {
        ConfigException e = assertThrows(ConfigException.class, () -> DEF.resolve(List.of(settings)));
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.problems().get(0);
    }

    @Test
    void laterSettingWinsAndDefaultsFillTheRest() throws Exception {
        RawSetting fromFile = new RawSetting("count", "5", ConfigOrigin.fileLine(java.nio.file.Path.of("f"), 1));
        ConfigValues values = DEF.resolve(List.of(fromFile, flag("size.bytes", " 7 "), flag("count", "6")));
        assertEquals(6, values.get(COUNT));
        assertEquals(ConfigOrigin.Kind.FLAG, values.origin(COUNT).kind());
        assertEquals(7L, values.get(SIZE));
        assertEquals(false, values.get(FLAG));
        assertEquals(ConfigOrigin.Kind.DEFAULT, values.origin(FLAG).kind());
    }

    @Test
    void requiredKeyMissingSaysHowToSetIt() {
        ConfigProblem p = onlyProblem();
        assertEquals("size.bytes", p.key());
        assertEquals("required key is not set", p.message());
        ConfigException onNode =
                assertThrows(ConfigException.class, () -> DEF.resolve(List.of(), ConfigSources::howToSet));
        String message = onNode.problems().get(0).message();
        assertTrue(message.contains("FERRY_SIZE_BYTES"), message);
        assertTrue(message.contains("--override size.bytes="), message);
    }

    @Test
    void suppliedSettingsResolveLikeAnyOther() throws Exception {
        ConfigOrigin producer = ConfigOrigin.supplied("producer configuration");
        java.util.Map<Object, Object> props = new java.util.HashMap<>();
        props.put("count", 3);
        props.put("size.bytes", 7L);
        props.put("flag.enable", true);
        props.put("voters", List.of("1@a:1", "2@b:2"));
        props.put("addr", null);
        ConfigValues values = DEF.resolve(ConfigSources.supplied(props, producer));
        assertEquals(3, values.get(COUNT));
        assertEquals(7L, values.get(SIZE));
        assertEquals(true, values.get(FLAG));
        assertEquals(2, values.get(VOTERS).size());
        assertEquals(producer, values.origin(COUNT));
        assertEquals(ConfigOrigin.Kind.DEFAULT, values.origin(ADDR).kind(), "a null value is no setting");
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> DEF.resolve(ConfigSources.supplied(java.util.Map.of("size.bytes", 1.5, "cuont", 1), producer)));
        assertEquals(
                List.of(
                        "cuont (producer configuration): unknown configuration key (did you mean count?)",
                        "size.bytes (producer configuration): expected a whole number of bytes, got '1.5'"),
                e.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void oneKeyParsesOnItsOwn() throws Exception {
        ConfigOrigin topic = ConfigOrigin.supplied("topic config");
        assertEquals(4, COUNT.parse(" 4 ", topic));
        ConfigException e = assertThrows(ConfigException.class, () -> COUNT.parse("0", topic));
        assertEquals(List.of(new ConfigProblem("count", topic, "expected a value in [1, ...], got 0")), e.problems());
    }

    @Test
    void quotedValuesAreShortAndPrintable() {
        String hostile = "1\n" + "x".repeat(5_000);
        assertEquals(
                "expected an integer (32-bit), got '1?" + "x".repeat(62) + "...'",
                onlyProblem(flag("size.bytes", "1"), new RawSetting("count", hostile, ConfigOrigin.supplied("test")))
                        .message());
    }

    @Test
    void unknownKeyIsRejected() {
        ConfigProblem p = onlyProblem(flag("size.bytes", "1"), flag("cuont", "2"));
        assertEquals(
                new ConfigProblem(
                        "cuont", ConfigOrigin.flag("cuont=2"), "unknown configuration key (did you mean count?)"),
                p);
        assertEquals(
                "unknown configuration key",
                onlyProblem(flag("size.bytes", "1"), flag("colour", "2")).message());
    }

    @Test
    void malformedValuesNameKeySourceAndExpectation() {
        assertEquals(
                "expected an integer (32-bit), got 'ten'",
                onlyProblem(flag("size.bytes", "1"), flag("count", "ten")).message());
        assertEquals(
                "expected an integer (32-bit), got '99999999999' (out of range)",
                onlyProblem(flag("size.bytes", "1"), flag("count", "99999999999"))
                        .message());
        assertEquals(
                "expected a value in [1, ...], got 0",
                onlyProblem(flag("size.bytes", "1"), flag("count", "0")).message());
        assertEquals(
                "expected a value in [0, 100], got 101",
                onlyProblem(flag("size.bytes", "101")).message());
        assertEquals(
                "expected true or false, got 'yes'",
                onlyProblem(flag("size.bytes", "1"), flag("flag.enable", "yes")).message());
    }

    @Test
    void overriddenMalformedValueIsStillReported() {
        ConfigProblem p = onlyProblem(
                flag("size.bytes", "1"),
                new RawSetting("count", "x", ConfigOrigin.environment("FERRY_COUNT")),
                flag("count", "2"));
        assertEquals(ConfigOrigin.environment("FERRY_COUNT"), p.origin());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> DEF.resolve(List.of(flag("count", "x"), flag("nope", "1"), flag("addr", "h"))));
        assertEquals(
                List.of("count", "nope", "addr", "size.bytes"),
                e.problems().stream().map(ConfigProblem::key).toList());
        assertTrue(e.getMessage().startsWith("Invalid configuration (4 problems):"), e.getMessage());
    }

    @Test
    void hostPortParsing() throws Exception {
        assertEquals(
                new HostPort("::1", 0),
                DEF.resolve(List.of(flag("size.bytes", "1"), flag("addr", "[::1]:0")))
                        .get(ADDR));
        for (String bad : List.of("host", ":9092", "host:", "host:65536", "host:-1", "host:9x", "::1:80", "a b:1")) {
            ConfigProblem p = onlyProblem(flag("size.bytes", "1"), flag("addr", bad));
            assertTrue(p.message().startsWith("expected host:port"), bad + " → " + p);
        }
    }

    @Test
    void voterParsing() throws Exception {
        assertEquals(
                List.of(new QuorumVoter(1, new HostPort("a", 9093)), new QuorumVoter(2, new HostPort("b", 1))),
                DEF.resolve(List.of(flag("size.bytes", "1"), flag("voters", "1@a:9093, 2@b:1")))
                        .get(VOTERS));
        assertTrue(onlyProblem(flag("size.bytes", "1"), flag("voters", "1@a:1,1@b:2"))
                .message()
                .contains("distinct voter ids"));
        assertTrue(onlyProblem(flag("size.bytes", "1"), flag("voters", "x@a:1"))
                .message()
                .startsWith("expected id@host:port"));
        assertTrue(onlyProblem(flag("size.bytes", "1"), flag("voters", "1@a:1,,2@b:2"))
                .message()
                .contains("without empty items"));
        assertTrue(onlyProblem(flag("size.bytes", "1"), flag("voters", "1@a:0"))
                .message()
                .startsWith("expected a voter port in 1-65535"));
        assertTrue(onlyProblem(flag("size.bytes", "1"), flag("voters", "1@a"))
                .message()
                .startsWith("expected host:port"));
    }

    @Test
    void definitionsAreCheckedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> ConfigDef.of(COUNT, COUNT));
        assertThrows(
                IllegalArgumentException.class,
                () -> ConfigKey.define("Bad_Name", ConfigType.INT, 1, Validators.any(), Importance.LOW, ""));
        assertThrows(
                IllegalArgumentException.class,
                () -> ConfigKey.define("bad.default", ConfigType.INT, 0, Validators.atLeast(1), Importance.LOW, ""));
    }
}
