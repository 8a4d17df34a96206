package io.ferry.cli.internal;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Base of a command that only groups subcommands ({@code ferry topic}, {@code ferry groups}, ...): run without
 * one, it is a usage error that names them.
 */
abstract class ParentCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public final void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing subcommand: one of " + spec.subcommands().keySet());
    }
}
