package io.ferry.cli.internal;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ferry perf produce|consume|e2e}: the benchmark tools. */
@Command(
        name = "perf",
        mixinStandardHelpOptions = true,
        description = "Measure throughput and latency against a running cluster.",
        subcommands = {PerfProduce.class, PerfConsume.class, PerfE2e.class})
public final class PerfCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing subcommand: one of " + spec.subcommands().keySet());
    }
}
