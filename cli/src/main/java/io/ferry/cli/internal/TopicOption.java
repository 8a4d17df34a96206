package io.ferry.cli.internal;

import picocli.CommandLine.Option;

/**
 * {@code --topic}, the one topic a {@code ferry topic} subcommand works on ({@code describe} declares its own,
 * which takes several).
 */
final class TopicOption {

    @Option(
            names = {"-t", "--topic"},
            required = true,
            paramLabel = "NAME",
            description = "Topic name.")
    String name;
}
