package io.ferry.cli.internal;

import picocli.CommandLine.Command;

/** {@code ferry perf produce|consume|e2e}: the benchmark tools. */
@Command(
        name = "perf",
        mixinStandardHelpOptions = true,
        description = "Measure throughput and latency against a running cluster.",
        subcommands = {PerfProduce.class, PerfConsume.class, PerfE2e.class})
public final class PerfCommand extends ParentCommand {}
