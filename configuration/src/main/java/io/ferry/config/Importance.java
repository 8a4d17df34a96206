package io.ferry.config;

/** How likely an operator is to need to set a key; orders the generated reference. */
public enum Importance {
    HIGH,
    MEDIUM,
    LOW
}
