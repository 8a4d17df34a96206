package io.ferry.client;

import java.util.List;

/**
 * The cluster as the answering node sees it.
 *
 * @param controllerLeaderId the active controller's node id, -1 when unknown
 * @param metadataVersion    the metadata version of this view
 */
public record ClusterDescription(int controllerLeaderId, List<BrokerInfo> brokers, long metadataVersion) {}
