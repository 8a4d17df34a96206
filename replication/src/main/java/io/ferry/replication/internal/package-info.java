/**
 * Replication's implementation: the replica roles (leader, follower, offline) and the delayed
 * operations registry with its acks=all and long-poll fetch operations. Not an API.
 */
package io.ferry.replication.internal;
