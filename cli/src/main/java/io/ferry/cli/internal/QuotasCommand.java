package io.ferry.cli.internal;

import io.ferry.client.FerryAdmin;
import io.ferry.proto.v1.ClientQuotaAlteration;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import io.ferry.proto.v1.ClientQuotaFilterComponent;
import io.ferry.proto.v1.ClientQuotaMatchType;
import io.ferry.proto.v1.ClientQuotaOp;
import io.ferry.proto.v1.DescribeClientQuotasEntry;
import io.ferry.proto.v1.DescribeClientQuotasRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry quotas alter|describe}: client quotas with {@code kafka-configs.sh}'s options for them
 * ({@code --entity-type users|clients}, {@code --entity-name} or {@code --entity-default}, {@code --add-config},
 * {@code --delete-config}) and its output.
 */
@Command(
        name = "quotas",
        mixinStandardHelpOptions = true,
        description = "Alter and describe client quotas, as kafka-configs.sh --alter and --describe with "
                + "--entity-type users|clients.",
        subcommands = {QuotasCommand.Alter.class, QuotasCommand.Describe.class})
public final class QuotasCommand extends ParentCommand {

    /** One entity component: {@code --entity-type} and its name or default. */
    static final class EntityOption {
        @Option(
                names = "--entity-type",
                required = true,
                paramLabel = "TYPE",
                description = "users or clients; give both (each with its name or default) for a user's client.")
        String type;

        @ArgGroup(exclusive = true)
        EntityName name;

        /** The quota entity type ("user" or "client-id") of {@link #type}. */
        String quotaType() {
            return switch (type) {
                case "users" -> "user";
                case "clients" -> "client-id";
                default -> throw new UsageException("--entity-type is users or clients, not " + type);
            };
        }
    }

    static final class EntityName {
        @Option(names = "--entity-name", paramLabel = "NAME", description = "The user (principal name) or client id.")
        String name;

        @Option(names = "--entity-default", description = "The default user or client id.")
        boolean isDefault;
    }

    @Command(
            name = "alter",
            mixinStandardHelpOptions = true,
            description = "Set (--add-config) or remove (--delete-config) quotas of one entity.")
    static final class Alter extends ClientCommand {
        @ArgGroup(exclusive = false, multiplicity = "1..2")
        List<EntityOption> entity;

        @Option(
                names = "--add-config",
                paramLabel = "KEY=VALUE,...",
                split = ",",
                description = "producer_byte_rate, consumer_byte_rate and request_percentage values to set.")
        List<String> add = new ArrayList<>();

        @Option(names = "--delete-config", paramLabel = "KEY,...", split = ",", description = "Keys to remove.")
        List<String> delete = new ArrayList<>();

        Alter(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            ClientQuotaEntity.Builder target = ClientQuotaEntity.newBuilder();
            for (EntityOption e : entity) {
                if (e.name == null) {
                    throw new UsageException("--entity-type " + e.type + " needs --entity-name or --entity-default");
                }
                ClientQuotaEntityComponent.Builder c =
                        ClientQuotaEntityComponent.newBuilder().setEntityType(e.quotaType());
                target.addComponents(e.name.isDefault ? c : c.setEntityName(e.name.name));
            }
            if (add.isEmpty() && delete.isEmpty()) {
                throw new UsageException("alter needs --add-config or --delete-config");
            }
            ClientQuotaAlteration.Builder alteration =
                    ClientQuotaAlteration.newBuilder().setEntity(target);
            for (String setting : add) {
                int eq = setting.indexOf('=');
                if (eq < 1) {
                    throw new UsageException("--add-config takes key=value pairs, not '" + setting + "'");
                }
                double value;
                try {
                    value = Double.parseDouble(setting.substring(eq + 1));
                } catch (NumberFormatException notANumber) {
                    throw new UsageException("--add-config value of " + setting.substring(0, eq) + " is not a number");
                }
                alteration.addOps(ClientQuotaOp.newBuilder()
                        .setKey(setting.substring(0, eq))
                        .setValue(value));
            }
            delete.forEach(key ->
                    alteration.addOps(ClientQuotaOp.newBuilder().setKey(key).setRemove(true)));
            try (FerryAdmin admin = admin(settings())) {
                admin.alterClientQuotas(List.of(alteration.build()), false);
            }
            out().println("Completed updating config for " + updated(target.build()) + ".");
            return ErrorReporter.OK;
        }
    }

    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = "Describe quotas: of the entity named (without --entity-name or --entity-default, every "
                    + "entity of the type), or of every entity.")
    static final class Describe extends ClientCommand {
        @ArgGroup(exclusive = false, multiplicity = "0..2")
        List<EntityOption> entity = new ArrayList<>();

        Describe(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            DescribeClientQuotasRequest.Builder filter = DescribeClientQuotasRequest.newBuilder();
            for (EntityOption e : entity) {
                ClientQuotaFilterComponent.Builder c =
                        ClientQuotaFilterComponent.newBuilder().setEntityType(e.quotaType());
                if (e.name == null) {
                    c.setMatchType(ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_ANY);
                } else if (e.name.isDefault) {
                    c.setMatchType(ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_DEFAULT);
                } else {
                    c.setMatchType(ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_EXACT)
                            .setMatch(e.name.name);
                }
                filter.addComponents(c);
            }
            // As kafka-configs.sh: the entities with exactly the types named.
            filter.setStrict(!entity.isEmpty());
            List<DescribeClientQuotasEntry> entries;
            try (FerryAdmin admin = admin(settings())) {
                entries = admin.describeClientQuotas(filter.build());
            }
            for (DescribeClientQuotasEntry entry : entries) {
                out().println(describeLine(entry));
            }
            return ErrorReporter.OK;
        }
    }

    /** kafka-configs.sh's line: "Quota configs for user-principal 'alice' are producer_byte_rate=1024.0". */
    private static String describeLine(DescribeClientQuotasEntry entry) {
        Map<String, Double> values = new TreeMap<>(entry.getValuesMap());
        String quotas = values.entrySet().stream()
                .map(v -> v.getKey() + "=" + v.getValue())
                .collect(Collectors.joining(", "));
        return "Quota configs for " + words(entry.getEntity(), "user-principal", "%s '%s'", "the default %s") + " are "
                + quotas;
    }

    /** kafka-configs.sh's words for what it updated: "user alice", "default client-id", ... */
    private static String updated(ClientQuotaEntity entity) {
        return words(entity, "user", "%s %s", "default %s");
    }

    /**
     * The entity's components in words, comma-separated.
     *
     * @param named     format of a named component: its type's word, then its name
     * @param byDefault format of a default component: its type's word
     */
    private static String words(ClientQuotaEntity entity, String userWord, String named, String byDefault) {
        return entity.getComponentsList().stream()
                .map(c -> {
                    String type = c.getEntityType().equals("user") ? userWord : "client-id";
                    return c.hasEntityName() ? named.formatted(type, c.getEntityName()) : byDefault.formatted(type);
                })
                .collect(Collectors.joining(", "));
    }
}
