package io.ferry.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The module table of {@code docs/architecture.md}, as the build reads it: each row's module, its Java
 * package, and the modules it may depend on. A name in the last column is a module (its public packages);
 * {@code module.internal} also lets the row's module use that module's {@code internal} packages. Words
 * outside backticks are comments.
 */
record ModuleTable(Map<String, Row> rows) {

    static final String DOC = "docs/architecture.md";
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final String INTERNAL = ".internal";

    /** One module of the table. */
    record Row(String module, String javaPackage, Set<String> mayDependOn, Set<String> internalsOf) {}

    /** Reads the table of {@code docs/architecture.md} under {@code root}. */
    static ModuleTable read(Path root) {
        try {
            return parse(Files.readAllLines(root.resolve(DOC)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first table whose header starts with {@code | module |}, up to the first line that is not a row. */
    static ModuleTable parse(List<String> lines) {
        int header = -1;
        for (int i = 0; i < lines.size() && header < 0; i++) {
            if (lines.get(i).startsWith("| module |")) {
                header = i;
            }
        }
        if (header < 0) {
            throw new IllegalStateException(DOC + " has no table whose header starts with '| module |'");
        }
        List<String> columns = cells(lines.get(header));
        int module = column(columns, "module");
        int javaPackage = column(columns, "package");
        int dependsOn = column(columns, "may depend on");
        Map<String, Row> rows = new LinkedHashMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> cells = cells(lines.get(i));
            if (cells.size() != columns.size()) {
                throw new IllegalStateException(
                        DOC + ": " + cells.size() + " cells, not " + columns.size() + ", in: " + lines.get(i));
            }
            List<String> arrows = codes(cells.get(dependsOn));
            String name = single(codes(cells.get(module)), lines.get(i));
            Row row = new Row(
                    name,
                    single(codes(cells.get(javaPackage)), lines.get(i)),
                    arrows.stream().filter(a -> !a.endsWith(INTERNAL)).collect(Collectors.toSet()),
                    arrows.stream()
                            .filter(a -> a.endsWith(INTERNAL))
                            .map(a -> a.substring(0, a.length() - INTERNAL.length()))
                            .collect(Collectors.toSet()));
            if (rows.put(name, row) != null) {
                throw new IllegalStateException(DOC + ": module " + name + " has two rows");
            }
        }
        for (Row row : rows.values()) {
            for (String target : row.mayDependOn()) {
                if (!rows.containsKey(target)) {
                    throw new IllegalStateException(DOC + ": " + row.module() + " may depend on " + target
                            + ", which is no module of the table");
                }
            }
            for (String target : row.internalsOf()) {
                if (!row.mayDependOn().contains(target)) {
                    throw new IllegalStateException(
                            DOC + ": " + row.module() + " names " + target + INTERNAL + " but not " + target);
                }
            }
        }
        return new ModuleTable(rows);
    }

    private static List<String> cells(String line) {
        String trimmed = line.trim();
        String inner = trimmed.substring(1, trimmed.endsWith("|") ? trimmed.length() - 1 : trimmed.length());
        return Arrays.stream(inner.split("\\|", -1)).map(String::trim).toList();
    }

    private static int column(List<String> columns, String name) {
        int index = columns.indexOf(name);
        if (index < 0) {
            throw new IllegalStateException(DOC + ": the module table has no column '" + name + "': " + columns);
        }
        return index;
    }

    private static List<String> codes(String cell) {
        List<String> names = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String single(List<String> names, String line) {
        if (names.size() != 1) {
            throw new IllegalStateException(DOC + ": expected one `name` in a cell of: " + line);
        }
        return names.get(0);
    }

    /** The module whose package holds {@code className} (the longest package that matches), if any. */
    Optional<Row> moduleOf(String className) {
        return rows.values().stream()
                .filter(r -> className.startsWith(r.javaPackage() + "."))
                .max(Comparator.comparingInt(r -> r.javaPackage().length()));
    }

    /** Whether {@code packageName} is {@code row}'s internal package or one below it. */
    static boolean isInternal(Row row, String packageName) {
        String internal = row.javaPackage() + INTERNAL;
        return packageName.equals(internal) || packageName.startsWith(internal + ".");
    }

    /** The module whose {@code internal} package (itself, not one below it) is {@code packageName}, if any. */
    Optional<Row> internalPackageOf(String packageName) {
        return rows.values().stream()
                .filter(r -> packageName.equals(r.javaPackage() + INTERNAL))
                .findFirst();
    }
}
