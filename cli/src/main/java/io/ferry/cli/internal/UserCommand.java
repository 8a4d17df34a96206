package io.ferry.cli.internal;

import io.ferry.client.FerryAdmin;
import io.ferry.proto.v1.ScramCredentialInfo;
import io.ferry.security.scram.ScramMechanism;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry user add|delete|list}: SCRAM-SHA-512 credentials, as {@code kafka-configs.sh --entity-type users}
 * with {@code --add-config SCRAM-SHA-512=[...]}, {@code --delete-config SCRAM-SHA-512} and {@code --describe}. The
 * password never goes on the command line, where shell history and {@code ps} would keep it: it comes from a file
 * or standard input, and this client salts it itself (FerryAdmin), so it never leaves the machine either.
 */
@Command(
        name = "user",
        mixinStandardHelpOptions = true,
        description = "Add, delete and list users' SCRAM-SHA-512 credentials, as kafka-configs.sh --entity-type users.",
        subcommands = {UserCommand.Add.class, UserCommand.Delete.class, UserCommand.ListUsers.class})
public final class UserCommand extends ParentCommand {

    private static final ScramMechanism MECHANISM = ScramMechanism.SCRAM_SHA_512;

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Create or replace a user's SCRAM-SHA-512 credential (kafka-configs.sh --alter "
                    + "--add-config 'SCRAM-SHA-512=[iterations=N,password=...]'). The password is the first line of "
                    + "--password-file, or is asked for without echo on a terminal, or is the first line of "
                    + "standard input.")
    static final class Add extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The user name.")
        String name;

        @Option(
                names = "--iterations",
                paramLabel = "N",
                description = "PBKDF2 iterations, 4096 (default, as kafka-configs.sh) to 16384.")
        int iterations = ScramMechanism.MIN_ITERATIONS;

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                description = "A file whose first line is the password.")
        Path passwordFile;

        /** Accepted only to refuse it with the reason, instead of picocli's bare "unknown option". */
        @Option(names = "--password", hidden = true)
        String passwordOnCommandLine;

        Add(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            if (passwordOnCommandLine != null) {
                throw new UsageException("a password on the command line would stay in the shell history and show in"
                        + " ps; give it with --password-file, or type it when asked, or pipe it on standard input");
            }
            String password = password();
            try (FerryAdmin admin = admin(settings())) {
                admin.upsertUserScramCredential(name, MECHANISM, iterations, password);
            }
            out().println("Completed updating config for user " + name + ".");
            return ErrorReporter.OK;
        }

        private String password() {
            String password;
            Console console = System.console();
            if (passwordFile != null) {
                password = firstLine(passwordFile);
            } else if (environment.terminal() && console != null) {
                password = asked(console);
            } else {
                password = firstLineOf(environment);
            }
            if (password.isEmpty()) {
                throw new UsageException("the password is empty");
            }
            return password;
        }

        /** Asked twice, without echo: a typing error would otherwise lock the user out. */
        private String asked(Console console) {
            char[] first = console.readPassword("Password for user '%s': ", name);
            char[] again = console.readPassword("Password again: ");
            if (first == null || !Arrays.equals(first, again)) {
                throw new UsageException("the passwords differ");
            }
            return new String(first);
        }

        private static String firstLine(Path file) {
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line = reader.readLine();
                return line == null ? "" : line;
            } catch (IOException e) {
                throw new UsageException("cannot read --password-file " + file + ": " + e.getMessage());
            }
        }

        private static String firstLineOf(Environment environment) {
            try {
                String line = new BufferedReader(new InputStreamReader(environment.stdin(), StandardCharsets.UTF_8))
                        .readLine();
                return line == null ? "" : line;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the password from standard input", e);
            }
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete a user's SCRAM-SHA-512 credential (kafka-configs.sh --alter --delete-config "
                    + "SCRAM-SHA-512).")
    static final class Delete extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The user name.")
        String name;

        Delete(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                admin.deleteUserScramCredential(name, MECHANISM);
            }
            out().println("Completed updating config for user " + name + ".");
            return ErrorReporter.OK;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List users' SCRAM credentials, mechanism and iterations only (kafka-configs.sh --describe "
                    + "--entity-type users): the users named, or every user that has one.")
    static final class ListUsers extends ClientCommand {
        @Parameters(arity = "0..*", paramLabel = "NAME", description = "Only these users.")
        List<String> names = new ArrayList<>();

        ListUsers(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            Map<String, List<ScramCredentialInfo>> described;
            try (FerryAdmin admin = admin(settings())) {
                described = admin.describeUserScramCredentials(names);
            }
            described.forEach((user, credentials) -> out().println("SCRAM credential configs for user-principal '"
                    + user + "' are "
                    + credentials.stream()
                            .map(c -> c.getMechanism() + "=iterations=" + c.getIterations())
                            .collect(Collectors.joining(", "))));
            return ErrorReporter.OK;
        }
    }
}
