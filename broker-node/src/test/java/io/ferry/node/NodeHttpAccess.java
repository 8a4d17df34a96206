package io.ferry.node;

/** Lets tests in other packages scrape a node's /metrics. */
public final class NodeHttpAccess {

    private NodeHttpAccess() {}

    public static String metrics(FerryNode node) throws Exception {
        return NodeHttp.get(node.httpAddress(), "/metrics").body();
    }
}
