package io.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry acl add|list|remove} against a running node, printing what kafka-acls.sh prints. */
class AclEndToEndTest {

    private static final String ORDERS = "ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)";

    private TestNode node;

    @BeforeEach
    void startNode(@TempDir Path dir) throws Exception {
        node = TestNode.start(dir);
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private Result ok(String... args) {
        Result r = node.ferry("", args);
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    @Test
    void addListAndRemovePrintAsKafkaAcls() {
        Result added = ok(
                "acl",
                "add",
                "--allow-principal",
                "User:alice",
                "--operation",
                "Read",
                "--operation",
                "Describe",
                "--topic",
                "orders");
        assertEquals(
                "Adding ACLs for resource `" + ORDERS + "`: \n"
                        + " \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)\n"
                        + "\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW) \n\n",
                added.out());
        ok(
                "acl",
                "add",
                "--deny-principal",
                "User:bob",
                "--deny-host",
                "10.0.0.9",
                "--operation",
                "ClusterAction",
                "--cluster");

        assertEquals(
                "Current ACLs for resource `" + ORDERS + "`: \n"
                        + " \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)\n"
                        + "\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW) \n\n"
                        + "Current ACLs for resource `ResourcePattern(resourceType=CLUSTER, name=kafka-cluster, "
                        + "patternType=LITERAL)`: \n"
                        + " \t(principal=User:bob, host=10.0.0.9, operation=CLUSTER_ACTION, permissionType=DENY) \n\n",
                ok("acl", "list").out());

        assertEquals(
                "",
                ok("acl", "remove", "--allow-principal", "User:alice", "--operation", "Read", "--topic", "orders")
                        .out());
        assertEquals(
                "ACLs for principal `User:alice`\n"
                        + "Current ACLs for resource `" + ORDERS + "`: \n"
                        + " \t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW) \n\n",
                ok("acl", "list", "--principal", "User:alice").out());
        ok("acl", "remove", "--topic", "orders");
        assertTrue(ok("acl", "list", "--topic", "orders").out().isEmpty());
        assertTrue(ok("acl", "list").out().contains("CLUSTER_ACTION"));
    }

    @Test
    void aMalformedAclIsRefusedNamingTheField() {
        Result r = node.ferry("", "acl", "add", "--allow-principal", "alice", "--topic", "orders");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("principal"), r.toString());
        Result usage = node.ferry("", "acl", "add", "--topic", "orders");
        assertEquals(2, usage.exitCode(), usage.toString());
        Result unsupported =
                node.ferry("", "acl", "add", "--allow-principal", "User:a", "--operation", "Write", "--group", "g");
        assertEquals(2, unsupported.exitCode(), unsupported.toString());
        assertTrue(unsupported.err().contains("ResourceType GROUP only supports operations"), unsupported.toString());
    }
}
