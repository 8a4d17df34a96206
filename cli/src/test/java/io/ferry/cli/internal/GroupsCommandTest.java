package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.client.ConsumerGroupListing;
import io.ferry.client.FerryException;
import io.ferry.client.PartialGroupListingException;
import io.ferry.proto.v1.ErrorCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupsCommandTest {

    private static final List<ConsumerGroupListing> GROUPS =
            List.of(new ConsumerGroupListing("audit", "EMPTY"), new ConsumerGroupListing("billing", "STABLE"));

    @Test
    void aCompleteListingIsPrinted() {
        List<ConsumerGroupListing> printed = new ArrayList<>();
        GroupsCommand.withListedGroups(() -> GROUPS, printed::addAll);
        assertEquals(GROUPS, printed);
    }

    @Test
    void aPartialListingIsPrintedThenItsFailureThrown() {
        PartialGroupListingException partial = new PartialGroupListingException(
                GROUPS, Map.of("127.0.0.1:9093", new FerryException(ErrorCode.STORAGE_ERROR, "disk failed")), 2);
        List<ConsumerGroupListing> printed = new ArrayList<>();
        PartialGroupListingException thrown = assertThrows(
                PartialGroupListingException.class,
                () -> GroupsCommand.withListedGroups(
                        () -> {
                            throw partial;
                        },
                        printed::addAll));
        assertSame(partial, thrown);
        assertEquals(GROUPS, printed, "printed before the error");
        assertEquals(
                "could not list the groups of 1 of 2 broker(s), so the listing is incomplete: "
                        + "127.0.0.1:9093 (STORAGE_ERROR: disk failed)",
                ErrorReporter.describe(thrown),
                "each broker's code in its place, none for the whole");
    }

    @Test
    void aGroupDeletedAfterItWasListedIsReportedAndTheOthersDescribed() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<ConsumerGroupListing> groups = new ArrayList<>(GROUPS);
        groups.add(new ConsumerGroupListing("crm", "STABLE"));
        GroupsCommand.Describe.describeEach(
                groups,
                id -> {
                    if (id.equals("audit")) {
                        throw new FerryException(ErrorCode.GROUP_ID_NOT_FOUND, "group audit does not exist");
                    }
                    return id + " described\n";
                },
                new PrintWriter(out, true),
                new PrintWriter(err, true));

        assertEquals("billing described\n\ncrm described\n", out.toString());
        assertEquals("Consumer group 'audit' does not exist (deleted after it was listed).\n", err.toString());
    }

    @Test
    void anotherFailureStopsTheDescriptions() {
        FerryException failure = new FerryException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "loading");
        assertSame(
                failure,
                assertThrows(
                        FerryException.class,
                        () -> GroupsCommand.Describe.describeEach(
                                GROUPS,
                                id -> {
                                    throw failure;
                                },
                                new PrintWriter(new StringWriter()),
                                new PrintWriter(new StringWriter()))));
    }
}
