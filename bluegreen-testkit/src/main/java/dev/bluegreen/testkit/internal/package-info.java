/**
 * Implementation of the simulated cluster: the request recorder, the client factory, the controller loop
 * and the controllers. Not an API: it changes without notice.
 */
package dev.bluegreen.testkit.internal;
