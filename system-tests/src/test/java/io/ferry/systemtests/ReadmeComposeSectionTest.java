package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's compose section shows the commands {@link ComposeWalkthroughTest} runs, in its order:
 * the walkthrough stays what a user can copy. Needs no Docker, so it runs in {@code ./mvnw verify}.
 */
class ReadmeComposeSectionTest {

    static final String HEADING = "## The same cluster in containers: docker compose";
    /** The user's first command; the walkthrough starts the cluster from images made here instead. */
    static final String USER_UP = "docker compose up -d --build";

    @Test
    void composeSectionShowsTheWalkthroughsCommandsInOrder() throws Exception {
        String readme = Files.readString(Repo.path("README.md"));
        int start = readme.indexOf("\n" + HEADING + "\n");
        assertTrue(start >= 0, "README.md has no section '" + HEADING + "'");
        int end = readme.indexOf("\n## ", start + 1);
        List<String> shown = readme.substring(start, end < 0 ? readme.length() : end)
                .lines()
                .filter(l -> l.startsWith("    $ "))
                .map(l -> l.substring("    $ ".length()))
                .toList();

        assertEquals(USER_UP, shown.isEmpty() ? null : shown.get(0), "the section starts the cluster: " + shown);
        List<String> walked = shown.subList(1, shown.size());
        assertEquals(
                ComposeWalkthroughTest.README_LINES.size(),
                walked.size(),
                () -> "the README shows\n" + String.join("\n", walked) + "\nthe test runs\n"
                        + String.join("\n", ComposeWalkthroughTest.README_LINES));
        for (int i = 0; i < walked.size(); i++) {
            String line = ComposeWalkthroughTest.README_LINES.get(i);
            Pattern pattern = Pattern.compile(Arrays.stream(line.split("\\{broker}", -1))
                    .map(Pattern::quote)
                    .collect(Collectors.joining("broker-[123]")));
            assertTrue(
                    pattern.matcher(walked.get(i)).matches(),
                    "README line " + (i + 2) + " of the section is '" + walked.get(i) + "'; the test runs '" + line
                            + "'");
        }
    }
}
