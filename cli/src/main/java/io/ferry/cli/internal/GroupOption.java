package io.ferry.cli.internal;

import picocli.CommandLine.Option;

/**
 * {@code --group}, the group {@code ferry groups} subcommands work on ({@code describe} declares its own,
 * beside {@code --all-groups}).
 */
final class GroupOption {

    @Option(
            names = {"-g", "--group"},
            required = true,
            paramLabel = "GROUP",
            description = "Group id.")
    String id;
}
