package io.ferry.cli.internal;

import io.ferry.client.FerryConfigException;
import io.ferry.client.FerryException;
import io.ferry.client.FerryTransportException;
import io.ferry.client.PartialGroupListingException;
import java.io.PrintWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns failures into one line on standard error and an exit code: {@link #USAGE} for a command
 * line (or configuration) that cannot work, {@link #FAILURE} for anything that went wrong while
 * running, with the server's error code and message when it answered with one.
 */
public final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        err.println("error: " + describe(ex));
        err.flush();
        return exitCode(ex);
    }

    /**
     * The one line a person reads for a failure: the broker's error code and message, or the
     * message alone for usage and configuration problems and for a partial group listing (whose
     * message names each broker's error code; one code in front would mislead). Only the first line
     * of a message is kept (a transport status can carry a whole stack trace), and an unreachable
     * cluster gets a hint.
     */
    public static String describe(Throwable ex) {
        String message = firstLine(ex.getMessage());
        String line;
        if (ex instanceof UsageException
                || ex instanceof FerryConfigException
                || ex instanceof FerryTransportException
                || ex instanceof PartialGroupListingException
                || ex instanceof java.io.IOException) {
            line = message;
        } else if (ex instanceof FerryException fe) {
            line = fe.code().name() + ": " + message;
        } else {
            line = ex.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        }
        if (!unreachable(ex)) {
            return line;
        }
        // A gRPC status renders as "Status{code=UNAVAILABLE, description=io exception, cause=<stack trace>}";
        // the code, the description and the innermost cause's last words ("Connection refused") say it all.
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = firstLine(root.getMessage());
        String reason = rootMessage.substring(rootMessage.lastIndexOf(": ") + 1).strip();
        line = GRPC_STATUS
                .matcher(line)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ": " + m.group(2)
                        + (m.group(3) == null || m.group(3).startsWith(", cause=null") || reason.isEmpty()
                                ? ""
                                : " (" + reason + ")")));
        return line + "; is a Ferry broker listening there? (see --bootstrap)";
    }

    private static final Pattern GRPC_STATUS =
            Pattern.compile("Status\\{code=(\\w+), description=(.*?)(, cause=.*)?}?$");

    private static boolean unreachable(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof FerryTransportException) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    static int exitCode(Throwable ex) {
        return ex instanceof UsageException || ex instanceof FerryConfigException ? USAGE : FAILURE;
    }
}
