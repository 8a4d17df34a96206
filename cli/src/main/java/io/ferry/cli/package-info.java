/**
 * The {@code ferry} command line tool. {@link io.ferry.cli.Ferry} is the entry point (picocli);
 * the commands, formatters and perf statistics live in {@code io.ferry.cli.internal}.
 *
 * <p>Conventions every command keeps: data goes to standard output (one record or name per line,
 * pipe-friendly), progress and summaries to standard error, failures as one {@code error: ...} line
 * carrying the broker's error code and message; exit code 0 on success, 1 on a failure while
 * running, 2 for a command line that cannot work.
 */
package io.ferry.cli;
