package io.ferry.client.internal;

import io.ferry.security.scram.ScramMechanism;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The user name and password of {@code sasl.jaas.config}, read from Kafka's JAAS syntax as strictly as Ferry uses
 * it: {@code org.apache.kafka.common.security.scram.ScramLoginModule required username="alice"
 * password="alice-secret";}. Values are double-quoted (with {@code \"} and {@code \\} inside) or bare words. A
 * problem names the option or the position, never a value: the password must not reach a log. Immutable.
 */
public final class SaslLogin {

    /** The one login module read: Kafka's SCRAM module. */
    public static final String SCRAM_LOGIN_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";

    private final ScramMechanism mechanism;
    private final String userName;
    private final String password;

    SaslLogin(ScramMechanism mechanism, String userName, String password) {
        this.mechanism = Objects.requireNonNull(mechanism, "mechanism");
        this.userName = Objects.requireNonNull(userName, "userName");
        this.password = Objects.requireNonNull(password, "password");
    }

    /**
     * Reads {@code jaasConfig}.
     *
     * @throws IllegalArgumentException saying what is wrong, without any value of it
     */
    public static SaslLogin parse(ScramMechanism mechanism, String jaasConfig) {
        Reader reader = new Reader(jaasConfig);
        String module = reader.word("the login module class");
        if (!module.equals(SCRAM_LOGIN_MODULE)) {
            throw new IllegalArgumentException("expected the login module " + SCRAM_LOGIN_MODULE);
        }
        if (!reader.word("the control flag").equals("required")) {
            throw new IllegalArgumentException("expected the control flag 'required' after the login module");
        }
        Map<String, String> options = new LinkedHashMap<>();
        while (!reader.atSemicolon()) {
            String name = reader.word("an option name");
            if (!name.equals("username") && !name.equals("password")) {
                throw new IllegalArgumentException("unknown option '" + name + "': expected username and password");
            }
            reader.expect('=', "after " + name);
            if (options.put(name, reader.value(name)) != null) {
                throw new IllegalArgumentException("the option " + name + " is given twice");
            }
        }
        reader.expect(';', "at the end");
        reader.expectEnd();
        String userName = options.get("username");
        String password = options.get("password");
        if (userName == null || userName.isEmpty() || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("expected a non-empty username and password");
        }
        return new SaslLogin(mechanism, userName, password);
    }

    public ScramMechanism mechanism() {
        return mechanism;
    }

    public String userName() {
        return userName;
    }

    /** The password, for the SCRAM exchange only. */
    String password() {
        return password;
    }

    /** Names the user and mechanism only. */
    @Override
    public String toString() {
        return "SaslLogin[" + mechanism + ", user " + userName + "]";
    }

    /** A cursor over the text. */
    private static final class Reader {
        private final String text;
        private int position;

        Reader(String text) {
            this.text = text;
        }

        String word(String what) {
            skipBlanks();
            int start = position;
            while (position < text.length() && isWordChar(text.charAt(position))) {
                position++;
            }
            if (start == position) {
                throw new IllegalArgumentException("expected " + what + " at character " + (start + 1));
            }
            return text.substring(start, position);
        }

        String value(String option) {
            skipBlanks();
            if (position < text.length() && text.charAt(position) == '"') {
                position++;
                StringBuilder value = new StringBuilder();
                while (position < text.length() && text.charAt(position) != '"') {
                    char c = text.charAt(position++);
                    if (c == '\\' && position < text.length()) {
                        c = text.charAt(position++);
                    }
                    value.append(c);
                }
                if (position >= text.length()) {
                    throw new IllegalArgumentException("the value of " + option + " has no closing '\"'");
                }
                position++;
                return value.toString();
            }
            return word("the value of " + option);
        }

        void expect(char c, String where) {
            skipBlanks();
            if (position >= text.length() || text.charAt(position) != c) {
                throw new IllegalArgumentException("expected '" + c + "' " + where);
            }
            position++;
        }

        boolean atSemicolon() {
            skipBlanks();
            return position >= text.length() || text.charAt(position) == ';';
        }

        void expectEnd() {
            skipBlanks();
            if (position < text.length()) {
                throw new IllegalArgumentException(
                        "expected one login module and nothing after its ';' (character " + (position + 1) + ")");
            }
        }

        private void skipBlanks() {
            while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
                position++;
            }
        }

        private static boolean isWordChar(char c) {
            return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '$';
        }
    }
}
