/**
 * The broker's side of the controller quorum: the {@link io.ferry.node.internal.broker.controller.ControllerGateway}
 * every call to the controllers goes through (asynchronous, with the one retry loop for NOT_CONTROLLER), and
 * the broker's session ({@link io.ferry.node.internal.broker.controller.BrokerLifecycle}: registration,
 * heartbeats, metadata polling, controlled shutdown). Not an API.
 */
package io.ferry.node.internal.broker.controller;
