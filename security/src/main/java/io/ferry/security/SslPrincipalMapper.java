package io.ferry.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Kafka's {@code ssl.principal.mapping.rules}: turns the subject of a client certificate (its distinguished
 * name as {@link javax.security.auth.x500.X500Principal#getName()} writes it, RFC 2253) into a principal
 * name. The rules are separated by commas and tried in order; the first that matches gives the name:
 *
 * <ul>
 *   <li>{@code DEFAULT}: the distinguished name itself;
 *   <li>{@code RULE:pattern/replacement/} with an optional {@code L} or {@code U} after the last slash: when
 *       the Java regular expression {@code pattern} matches the whole name, the name with {@code replacement}
 *       in place of the match ({@code $1} for a group), then lower- or upper-cased. A {@code /} inside
 *       either part is written {@code \/}; a back reference to a group the pattern does not have is kept as
 *       text, as Kafka does.
 * </ul>
 *
 * <p>Empty rules (two commas in a row) are ignored, so an empty text has no rule and no name maps. Two
 * differences from Kafka, both where Kafka fails every authentication that reaches the rule: a replacement
 * whose {@code $} is followed by neither a group number nor {@code {name}} is refused here when the rules
 * are read, and a {@code $n} in the rule of a pattern without groups is text, as it is for any group a
 * pattern does not have. Immutable and thread-safe.
 */
public final class SslPrincipalMapper {

    private static final String RULE_PREFIX = "RULE:";
    private static final String DEFAULT = "DEFAULT";

    private final List<Rule> rules;

    private SslPrincipalMapper(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** One rule; {@link #apply} gives its name for a distinguished name, or null when it does not match. */
    private sealed interface Rule permits DefaultRule, ReplacementRule {
        String apply(String distinguishedName);
    }

    private record DefaultRule() implements Rule {
        @Override
        public String apply(String distinguishedName) {
            return distinguishedName;
        }

        @Override
        public String toString() {
            return DEFAULT;
        }
    }

    private enum Case {
        AS_IS,
        LOWER,
        UPPER
    }

    private record ReplacementRule(Pattern pattern, String replacement, String matcherReplacement, Case textCase)
            implements Rule {
        @Override
        public String apply(String distinguishedName) {
            Matcher matcher = pattern.matcher(distinguishedName);
            if (!matcher.matches()) {
                return null;
            }
            // Kafka replaces every match of the pattern in the name, not only the whole-name one: a pattern that
            // also matches the empty text at the end replaces that too.
            String name = matcher.replaceAll(matcherReplacement);
            return switch (textCase) {
                case AS_IS -> name;
                case LOWER -> name.toLowerCase(Locale.ENGLISH);
                case UPPER -> name.toUpperCase(Locale.ENGLISH);
            };
        }

        @Override
        public String toString() {
            return RULE_PREFIX + pattern + "/" + replacement
                    + switch (textCase) {
                        case AS_IS -> "";
                        case LOWER -> "/L";
                        case UPPER -> "/U";
                    };
        }
    }

    /**
     * Reads the rules of {@code ssl.principal.mapping.rules}.
     *
     * @throws IllegalArgumentException quoting the first rule that is malformed and saying what is wrong
     */
    public static SslPrincipalMapper parse(String text) {
        List<Rule> rules = new ArrayList<>();
        RuleReader reader = new RuleReader(text);
        while (reader.skipToRule()) {
            rules.add(reader.rule());
        }
        return new SslPrincipalMapper(rules);
    }

    /**
     * The principal name of a certificate subject.
     *
     * @param distinguishedName as {@link javax.security.auth.x500.X500Principal#getName()} writes it
     * @return the name the first matching rule gives, or empty when none matches (Kafka then refuses the
     *     client)
     */
    public Optional<String> name(String distinguishedName) {
        for (Rule rule : rules) {
            String name = rule.apply(distinguishedName);
            if (name != null) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** The rules as read, one per element, in Kafka's notation ({@code RULE:pattern/replacement/L}). */
    public List<String> rules() {
        return rules.stream().map(Rule::toString).toList();
    }

    @Override
    public String toString() {
        return "SslPrincipalMapper" + rules();
    }

    /** Walks the text of the rules, one at a time. */
    private static final class RuleReader {
        private final String text;
        private int position;

        RuleReader(String text) {
            this.text = text;
        }

        /** Skips white space and empty rules; whether a rule starts here. */
        boolean skipToRule() {
            while (position < text.length()
                    && (text.charAt(position) == ',' || Character.isWhitespace(text.charAt(position)))) {
                position++;
            }
            return position < text.length();
        }

        Rule rule() {
            int start = position;
            if (text.startsWith(DEFAULT, position)) {
                position += DEFAULT.length();
                endOfRule(start);
                return new DefaultRule();
            }
            if (!text.startsWith(RULE_PREFIX, position)) {
                throw invalid(start, "a rule is DEFAULT or RULE:pattern/replacement/ with an optional L or U");
            }
            position += RULE_PREFIX.length();
            String pattern = partUpToSlash(start, "pattern");
            String replacement = partUpToSlash(start, "replacement");
            Case textCase = Case.AS_IS;
            if (position < text.length() && (text.charAt(position) == 'L' || text.charAt(position) == 'U')) {
                textCase = text.charAt(position) == 'L' ? Case.LOWER : Case.UPPER;
                position++;
            }
            endOfRule(start);
            try {
                Pattern compiled = Pattern.compile(pattern);
                return new ReplacementRule(
                        compiled,
                        replacement,
                        matcherReplacement(replacement, compiled.matcher("").groupCount()),
                        textCase);
            } catch (PatternSyntaxException e) {
                throw invalid(start, "its pattern is not a regular expression: " + e.getDescription());
            } catch (IllegalArgumentException e) {
                throw invalid(start, e.getMessage());
            }
        }

        /** The text up to the next slash no backslash escapes, which it then steps over. */
        private String partUpToSlash(int start, String part) {
            int from = position;
            while (position < text.length() && text.charAt(position) != '/') {
                position += text.charAt(position) == '\\' ? 2 : 1;
            }
            if (position >= text.length()) {
                throw invalid(start, "its " + part + " does not end with a '/'");
            }
            return text.substring(from, position++);
        }

        /** After a rule, only white space up to the comma that separates it from the next one, or the end. */
        private void endOfRule(int start) {
            int end = text.indexOf(',', position);
            String rest = text.substring(position, end < 0 ? text.length() : end);
            if (!rest.isBlank()) {
                throw invalid(start, "unexpected '" + rest.strip() + "' after the rule");
            }
            position = end < 0 ? text.length() : end;
        }

        private IllegalArgumentException invalid(int start, String problem) {
            int end = text.indexOf(',', Math.max(position, start + 1));
            String rule = text.substring(start, end < 0 ? text.length() : end).strip();
            return new IllegalArgumentException("invalid rule '" + rule + "': " + problem);
        }
    }

    /**
     * The replacement as {@link Matcher#replaceAll(String)} reads it, with each {@code $n} that names no group
     * of the pattern escaped, so that it stays text (Kafka's rule: {@code $12} with one group is group 1 then
     * {@code 2}, as Java reads it; {@code $4} with three groups is the text {@code $4}).
     *
     * @throws IllegalArgumentException when a {@code $} is followed by neither digits nor {@code {name}}, or a
     *     backslash ends the replacement
     */
    static String matcherReplacement(String replacement, int groups) {
        StringBuilder out = new StringBuilder(replacement.length() + 4);
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c == '\\') {
                if (i + 1 == replacement.length()) {
                    throw new IllegalArgumentException("its replacement ends with a lone '\\'");
                }
                out.append(c).append(replacement.charAt(++i));
            } else if (c == '$') {
                char next = i + 1 < replacement.length() ? replacement.charAt(i + 1) : ' ';
                if (next >= '0' && next <= '9') {
                    // Java reads the first digit as the group, and further digits while the number stays a group.
                    out.append(next - '0' > groups ? "\\$" : "$");
                } else if (next == '{') {
                    out.append('$');
                } else {
                    throw new IllegalArgumentException(
                            "its replacement has a '$' followed by neither a group number nor {name}; write \\$ for"
                                    + " a '$'");
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
