package io.ferry.cli.internal;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether standard output is an interactive terminal. */
final class Terminals {

    private Terminals() {}

    /**
     * Up to Java 21 {@link System#console()} is null unless stdin and stdout are both terminals.
     * From Java 22 it returns a console even when redirected, and {@code Console.isTerminal()} (not in
     * the Java 17 API we compile against, hence reflection) tells the truth.
     */
    static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
