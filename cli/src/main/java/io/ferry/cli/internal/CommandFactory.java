package io.ferry.cli.internal;

import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/** Creates command objects, handing the {@link Environment} to those whose constructor takes one. */
public final class CommandFactory implements IFactory {

    private final Environment environment;
    private final IFactory fallback = CommandLine.defaultFactory();

    public CommandFactory(Environment environment) {
        this.environment = environment;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        try {
            Constructor<K> constructor = cls.getDeclaredConstructor(Environment.class);
            return constructor.newInstance(environment);
        } catch (NoSuchMethodException e) {
            return fallback.create(cls);
        }
    }
}
