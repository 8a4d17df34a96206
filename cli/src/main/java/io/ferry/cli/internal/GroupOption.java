package io.ferry.cli.internal;

import picocli.CommandLine.Option;

/** {@code --group}, the group every {@code ferry groups} subcommand but {@code list} works on. */
final class GroupOption {

    @Option(
            names = {"-g", "--group"},
            required = true,
            paramLabel = "GROUP",
            description = "Group id.")
    String id;
}
