package io.ferry.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads configuration sources into {@link RawSetting}s: a node's three, in increasing precedence the
 * properties file, the environment and {@code --override} flags; and the settings a program supplies
 * as a {@link Map} (a client's configuration).
 */
public final class ConfigSources {

    /** Environment variables starting with this prefix set configuration keys. */
    public static final String ENV_PREFIX = "FERRY_";

    /**
     * {@value #ENV_PREFIX}* variables that are not configuration keys (launch-script settings) and
     * are therefore ignored rather than rejected as unknown keys. Any other {@value #ENV_PREFIX}*
     * variable must name a key.
     */
    public static final Set<String> NON_CONFIG_ENVIRONMENT_VARIABLES =
            Set.of("FERRY_HOME", "FERRY_OPTS", "FERRY_HEAP_OPTS", "FERRY_JVM_OPTS", "FERRY_CLASSPATH");

    /** Bounds what we read from a configuration file; real ones are a few kilobytes. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private static final Pattern ENV_SUFFIX = Pattern.compile("[A-Z0-9]+(_[A-Z0-9]+)*");

    private ConfigSources() {}

    /**
     * Reads a properties file: one {@code key=value} (or {@code key: value}) per line, lines whose
     * first non-blank character is {@code #} or {@code !} are comments, a trailing backslash joins
     * the next line. Escape sequences are not interpreted, so Windows paths stay as written. A key
     * set twice in the file is an error: one of the two lines is a mistake.
     *
     * @throws ConfigException naming each unreadable file, malformed line or duplicate key, with its line
     */
    public static List<RawSetting> propertiesFile(Path file) throws ConfigException {
        ConfigOrigin whole = new ConfigOrigin(ConfigOrigin.Kind.FILE, file.toString());
        List<String> lines;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(new ConfigProblem(
                        "--config", whole, "configuration file is larger than " + MAX_FILE_BYTES + " bytes"));
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new ConfigException(new ConfigProblem("--config", whole, "configuration file is not UTF-8 text"));
        } catch (IOException e) {
            throw new ConfigException(new ConfigProblem(
                    "--config",
                    whole,
                    "cannot read configuration file: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        List<RawSetting> settings = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Integer> firstLine = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            StringBuilder logical = new StringBuilder(lines.get(i).strip());
            if (logical.length() == 0 || logical.charAt(0) == '#' || logical.charAt(0) == '!') {
                continue;
            }
            while (logical.length() > 0 && logical.charAt(logical.length() - 1) == '\\' && i + 1 < lines.size()) {
                logical.setLength(logical.length() - 1);
                logical.append(lines.get(++i).strip());
            }
            ConfigOrigin origin = ConfigOrigin.fileLine(file, lineNumber);
            String text = logical.toString();
            int sep = indexOfSeparator(text);
            String key = sep < 0 ? text : text.substring(0, sep).strip();
            if (sep <= 0 || key.isEmpty()) {
                problems.add(new ConfigProblem(key.isEmpty() ? text : key, origin, "expected key=value"));
                continue;
            }
            Integer previous = firstLine.putIfAbsent(key, lineNumber);
            if (previous != null) {
                problems.add(new ConfigProblem(key, origin, "set twice in the file (also on line " + previous + ")"));
                continue;
            }
            settings.add(new RawSetting(key, text.substring(sep + 1), origin));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return settings;
    }

    /**
     * Maps {@value #ENV_PREFIX}* variables to keys: strip the prefix, lower-case, {@code _} → {@code .}
     * ({@code FERRY_NODE_ID} → {@code node.id}). Variables in {@link #NON_CONFIG_ENVIRONMENT_VARIABLES}
     * and without the prefix are ignored. Settings come out sorted by variable name, so that
     * problems are reported in a stable order.
     *
     * @param environment the process environment ({@code System.getenv()} in production)
     * @throws ConfigException naming each {@value #ENV_PREFIX}* variable whose name is not upper-case
     *                         letters, digits and single underscores
     */
    public static List<RawSetting> environment(Map<String, String> environment) throws ConfigException {
        List<RawSetting> settings = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            String variable = e.getKey();
            if (!variable.startsWith(ENV_PREFIX) || NON_CONFIG_ENVIRONMENT_VARIABLES.contains(variable)) {
                continue;
            }
            String suffix = variable.substring(ENV_PREFIX.length());
            ConfigOrigin origin = ConfigOrigin.environment(variable);
            if (!ENV_SUFFIX.matcher(suffix).matches()) {
                problems.add(new ConfigProblem(
                        variable,
                        origin,
                        "expected " + ENV_PREFIX
                                + " followed by upper-case words separated by single '_' (e.g. FERRY_NODE_ID)"));
                continue;
            }
            settings.add(new RawSetting(suffix.toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue(), origin));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return settings;
    }

    /**
     * Parses {@code --override key=value} flags, in the order given; for a key given twice the later
     * flag wins.
     *
     * @throws ConfigException naming each flag that is not {@code key=value}
     */
    public static List<RawSetting> overrides(List<String> flags) throws ConfigException {
        List<RawSetting> settings = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        for (String flag : flags) {
            ConfigOrigin origin = ConfigOrigin.flag(flag);
            int eq = flag.indexOf('=');
            String key = eq < 0 ? flag.strip() : flag.substring(0, eq).strip();
            if (eq < 0 || key.isEmpty()) {
                problems.add(new ConfigProblem(key.isEmpty() ? flag : key, origin, "expected key=value"));
                continue;
            }
            settings.add(new RawSetting(key, flag.substring(eq + 1), origin));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return settings;
    }

    /**
     * How a user sets {@code key} on a node, for the problem that says a required key is missing
     * ({@link ConfigDef#resolve(List, java.util.function.Function)}).
     */
    public static String howToSet(ConfigKey<?> key) {
        return "set it in the --config file, as " + key.environmentVariable() + " or with --override " + key.name()
                + "=...";
    }

    /**
     * Settings a program supplies, such as a client's {@code Map} or {@code Properties}, in key order
     * (so that problems are reported in a stable order). Keys and values are read as their
     * {@link String#valueOf}, a {@link List} value as its items joined by commas; a key with a
     * {@code null} value is left out, so it takes its default.
     */
    public static List<RawSetting> supplied(Map<?, ?> settings, ConfigOrigin origin) {
        Map<String, String> sorted = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (value != null) {
                sorted.put(
                        String.valueOf(key),
                        value instanceof List<?> items
                                ? String.join(
                                        ",", items.stream().map(String::valueOf).toList())
                                : String.valueOf(value));
            }
        });
        List<RawSetting> result = new ArrayList<>();
        sorted.forEach((key, value) -> result.add(new RawSetting(key, value, origin)));
        return result;
    }

    private static int indexOfSeparator(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '=' || c == ':') {
                return i;
            }
        }
        return -1;
    }
}
