package io.ferry.node.internal.broker.authz;

import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.node.internal.caller.CallerPrincipal;
import io.ferry.security.Principal;

/**
 * Who made a call and from where, as authorization decides on them.
 *
 * @param principal the call's principal
 * @param host      the address it came from, as ACLs name hosts; empty for a call on no network connection
 */
public record Caller(Principal principal, String host) {

    /**
     * The caller of the call this thread serves. Read it on the thread gRPC runs the call's handler on, and
     * hand the record to work that continues on other threads.
     */
    public static Caller current() {
        return new Caller(CallerPrincipal.current(), CallerConnection.remoteHost());
    }
}
